// How waiting works in emvk. Every fence, semaphore, event and query of a device, when it changes,
// bumps one futex word of the device and wakes whoever sleeps on it; a waiter re-checks its own
// condition after each wake. One word for all keeps "wait for any of these fences" and "wait until
// this timeline reaches 5" the same small loop, at the price of waking unrelated waiters now and
// then (they check and sleep again).
//
// Latency: sleeping and being woken costs tens of microseconds on a VM (../docs/PERFORMANCE.md),
// far more than the work of a small submission, so waiters first spin for a short while
// (EMVK_SPIN_US, default 50 µs) before they sleep.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

namespace emvk {

using Clock = std::chrono::steady_clock;

// A deadline from a Vulkan timeout in nanoseconds; UINT64_MAX (and anything that overflows) is
// never.
Clock::time_point deadlineAfter(uint64_t timeoutNs);

// How long a thread spins on a condition before it sleeps, in nanoseconds (EMVK_SPIN_US).
int64_t spinBudgetNs();

void futexWait(std::atomic<uint32_t>& word, uint32_t expected, Clock::time_point deadline);
void futexWakeAll(std::atomic<uint32_t>& word);

// One step of a spin loop. The first steps only pause the core; later ones also yield it, because
// on a machine with fewer free cores than spinning threads the thread we wait for may need ours.
void spinStep(unsigned iteration);

class SignalBoard {
 public:
  // Called after any state change a waiter might be waiting for.
  void notify() {
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) != 0) futexWakeAll(epoch_);
  }

  // Returns true once ready() holds, false if the deadline passed first.
  template <class Ready>
  bool waitUntil(Ready ready, Clock::time_point deadline) {
    if (ready()) return true;
    const auto spinEnd = Clock::now() + std::chrono::nanoseconds(spinBudgetNs());
    for (unsigned i = 0;; ++i) {
      if (ready()) return true;
      if ((i & 63) == 0) {
        auto now = Clock::now();
        if (now >= deadline) return false;
        if (now >= spinEnd) break;
      }
      spinStep(i);
    }
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    bool result = false;
    for (;;) {
      const uint32_t seen = epoch_.load(std::memory_order_seq_cst);
      if (ready()) {
        result = true;
        break;
      }
      if (Clock::now() >= deadline) break;
      futexWait(epoch_, seen, deadline);
    }
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    return result;
  }

 private:
  std::atomic<uint32_t> epoch_{0};
  std::atomic<uint32_t> sleepers_{0};
};

}  // namespace emvk
