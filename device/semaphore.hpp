// VkSemaphore, binary or timeline. Its state is a memory::SyncPage: a 64-bit payload (a timeline's
// counter, or 1/0 for a signalled/unsignalled binary semaphore, consumed by the one wait that
// follows a signal) and a futex word. An exportable semaphore keeps its page in a memfd that other
// instances and processes import (VK_KHR_external_semaphore_fd, opaque fds).
#pragma once
#include <atomic>
#include <optional>

#include "device/object.hpp"
#include "device/sync_wait.hpp"
#include "memory/sync_file.hpp"
#include "memory/sync_payload.hpp"

namespace emvk {

class Device;

class Semaphore : public Object {
 public:
  Semaphore(Device& device, VkSemaphoreType type, memory::SyncPage page)
      : Object(VK_OBJECT_TYPE_SEMAPHORE), device_(device), type_(type), page_(std::move(page)) {}
  ~Semaphore();

  bool timeline() const { return type_ == VK_SEMAPHORE_TYPE_TIMELINE; }
  memory::SyncKind kind() const;
  uint64_t value() const { return active().payload().value.load(std::memory_order_acquire); }
  void signal(uint64_t value);  // value is ignored for binary semaphores
  // A queue's wait: true if it may go on. Binary semaphores are consumed here.
  bool tryAcquire(uint64_t value);
  // Waits until tryAcquire(value) succeeds.
  WaitStatus wait(uint64_t value, Clock::time_point deadline);

  const memory::SyncPage& permanent() const { return page_; }
  // vkImportSemaphoreFdKHR: a permanent import replaces the payload; a temporary one (binary
  // semaphores) stands in until the next wait consumes it. A sync file is always temporary.
  void import(memory::SyncPage page, bool temporary);
  void import(memory::SyncFile file) { syncFile_ = std::move(file); }

 private:
  const memory::SyncPage& active() const { return temporary_ ? *temporary_ : page_; }
  Device& device_;
  VkSemaphoreType type_;
  // Signals in progress: a waiter that saw the value may destroy the semaphore while the signalling
  // thread is still waking others through its page, so destruction waits for them (see Fence).
  std::atomic<uint32_t> signalling_{0};
  memory::SyncPage page_;
  std::optional<memory::SyncPage> temporary_;
  std::optional<memory::SyncFile> syncFile_;  // a temporarily imported SYNC_FD payload
};
EMVK_DEFINE_HANDLE(Semaphore, VkSemaphore, VK_OBJECT_TYPE_SEMAPHORE)

}  // namespace emvk
