#include "device/image.hpp"

#include <algorithm>
#include <bit>

#include "device/device.hpp"
#include "device/device_memory.hpp"
#include "device/external_memory.hpp"
#include "device/format_properties.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "icd/pnext.hpp"

namespace emvk {
namespace {

Error refuse(std::string why) { return Error{VK_ERROR_FORMAT_NOT_SUPPORTED, std::move(why)}; }

// What vkGetPhysicalDeviceImageFormatProperties promises for these parameters, checked against the
// extent, mip levels, layers and samples asked for (section "Image Creation Limits").
std::string whyOutsideLimits(const VkImageCreateInfo& info, const VkImageFormatProperties& limits) {
  const VkExtent3D& e = info.extent;
  // VUID-VkImageCreateInfo-extent-00944, -00945, -00946, -mipLevels-00947, -arrayLayers-00948.
  if (!e.width || !e.height || !e.depth || !info.mipLevels || !info.arrayLayers)
    return "extent, mipLevels and arrayLayers must all be at least 1";
  // VUID-VkImageCreateInfo-extent-02252, -02253, -02254.
  if (e.width > limits.maxExtent.width || e.height > limits.maxExtent.height ||
      e.depth > limits.maxExtent.depth)
    return concat("extent ", e.width, "x", e.height, "x", e.depth, " exceeds ",
                  limits.maxExtent.width, "x", limits.maxExtent.height, "x",
                  limits.maxExtent.depth);
  // VUID-VkImageCreateInfo-mipLevels-00958: no more levels than the full chain of this extent.
  const uint32_t chain = std::bit_width(std::max({e.width, e.height, e.depth}));
  if (info.mipLevels > chain)
    return concat(info.mipLevels, " mip levels exceed the chain of ", chain);
  // VUID-VkImageCreateInfo-arrayLayers-02256.
  if (info.arrayLayers > limits.maxArrayLayers)
    return concat(info.arrayLayers, " array layers exceed ", limits.maxArrayLayers);
  // VUID-VkImageCreateInfo-samples-02258.
  if (!(info.samples & limits.sampleCounts))
    return concat(info.samples, " samples per texel are not supported (emvk has one)");
  return {};
}

memory::ImageShape shapeOf(const VkImageCreateInfo& info, const FormatInfo& format) {
  memory::ImageShape shape;
  shape.planeCount = format.planeCount;
  shape.texelSize = {format.texelSize[0], format.texelSize[1]};
  shape.width = info.extent.width;
  shape.height = info.extent.height;
  shape.depth = info.extent.depth;
  shape.mipLevels = info.mipLevels;
  shape.arrayLayers = info.arrayLayers;
  return shape;
}

}  // namespace

ImageDescription ImageDescription::from(const VkImageCreateInfo& i) {
  return {i.flags,   i.imageType, i.format, i.extent,      i.mipLevels,    i.arrayLayers,
          i.samples, i.tiling,    i.usage,  i.sharingMode, i.initialLayout};
}

Result<std::unique_ptr<Image>> Image::create(Device& device, const VkImageCreateInfo& info) {
  auto limits = imageFormatLimits(
      device.physicalDevice(), {info.format, info.imageType, info.tiling, info.usage, info.flags});
  if (!limits) return limits.error();
  if (std::string why = whyOutsideLimits(info, limits.value()); !why.empty()) return refuse(why);

  const FormatInfo& format = *findFormat(info.format);
  memory::ImageLayout layout = memory::ImageLayout::compute(shapeOf(info, format));
  if (layout.size() > device.physicalDevice().heapSize())
    return Error{VK_ERROR_OUT_OF_DEVICE_MEMORY,
                 concat("the image needs ", layout.size(), " bytes, more than the heap's ",
                        device.physicalDevice().heapSize())};

  // The handle types the memory may come from; they change nothing in the layout, but a type the
  // image-format query calls unsupported is refused here, with the reason.
  auto image = std::make_unique<Image>(ImageDescription::from(info), format, std::move(layout));
  if (const auto* external = findInChain<VkExternalMemoryImageCreateInfo>(info.pNext)) {
    const VkExternalMemoryHandleTypeFlags unsupported =
        external->handleTypes & ~(kExportableMemoryTypes | kHostPointerTypes);
    if (unsupported)
      return refuse(concat("VkExternalMemoryImageCreateInfo names handle types 0x", std::hex,
                           unsupported,
                           " that emvk cannot import or export (it shares OPAQUE_FD memory)"));
    image->externalHandleTypes_ = external->handleTypes;
  }
  if (const auto* nv = findInChain<VkExternalMemoryImageCreateInfoNV>(info.pNext)) {
    // Every NV handle type is a Win32 handle: none can back an image on Linux
    // (vkGetPhysicalDeviceExternalImageFormatPropertiesNV answers VK_ERROR_FORMAT_NOT_SUPPORTED).
    if (nv->handleTypes)
      return refuse(concat("VkExternalMemoryImageCreateInfoNV names Win32 handle types 0x",
                           std::hex, nv->handleTypes,
                           ", which do not exist on Linux; share images with "
                           "VK_KHR_external_memory_fd (docs/EXTERNAL_MEMORY.md)"));
    image->externalHandleTypesNV_ = nv->handleTypes;
  }
  return image;
}

VkMemoryRequirements Image::requirements() const {
  VkMemoryRequirements r{};
  r.size = layout_.size();  // the whole layout: there is no padding it does not report
  r.alignment = layout_.alignment();
  r.memoryTypeBits = 0b11;  // both memory types are the same host memory
  return r;
}

uint8_t* Image::data() const { return memory_->data() + offset_; }

}  // namespace emvk

