#include "device/buffer.hpp"

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "icd/pnext.hpp"
#include "jit/texel_formats.hpp"

namespace emvk {

Buffer::Buffer(const VkBufferCreateInfo& info)
    : Object(VK_OBJECT_TYPE_BUFFER), size_(info.size), usage_(info.usage), flags_(info.flags) {
  if (auto* external = findInChain<VkExternalMemoryBufferCreateInfo>(info.pNext))
    externalHandleTypes_ = external->handleTypes;
}

VkMemoryRequirements Buffer::requirements() const {
  VkMemoryRequirements r{};
  r.size = (size_ + kAlignment - 1) / kAlignment * kAlignment;
  r.alignment = kAlignment;
  r.memoryTypeBits = 0b11;  // both memory types are the same host memory
  return r;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateBuffer(VkDevice device,
                                                 const VkBufferCreateInfo* pCreateInfo,
                                                 const VkAllocationCallbacks*, VkBuffer* pBuffer) {
  // Sparse buffers need sparseBinding, which emvk does not report.
  if (pCreateInfo->flags & (VK_BUFFER_CREATE_SPARSE_BINDING_BIT | VK_BUFFER_CREATE_PROTECTED_BIT)) {
    EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(fromHandle(device)),
             "vkCreateBuffer: sparse and protected buffers are not supported");
    return VK_ERROR_FEATURE_NOT_PRESENT;
  }
  *pBuffer = release<VkBuffer>(std::make_unique<Buffer>(*pCreateInfo));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyBuffer(VkDevice, VkBuffer buffer,
                                              const VkAllocationCallbacks*) {
  reclaim(buffer);
}

VKAPI_ATTR void VKAPI_CALL emvk_GetBufferMemoryRequirements(VkDevice, VkBuffer buffer,
                                                            VkMemoryRequirements* pRequirements) {
  *pRequirements = fromHandle(buffer)->requirements();
}

VKAPI_ATTR void VKAPI_CALL emvk_GetBufferMemoryRequirements2(
    VkDevice, const VkBufferMemoryRequirementsInfo2* pInfo, VkMemoryRequirements2* pRequirements) {
  pRequirements->memoryRequirements = fromHandle(pInfo->buffer)->requirements();
  if (auto* dedicated = findInChain<VkMemoryDedicatedRequirements>(pRequirements->pNext)) {
    // Buffers share allocations freely on a CPU; nothing gains from a dedicated one.
    dedicated->prefersDedicatedAllocation = VK_FALSE;
    dedicated->requiresDedicatedAllocation = VK_FALSE;
  }
}

namespace {

VkResult bindBuffer(Buffer* buffer, DeviceMemory* memory, VkDeviceSize offset) {
  if (VkResult r = memory->checkBinding(buffer->requirements(), offset, logObject(buffer),
                                        "vkBindBufferMemory");
      r != VK_SUCCESS)
    return r;
  buffer->bind(memory, offset);
  return VK_SUCCESS;
}

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL emvk_BindBufferMemory(VkDevice, VkBuffer buffer,
                                                     VkDeviceMemory memory, VkDeviceSize offset) {
  return bindBuffer(fromHandle(buffer), fromHandle(memory), offset);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_BindBufferMemory2(VkDevice, uint32_t count,
                                                      const VkBindBufferMemoryInfo* pInfos) {
  for (uint32_t i = 0; i < count; ++i)
    if (VkResult r = bindBuffer(fromHandle(pInfos[i].buffer), fromHandle(pInfos[i].memory),
                                pInfos[i].memoryOffset);
        r != VK_SUCCESS)
      return r;
  return VK_SUCCESS;
}

namespace {

// Why a buffer view breaks a rule emvk relies on, or "". `range` gets the view's bytes.
std::string whyViewRefused(const PhysicalDevice& physical, const Buffer& buffer,
                           const VkBufferViewCreateInfo& info, VkDeviceSize& range) {
  const jit::TexelBufferFormat* format = jit::findTexelBufferFormat(info.format);
  // The reported limits and format features: a profile (EMVK_PROFILE) may have narrowed them.
  const VkPhysicalDeviceLimits& limits = physical.properties().limits;
  const VkFormatFeatureFlags features = physical.formatProperties(info.format).bufferFeatures;
  // VUID-VkBufferViewCreateInfo-buffer-00933 and -00934: the format must have the texel buffer
  // features of the buffer's usage.
  if (!format) return concat("format ", info.format, " has no texel buffer features");
  if ((buffer.usage() & VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT) &&
      !(features & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT))
    return concat("format ", info.format, " has no UNIFORM_TEXEL_BUFFER feature",
                  physical.profile() ? " (the profile may have removed it)" : "");
  if ((buffer.usage() & VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT) &&
      !(features & VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT))
    return concat("format ", info.format, " has no STORAGE_TEXEL_BUFFER feature",
                  physical.profile() ? " (the profile may have removed it)" : "");
  // VUID-VkBufferViewCreateInfo-offset-00925 and -02749.
  if (info.offset >= buffer.size()) return "offset is not inside the buffer";
  if (info.offset % limits.minTexelBufferOffsetAlignment)
    return concat("offset ", info.offset, " is not a multiple of minTexelBufferOffsetAlignment");
  range = info.range;
  if (range == VK_WHOLE_SIZE) {
    // Section "Buffer Views": the texels that fit from offset to the end of the buffer.
    range = (buffer.size() - info.offset) / format->texelSize * format->texelSize;
  } else if (range == 0 || range % format->texelSize) {
    // VUID-VkBufferViewCreateInfo-range-00928 and -00929.
    return concat("range ", range, " is not a positive multiple of the texel size ",
                  uint32_t(format->texelSize));
  } else if (info.offset + range > buffer.size()) {
    // VUID-VkBufferViewCreateInfo-offset-00931.
    return "offset + range is past the end of the buffer";
  }
  // VUID-VkBufferViewCreateInfo-range-00930 and -04059.
  if (range / format->texelSize > limits.maxTexelBufferElements)
    return concat("the view has more than maxTexelBufferElements texels");
  return "";
}

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateBufferView(VkDevice device,
                                                     const VkBufferViewCreateInfo* pCreateInfo,
                                                     const VkAllocationCallbacks*,
                                                     VkBufferView* pView) {
  Buffer* buffer = fromHandle(pCreateInfo->buffer);
  VkDeviceSize range = 0;
  const PhysicalDevice& physical = fromHandle(device)->physicalDevice();
  if (std::string why = whyViewRefused(physical, *buffer, *pCreateInfo, range); !why.empty()) {
    // Invalid usage: emvk says why and refuses rather than keep a view that points outside.
    EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(buffer),
             "vkCreateBufferView: ", why);
    return VK_ERROR_FORMAT_NOT_SUPPORTED;
  }
  *pView = release<VkBufferView>(
      std::make_unique<BufferView>(*buffer, pCreateInfo->format, pCreateInfo->offset, range));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyBufferView(VkDevice, VkBufferView view,
                                                  const VkAllocationCallbacks*) {
  reclaim(view);
}
