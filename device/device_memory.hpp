// VkDeviceMemory: a memory::Allocation plus the Vulkan rules around it (one host mapping at a time,
// which handle types it may be exported as, what it was dedicated to).
#pragma once
#include <atomic>

#include "device/log.hpp"
#include "device/object.hpp"
#include "memory/allocation.hpp"

namespace emvk {

class Device;

class DeviceMemory : public Object {
 public:
  DeviceMemory(Device& device, memory::Allocation allocation, uint32_t typeIndex,
               VkExternalMemoryHandleTypeFlags exportTypes)
      : Object(VK_OBJECT_TYPE_DEVICE_MEMORY),
        device_(device),
        allocation_(std::move(allocation)),
        typeIndex_(typeIndex),
        exportTypes_(exportTypes) {}

  ~DeviceMemory();
  // Counts the allocation and puts it in the EMVK_TRACE timeline.
  void traceAllocation() const;

  uint8_t* data() const { return allocation_.data(); }
  uint64_t size() const { return allocation_.size(); }
  uint32_t typeIndex() const { return typeIndex_; }
  Device& device() const { return device_; }
  const memory::Allocation& allocation() const { return allocation_; }
  // Handle types vkGetMemoryFdKHR may export it as (from VkExportMemoryAllocateInfo, or
  // OPAQUE_FD for memory that was itself imported from an opaque fd).
  VkExternalMemoryHandleTypeFlags exportTypes() const { return exportTypes_; }
  // Shared with something outside this device: exportable, or imported.
  bool external() const { return allocation_.backing() != memory::Backing::Anonymous; }

  VkResult map(uint64_t offset, uint64_t size, void** ppData);
  // vkBind{Buffer,Image}Memory(2): a resource needing `r` fits at `offset`? If not, says so
  // (naming `call` and the resource) and returns the error; later copies could otherwise write
  // past the end of the allocation.
  VkResult checkBinding(const VkMemoryRequirements& r, VkDeviceSize offset, LogObject resource,
                        const char* call) const;
  void unmap() { mapped_.store(false, std::memory_order_release); }

 private:
  Device& device_;
  memory::Allocation allocation_;
  uint32_t typeIndex_;
  VkExternalMemoryHandleTypeFlags exportTypes_;
  std::atomic<bool> mapped_{false};
};
EMVK_DEFINE_HANDLE(DeviceMemory, VkDeviceMemory, VK_OBJECT_TYPE_DEVICE_MEMORY)

// True while this process holds exportable or imported memory (an emvk memfd others may map).
bool processHoldsSharedMemory();

}  // namespace emvk