using namespace emvk;

namespace {

VkResult bindImage(Image* image, DeviceMemory* memory, VkDeviceSize offset) {
  if (VkResult r = memory->checkBinding(image->requirements(), offset, logObject(image),
                                        "vkBindImageMemory");
      r != VK_SUCCESS)
    return r;
  image->bind(memory, offset);
  return VK_SUCCESS;
}

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateImage(VkDevice device,
                                                const VkImageCreateInfo* pCreateInfo,
                                                const VkAllocationCallbacks*, VkImage* pImage) {
  Device* d = fromHandle(device);
  auto image = Image::create(*d, *pCreateInfo);
  if (!image) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateImage: ", image.error().why);
    return image.error().code;
  }
  *pImage = release<VkImage>(image.take());
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyImage(VkDevice, VkImage image,
                                             const VkAllocationCallbacks*) {
  reclaim(image);
}

VKAPI_ATTR void VKAPI_CALL emvk_GetImageMemoryRequirements(VkDevice, VkImage image,
                                                           VkMemoryRequirements* pRequirements) {
  *pRequirements = fromHandle(image)->requirements();
}

VKAPI_ATTR void VKAPI_CALL emvk_GetImageMemoryRequirements2(
    VkDevice, const VkImageMemoryRequirementsInfo2* pInfo, VkMemoryRequirements2* pRequirements) {
  pRequirements->memoryRequirements = fromHandle(pInfo->image)->requirements();
  if (auto* dedicated = findInChain<VkMemoryDedicatedRequirements>(pRequirements->pNext)) {
    // Images gain nothing from an allocation of their own on a CPU (yet).
    dedicated->prefersDedicatedAllocation = VK_FALSE;
    dedicated->requiresDedicatedAllocation = VK_FALSE;
  }
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_BindImageMemory(VkDevice, VkImage image, VkDeviceMemory memory,
                                                    VkDeviceSize offset) {
  return bindImage(fromHandle(image), fromHandle(memory), offset);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_BindImageMemory2(VkDevice, uint32_t count,
                                                     const VkBindImageMemoryInfo* pInfos) {
  for (uint32_t i = 0; i < count; ++i) {
    const VkResult r = bindImage(fromHandle(pInfos[i].image), fromHandle(pInfos[i].memory),
                                 pInfos[i].memoryOffset);
    if (r != VK_SUCCESS) return r;
  }
  return VK_SUCCESS;
}

// The spec defines this for LINEAR images only (VUID-vkGetImageSubresourceLayout-image-07789).
// emvk also answers for OPTIMAL ones, whose layout is the same in layout ABI 1: a guarantee of
// emvk's, beyond the spec, that tools and tests may rely on (docs/IMAGE_LAYOUT.md).
VKAPI_ATTR void VKAPI_CALL emvk_GetImageSubresourceLayout(VkDevice, VkImage imageHandle,
                                                          const VkImageSubresource* pSubresource,
                                                          VkSubresourceLayout* pLayout) {
  const Image* image = fromHandle(imageHandle);
  const ImageDescription& d = image->description();
  // VUID-vkGetImageSubresourceLayout-mipLevel-01716 and -arrayLayer-01717.
  if (pSubresource->mipLevel >= d.mipLevels || pSubresource->arrayLayer >= d.arrayLayers) {
    *pLayout = {};
    return;
  }
  const memory::SubresourceLayout s = image->subresource(
      pSubresource->aspectMask, pSubresource->mipLevel, pSubresource->arrayLayer);
  *pLayout = {s.offset, s.size, s.rowPitch, s.arrayPitch, s.depthPitch};
}

VKAPI_ATTR void VKAPI_CALL emvk_GetImageSparseMemoryRequirements(VkDevice, VkImage,
                                                                 uint32_t* pCount,
                                                                 VkSparseImageMemoryRequirements*) {
  *pCount = 0;  // sparse images cannot be created
}

VKAPI_ATTR void VKAPI_CALL
emvk_GetImageSparseMemoryRequirements2(VkDevice, const VkImageSparseMemoryRequirementsInfo2*,
                                       uint32_t* pCount, VkSparseImageMemoryRequirements2*) {
  *pCount = 0;
}
