// VkFence: one word the queue sets when a submission completes; the host waits on the device's
// signal board until it is set.
#pragma once
#include <atomic>

#include "device/object.hpp"

namespace emvk {

class Device;

class Fence : public Object {
 public:
  Fence(Device& device, bool signaled)
      : Object(VK_OBJECT_TYPE_FENCE), device_(device), signaled_(signaled) {}
  bool signaled() const { return signaled_.load(std::memory_order_acquire); }
  void signal();
  void reset() { signaled_.store(false, std::memory_order_release); }

 private:
  Device& device_;
  std::atomic<bool> signaled_;
};
EMVK_DEFINE_HANDLE(Fence, VkFence, VK_OBJECT_TYPE_FENCE)

}  // namespace emvk
