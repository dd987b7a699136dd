// The state behind a semaphore or fence: a 64-bit value and a futex word in one 4 KiB page.
//
// A local object keeps its page in anonymous memory; an exportable one keeps it in a sealed memfd
// that other instances and processes map too, so a signal in one process wakes waiters in another
// through the same futex word (non-private futex operations on a MAP_SHARED page). The page starts
// with a versioned header naming the build, like exported memory's identity record, and lists the
// processes attached to it so that a waiter can tell when no peer is left to signal.
#pragma once
#include <atomic>
#include <cstdint>

#include "memory/result.hpp"
#include "memory/unique_fd.hpp"

namespace emvk::memory {

enum class SyncKind : uint32_t { BinarySemaphore = 1, TimelineSemaphore = 2, Fence = 3 };

struct SyncPayload {
  static constexpr char kMagic[8] = {'E', 'M', 'V', 'K', 'S', 'Y', 'N', '1'};
  static constexpr uint32_t kVersion = 1;
  static constexpr int kMaxProcesses = 64;

  char magic[8];
  uint32_t version;
  SyncKind kind;
  uint8_t driverUUID[16];
  std::atomic<uint64_t> value;     // timeline counter; 0/1 for binary semaphores and fences
  std::atomic<uint32_t> epoch;     // futex word: bumped by every change of `value`
  std::atomic<uint32_t> sleepers;  // threads (of any process) asleep on `epoch`
  std::atomic<int32_t> processes[kMaxProcesses];  // pids attached; 0 = free slot
  // For EMVK_TRACE's arrows from a signal to the wait it releases, in whichever process: a random
  // name for this payload, and how many times a binary payload was signalled and consumed (the
  // k-th wait takes the k-th signal, VUID-vkQueueSubmit-pWaitSemaphores-03238).
  uint64_t traceName;
  std::atomic<uint64_t> binarySignals;
  std::atomic<uint64_t> binaryAcquires;
};
static_assert(sizeof(SyncPayload) <= 4096);
static_assert(std::atomic<uint64_t>::is_always_lock_free &&
                  std::atomic<uint32_t>::is_always_lock_free,
              "the page is shared between processes: its atomics must be lock-free");

class SyncPage {
 public:
  static Result<SyncPage> createLocal(SyncKind kind, uint64_t initial);
  static Result<SyncPage> createShared(SyncKind kind, uint64_t initial, const uint8_t* driverUUID);
  // Validates an exported payload before mapping it; the fd is owned on success, untouched on
  // failure.
  static Result<SyncPage> import(int fd, SyncKind kind, const uint8_t* driverUUID);

  SyncPage(SyncPage&& other) noexcept;
  SyncPage& operator=(SyncPage&& other) noexcept;
  SyncPage(const SyncPage&) = delete;
  ~SyncPage();

  SyncPayload& payload() const { return *payload_; }
  bool shared() const { return static_cast<bool>(fd_); }
  Result<int> exportFd() const;

  // Wakes every sleeper after a change of the value.
  void notify() const;
  // Sleeps until the epoch moves away from `seen` or `timeoutNs` passes (spurious wakes happen).
  void sleep(uint32_t seen, int64_t timeoutNs) const;
  // True if some process other than this one is attached and still alive.
  bool peerAlive() const;

 private:
  SyncPage(SyncPayload* payload, UniqueFd fd);
  void release();
  SyncPayload* payload_ = nullptr;
  UniqueFd fd_;
};

}  // namespace emvk::memory
