// VkSemaphore, binary or timeline. Its state is a memory::SyncPage: a 64-bit payload (a timeline's
// counter, or 1/0 for a signalled/unsignalled binary semaphore, consumed by the one wait that
// follows a signal) and a futex word. An exportable semaphore keeps its page in a memfd that other
// instances and processes import (VK_KHR_external_semaphore_fd, opaque fds).
#pragma once
#include "device/object.hpp"
#include "device/sync_payload_slot.hpp"

namespace emvk {

class Device;

class Semaphore : public Object {
 public:
  Semaphore(Device& device, VkSemaphoreType type, memory::SyncPage page)
      : Object(VK_OBJECT_TYPE_SEMAPHORE), device_(device), type_(type), payload_(std::move(page)) {}

  bool timeline() const { return type_ == VK_SEMAPHORE_TYPE_TIMELINE; }
  memory::SyncKind kind() const;
  uint64_t value() const { return payload_.page().payload().value.load(std::memory_order_acquire); }
  // Signals; returns the id EMVK_TRACE gives the arrow from this signal to the wait it releases.
  uint64_t signal(uint64_t value);  // value is ignored for binary semaphores
  // A queue's wait: true if it may go on. Binary semaphores are consumed here, and so is a
  // temporarily imported payload (the permanent one is back after the wait). `flow` receives the
  // id of the signal's arrow.
  bool tryAcquire(uint64_t value, uint64_t* flow = nullptr);
  // Waits until tryAcquire(value) succeeds.
  WaitStatus wait(uint64_t value, Clock::time_point deadline, uint64_t* flow = nullptr);

  SyncPayloadSlot& payload() { return payload_; }
  const SyncPayloadSlot& payload() const { return payload_; }

 private:
  // The same number in every process that shares the payload (a timeline value, or the ordinal of
  // a binary signal), below 2^53 so that JavaScript viewers read it exactly.
  uint64_t flowId(uint64_t valueOrOrdinal) const;

  Device& device_;
  VkSemaphoreType type_;
  SyncPayloadSlot payload_;
};
EMVK_DEFINE_HANDLE(Semaphore, VkSemaphore, VK_OBJECT_TYPE_SEMAPHORE)

}  // namespace emvk
