// What a fence or a semaphore holds: its own payload page and, for a while, a temporarily imported
// payload that stands in for it (another page, or a sync file), plus the guard that keeps the
// object alive while a signal is still waking waiters. Fence and Semaphore differ only in what
// their value means; the payload plumbing is this one class.
#pragma once
#include <atomic>
#include <optional>

#include "device/sync_wait.hpp"
#include "memory/sync_file.hpp"
#include "memory/sync_payload.hpp"

namespace emvk {

class SyncPayloadSlot {
 public:
  explicit SyncPayloadSlot(memory::SyncPage page) : permanent_(std::move(page)) {}
  // A waiter may see the object signalled and destroy it while the signalling thread is still
  // waking others through its page: destruction waits for such signals to finish.
  ~SyncPayloadSlot() {
    while (signalling_.load(std::memory_order_acquire) != 0) spinStep(2048);
  }

  const memory::SyncPage& permanent() const { return permanent_; }
  // The page signals and waits use: a temporarily imported one, else the object's own.
  const memory::SyncPage& page() const { return temporary_ ? *temporary_ : permanent_; }
  const memory::SyncFile* syncFile() const { return syncFile_ ? &*syncFile_ : nullptr; }
  // Changed by something this process's device board never hears of (another process, a sync
  // file): waits on several objects must look again now and then.
  bool needsPolling() const { return syncFile_ || page().shared(); }
  // Shared with other processes that have all exited: only this process could still signal it.
  bool abandoned() const { return !syncFile_ && page().shared() && !page().peerAlive(); }

  // Imports (section "Importing Semaphore/Fence Payloads"): permanent ones replace the payload,
  // temporary ones stand in until dropTemporary(); sync files are always temporary.
  void import(memory::SyncPage page, bool temporary);
  void import(memory::SyncFile file) { syncFile_ = std::move(file); }
  // The body of vkImportSemaphoreFdKHR and vkImportFenceFdKHR: a sync file (`syncFd`; always
  // temporary, -1 meaning already signalled) or an opaque fd of an emvk payload page of `kind`.
  // On failure the error says why and the fd is still the application's.
  Result<bool> importFd(int fd, bool syncFd, memory::SyncKind kind, bool temporary);
  // Ends a temporary import: the permanent payload is back. False if there was none.
  bool dropTemporary();

  // Waits until ready() holds: on the page's futex word, or by polling a sync file.
  template <class Ready>
  WaitStatus wait(Ready ready, Clock::time_point deadline) const {
    if (!syncFile_) return waitOnPage(page(), ready, deadline);
    for (;;) {
      if (ready()) return WaitStatus::Ready;
      const auto left =
          std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now()).count();
      if (left <= 0) return WaitStatus::Timeout;
      // ready() may have dropped the sync file: look again before touching it.
      if (syncFile_) syncFile_->wait(std::min<int64_t>(left, kPeerCheckNs));
    }
  }

  // Held while a signal is in progress (see the destructor).
  class Signalling {
   public:
    explicit Signalling(SyncPayloadSlot& slot) : slot_(slot) {
      slot_.signalling_.fetch_add(1, std::memory_order_acq_rel);
    }
    ~Signalling() {
      slot_.signalling_.fetch_sub(1, std::memory_order_release);
    }  // the object's last touch

   private:
    SyncPayloadSlot& slot_;
  };

 private:
  std::atomic<uint32_t> signalling_{0};
  memory::SyncPage permanent_;
  std::optional<memory::SyncPage> temporary_;
  std::optional<memory::SyncFile> syncFile_;
};

}  // namespace emvk
