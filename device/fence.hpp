// VkFence: a payload page (memory::SyncPage) whose value the queue sets to 1 when a submission
// completes. An exportable fence keeps its page in a memfd that another instance or process
// imports (VK_KHR_external_fence_fd, opaque fds).
#pragma once
#include "device/object.hpp"
#include "device/sync_payload_slot.hpp"

namespace emvk {

class Device;

class Fence : public Object {
 public:
  Fence(Device& device, memory::SyncPage page)
      : Object(VK_OBJECT_TYPE_FENCE), device_(device), payload_(std::move(page)) {}

  bool signaled() const {
    if (const memory::SyncFile* file = payload_.syncFile()) return file->signaled();
    return payload_.page().payload().value.load(std::memory_order_acquire) != 0;
  }
  void signal();
  void reset();
  WaitStatus wait(Clock::time_point deadline) const;

  SyncPayloadSlot& payload() { return payload_; }
  const SyncPayloadSlot& payload() const { return payload_; }

 private:
  Device& device_;
  SyncPayloadSlot payload_;
};
EMVK_DEFINE_HANDLE(Fence, VkFence, VK_OBJECT_TYPE_FENCE)

}  // namespace emvk
