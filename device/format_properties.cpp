// Format and image-format queries: what each format can do on emvk. The formats themselves are in
// device/format.cpp.
#include "device/format_properties.hpp"

#include <algorithm>
#include <bit>

#include "device/external_memory.hpp"
#include "device/format.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "icd/pnext.hpp"
#include "jit/texel_formats.hpp"

namespace emvk {
namespace {

Error notSupported(std::string why) { return Error{VK_ERROR_FORMAT_NOT_SUPPORTED, std::move(why)}; }

// floor(log2(largest dimension)) + 1: the full mip chain (VUID-VkImageCreateInfo-mipLevels-00958).
uint32_t fullMipChain(const VkExtent3D& e) {
  return std::bit_width(std::max({e.width, e.height, e.depth}));
}

}  // namespace

VkFormatFeatureFlags bufferFormatFeatures(VkFormat format) {
  const jit::TexelBufferFormat* texel = jit::findTexelBufferFormat(format);
  if (!texel) return 0;
  VkFormatFeatureFlags features = VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT;
  if (texel->storage) features |= VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT;
  if (texel->atomic) features |= VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT;
  return features;
}

VkFormatFeatureFlags imageFormatFeatures(VkFormat format) {
  return findFormat(format) ? kImageFormatFeatures : 0;
}

Result<VkImageFormatProperties> imageFormatLimits(const PhysicalDevice& physical,
                                                  const ImageQuery& q) {
  const FormatInfo* format = findFormat(q.format);
  if (!format) return notSupported(concat("format ", q.format, " is not one emvk supports"));
  if (q.tiling != VK_IMAGE_TILING_LINEAR && q.tiling != VK_IMAGE_TILING_OPTIMAL)
    return notSupported(concat("tiling ", q.tiling, " is neither LINEAR nor OPTIMAL"));
  if (q.usage == 0 || (q.usage & ~kImageUsages))
    return notSupported(concat("usage 0x", std::hex, q.usage,
                               " asks for more than TRANSFER_SRC | TRANSFER_DST (emvk has no "
                               "shaders or attachments yet)"));
  if (q.flags & ~kImageCreateFlags)
    return notSupported(
        concat("create flags 0x", std::hex, q.flags & ~kImageCreateFlags, " are not supported"));
  // VUID-VkImageCreateInfo-flags-00949: cube-compatible images are 2D.
  if ((q.flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) && q.type != VK_IMAGE_TYPE_2D)
    return notSupported("CUBE_COMPATIBLE needs a 2D image");

  // VUID-VkImageCreateInfo-imageCreateMaxMipLevels-02251: the format features of the tiling must
  // cover the usage; only a profile can remove TRANSFER bits from a format emvk has.
  const VkFormatProperties features = physical.formatProperties(q.format);
  const VkFormatFeatureFlags tilingFeatures = q.tiling == VK_IMAGE_TILING_LINEAR
                                                  ? features.linearTilingFeatures
                                                  : features.optimalTilingFeatures;
  if (((q.usage & VK_IMAGE_USAGE_TRANSFER_SRC_BIT) &&
       !(tilingFeatures & VK_FORMAT_FEATURE_TRANSFER_SRC_BIT)) ||
      ((q.usage & VK_IMAGE_USAGE_TRANSFER_DST_BIT) &&
       !(tilingFeatures & VK_FORMAT_FEATURE_TRANSFER_DST_BIT)))
    return notSupported(concat("format ", q.format, " with tiling ", q.tiling,
                               " lacks the TRANSFER format features of the usage (removed by the "
                               "profile ",
                               physical.profile() ? physical.profile()->name() : "", ")"));
  const VkPhysicalDeviceLimits& limits = physical.properties().limits;
  VkImageFormatProperties p{};
  switch (q.type) {
    case VK_IMAGE_TYPE_1D:
      p.maxExtent = {limits.maxImageDimension1D, 1, 1};
      break;
    case VK_IMAGE_TYPE_2D:
      p.maxExtent = {limits.maxImageDimension2D, limits.maxImageDimension2D, 1};
      if (q.flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT)
        p.maxExtent = {limits.maxImageDimensionCube, limits.maxImageDimensionCube, 1};
      break;
    case VK_IMAGE_TYPE_3D: {
      const uint32_t d = limits.maxImageDimension3D;
      p.maxExtent = {d, d, d};
      break;
    }
    default:
      return notSupported(concat("image type ", q.type, " does not exist"));
  }
  p.maxMipLevels = fullMipChain(p.maxExtent);
  p.maxArrayLayers = q.type == VK_IMAGE_TYPE_3D ? 1 : limits.maxImageArrayLayers;
  p.sampleCounts = VK_SAMPLE_COUNT_1_BIT;  // no multisampling without rasterization
  p.maxResourceSize = kMaxImageResourceSize;
  return p;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceFormatProperties(VkPhysicalDevice physicalDevice,
                                                                  VkFormat format,
                                                                  VkFormatProperties* pProperties) {
  *pProperties = fromHandle(physicalDevice)->formatProperties(format);
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceFormatProperties2(
    VkPhysicalDevice physicalDevice, VkFormat format, VkFormatProperties2* pProperties) {
  emvk_GetPhysicalDeviceFormatProperties(physicalDevice, format, &pProperties->formatProperties);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetPhysicalDeviceImageFormatProperties(
    VkPhysicalDevice physicalDevice, VkFormat format, VkImageType type, VkImageTiling tiling,
    VkImageUsageFlags usage, VkImageCreateFlags flags, VkImageFormatProperties* pProperties) {
  auto limits =
      imageFormatLimits(*fromHandle(physicalDevice), {format, type, tiling, usage, flags});
  // Section "Image Creation Limits": an unsupported combination reads as all zeros.
  *pProperties = limits ? limits.value() : VkImageFormatProperties{};
  return limits ? VK_SUCCESS : limits.error().code;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetPhysicalDeviceImageFormatProperties2(
    VkPhysicalDevice physicalDevice, const VkPhysicalDeviceImageFormatInfo2* pInfo,
    VkImageFormatProperties2* pProperties) {
  const VkResult base = emvk_GetPhysicalDeviceImageFormatProperties(
      physicalDevice, pInfo->format, pInfo->type, pInfo->tiling, pInfo->usage, pInfo->flags,
      &pProperties->imageFormatProperties);
  if (base != VK_SUCCESS) return base;
  // External handle types (VkPhysicalDeviceExternalImageFormatInfo) narrow the answer further.
  const VkResult external = fillExternalImageFormatProperties(*pInfo, *pProperties);
  if (external != VK_SUCCESS) pProperties->imageFormatProperties = {};
  return external;
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceSparseImageFormatProperties(
    VkPhysicalDevice, VkFormat, VkImageType, VkSampleCountFlagBits, VkImageUsageFlags,
    VkImageTiling, uint32_t* pCount, VkSparseImageFormatProperties*) {
  *pCount = 0;  // no sparse residency
}

VKAPI_ATTR void VKAPI_CALL emvk_GetPhysicalDeviceSparseImageFormatProperties2(
    VkPhysicalDevice, const VkPhysicalDeviceSparseImageFormatInfo2*, uint32_t* pCount,
    VkSparseImageFormatProperties2*) {
  *pCount = 0;
}

// VK_NV_external_memory_capabilities. Every VkExternalMemoryHandleTypeFlagBitsNV is a Win32
// handle, and none exists on Linux: the spec's answer for a handle type that cannot be used with
// the image is VK_ERROR_FORMAT_NOT_SUPPORTED. With externalHandleType 0 the query is the ordinary
// image-format query with no external features (docs/EXTERNAL_MEMORY.md, "VK_NV_external_memory
// on Linux").
VKAPI_ATTR VkResult VKAPI_CALL emvk_GetPhysicalDeviceExternalImageFormatPropertiesNV(
    VkPhysicalDevice physicalDevice, VkFormat format, VkImageType type, VkImageTiling tiling,
    VkImageUsageFlags usage, VkImageCreateFlags flags,
    VkExternalMemoryHandleTypeFlagsNV externalHandleType,
    VkExternalImageFormatPropertiesNV* pProperties) {
  *pProperties = {};
  if (externalHandleType != 0) return VK_ERROR_FORMAT_NOT_SUPPORTED;
  return emvk_GetPhysicalDeviceImageFormatProperties(physicalDevice, format, type, tiling, usage,
                                                     flags, &pProperties->imageFormatProperties);
}
