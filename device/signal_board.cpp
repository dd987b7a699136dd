#include "device/signal_board.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <ctime>

namespace emvk {

Clock::time_point deadlineAfter(uint64_t timeoutNs) {
  const auto now = Clock::now();
  // Anything past ~292 years cannot be represented: treat it as "never".
  if (timeoutNs >= static_cast<uint64_t>(INT64_MAX) - now.time_since_epoch().count())
    return Clock::time_point::max();
  return now + std::chrono::nanoseconds(timeoutNs);
}

int64_t spinBudgetNs() {
  static const int64_t budget = [] {
    const char* env = std::getenv("EMVK_SPIN_US");
    return (env ? std::atoll(env) : 50) * 1000;
  }();
  return budget;
}

void spinStep(unsigned iteration) {
  if (iteration < 2048)
    __builtin_ia32_pause();
  else
    sched_yield();
}

void futexWait(std::atomic<uint32_t>& word, uint32_t expected, Clock::time_point deadline) {
  timespec ts{};
  timespec* timeout = nullptr;
  if (deadline != Clock::time_point::max()) {
    auto left =
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now()).count();
    if (left <= 0) return;
    ts.tv_sec = left / 1000000000;
    ts.tv_nsec = left % 1000000000;
    timeout = &ts;
  }
  // std::atomic<uint32_t> has the layout of a uint32_t, which is what the futex word must be.
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, timeout,
          nullptr, 0);
}

void futexWakeAll(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

}  // namespace emvk
