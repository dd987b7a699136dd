// VkSemaphore, binary or timeline. Both are a 64-bit payload: a timeline's counter, or for a binary
// semaphore 1 (signalled) / 0 (unsignalled), consumed by the one wait that follows a signal.
#pragma once
#include <atomic>
#include <cstdint>

#include "device/object.hpp"

namespace emvk {

class Device;

class Semaphore : public Object {
 public:
  Semaphore(Device& device, VkSemaphoreType type, uint64_t initialValue)
      : Object(VK_OBJECT_TYPE_SEMAPHORE), device_(device), type_(type), value_(initialValue) {}

  bool timeline() const { return type_ == VK_SEMAPHORE_TYPE_TIMELINE; }
  uint64_t value() const { return value_.load(std::memory_order_acquire); }
  void signal(uint64_t value);  // value is ignored for binary semaphores
  // A queue's wait: true if it may go on. Binary semaphores are consumed here.
  bool tryAcquire(uint64_t value);

 private:
  Device& device_;
  VkSemaphoreType type_;
  std::atomic<uint64_t> value_;
};
EMVK_DEFINE_HANDLE(Semaphore, VkSemaphore, VK_OBJECT_TYPE_SEMAPHORE)

}  // namespace emvk
