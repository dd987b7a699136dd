#include "device/buffer.hpp"

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "icd/pnext.hpp"

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

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateBufferView(VkDevice,
                                                     const VkBufferViewCreateInfo* pCreateInfo,
                                                     const VkAllocationCallbacks*,
                                                     VkBufferView* pView) {
  // A view only records its range and format; shaders read texel buffers once the JIT lands
  // (issue 4), and until then no format reports texel-buffer features
  // (VUID-VkBufferViewCreateInfo-buffer-00933), so the validation layers flag any use.
  *pView = release<VkBufferView>(std::make_unique<BufferView>(*pCreateInfo));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyBufferView(VkDevice, VkBufferView view,
                                                  const VkAllocationCallbacks*) {
  reclaim(view);
}
