#include "device/device_memory.hpp"

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "icd/pnext.hpp"

namespace emvk {

VkResult DeviceMemory::map(uint64_t offset, uint64_t size, void** ppData) {
  // VUID-vkMapMemory-memory-00678: memory must not be mapped already. Real drivers return garbage
  // or crash here; emvk says so and fails cleanly.
  bool expected = false;
  if (!mapped_.compare_exchange_strong(expected, true)) {
    EMVK_LOG(&device_.instance(), Error, logObject(this),
             "vkMapMemory: memory is already mapped (VUID-vkMapMemory-memory-00678)");
    return VK_ERROR_MEMORY_MAP_FAILED;
  }
  // VUID-vkMapMemory-offset-00679 / size-00681: the range lies inside the allocation.
  if (offset >= this->size() || (size != VK_WHOLE_SIZE && size > this->size() - offset)) {
    mapped_.store(false);
    EMVK_LOG(&device_.instance(), Error, logObject(this), "vkMapMemory: range [", offset, ", +",
             size, ") is outside the allocation of ", this->size(), " bytes");
    return VK_ERROR_MEMORY_MAP_FAILED;
  }
  *ppData = data() + offset;
  return VK_SUCCESS;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_AllocateMemory(VkDevice device,
                                                   const VkMemoryAllocateInfo* pAllocateInfo,
                                                   const VkAllocationCallbacks*,
                                                   VkDeviceMemory* pMemory) {
  Device* d = fromHandle(device);
  const PhysicalDevice& pd = d->physicalDevice();
  // VUID-vkAllocateMemory-pAllocateInfo-01714: the type index names one of the reported types.
  if (pAllocateInfo->memoryTypeIndex >= pd.memoryProperties().memoryTypeCount) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkAllocateMemory: memory type ",
             pAllocateInfo->memoryTypeIndex, " does not exist");
    return VK_ERROR_OUT_OF_DEVICE_MEMORY;
  }
  auto allocation = memory::Allocation::create(pAllocateInfo->allocationSize,
                                               memory::Backing::Anonymous, pd.heapSize());
  if (!allocation) {
    EMVK_LOG(&d->instance(), Error, logObject(d),
             "vkAllocateMemory failed: ", allocation.error().why);
    return allocation.error().code;
  }
  auto memory =
      std::make_unique<DeviceMemory>(*d, allocation.take(), pAllocateInfo->memoryTypeIndex);
  *pMemory = release<VkDeviceMemory>(std::move(memory));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_FreeMemory(VkDevice, VkDeviceMemory memory,
                                           const VkAllocationCallbacks*) {
  reclaim(memory);  // an outstanding mapping goes with it (vkFreeMemory unmaps implicitly)
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_MapMemory(VkDevice, VkDeviceMemory memory, VkDeviceSize offset,
                                              VkDeviceSize size, VkMemoryMapFlags, void** ppData) {
  return fromHandle(memory)->map(offset, size, ppData);
}

VKAPI_ATTR void VKAPI_CALL emvk_UnmapMemory(VkDevice, VkDeviceMemory memory) {
  fromHandle(memory)->unmap();
}

// All of emvk's memory is host-coherent: the device *is* the host, so there is nothing to flush.
VKAPI_ATTR VkResult VKAPI_CALL emvk_FlushMappedMemoryRanges(VkDevice, uint32_t,
                                                            const VkMappedMemoryRange*) {
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_InvalidateMappedMemoryRanges(VkDevice, uint32_t,
                                                                 const VkMappedMemoryRange*) {
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_GetDeviceMemoryCommitment(VkDevice, VkDeviceMemory memory,
                                                          VkDeviceSize* pCommitted) {
  // No type is LAZILY_ALLOCATED; the whole size counts as committed.
  *pCommitted = fromHandle(memory)->size();
}
