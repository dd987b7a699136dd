// VkFence: a payload page (memory::SyncPage) whose value the queue sets to 1 when a submission
// completes. An exportable fence keeps its page in a memfd that another instance or process
// imports (VK_KHR_external_fence_fd, opaque fds).
#pragma once
#include <atomic>
#include <optional>

#include "device/object.hpp"
#include "device/sync_wait.hpp"
#include "memory/sync_file.hpp"
#include "memory/sync_payload.hpp"

namespace emvk {

class Device;

class Fence : public Object {
 public:
  Fence(Device& device, memory::SyncPage page)
      : Object(VK_OBJECT_TYPE_FENCE), device_(device), page_(std::move(page)) {}
  ~Fence();

  bool signaled() const {
    if (syncFile_) return syncFile_->signaled();
    return active().payload().value.load(std::memory_order_acquire) != 0;
  }
  // Signalled from outside this process's reach (another process, a sync file): multi-fence
  // waits must look again now and then instead of sleeping on the device's board.
  bool needsPolling() const { return syncFile_ || active().shared(); }
  void signal();
  void reset();
  WaitStatus wait(Clock::time_point deadline) const;

  const memory::SyncPage& permanent() const { return page_; }
  const memory::SyncPage& active() const { return temporary_ ? *temporary_ : page_; }
  // vkImportFenceFdKHR: permanent, or temporary until the next vkResetFences.
  void import(memory::SyncPage page, bool temporary);
  void import(memory::SyncFile file) { syncFile_ = std::move(file); }

 private:
  Device& device_;
  // Signals in progress. A waiter may see the fence signalled and destroy it while the signalling
  // thread is still waking others through its page: destruction waits for those to finish.
  std::atomic<uint32_t> signalling_{0};
  memory::SyncPage page_;
  std::optional<memory::SyncPage> temporary_;
  std::optional<memory::SyncFile> syncFile_;  // a temporarily imported SYNC_FD payload
};
EMVK_DEFINE_HANDLE(Fence, VkFence, VK_OBJECT_TYPE_FENCE)

}  // namespace emvk
