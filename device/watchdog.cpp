#include "device/watchdog.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace emvk {

namespace {

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Watchdog::Watchdog() : timeoutMs_(30'000) {
  if (const char* value = std::getenv("EMVK_TIMEOUT_MS")) {
    char* end = nullptr;
    unsigned long long ms = std::strtoull(value, &end, 10);
    if (end != value && *end == '\0') timeoutMs_ = ms;
  }
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Watchdog::Slot* Watchdog::arm() {
  if (timeoutMs_ == 0) return nullptr;
  std::call_once(started_, [this] { thread_ = std::thread([this] { watch(); }); });
  for (Slot& slot : slots_) {
    bool expected = false;
    if (!slot.used.compare_exchange_strong(expected, true, std::memory_order_acquire)) continue;
    slot.cancel.store(0, std::memory_order_relaxed);
    slot.startNs.store(nowNs(), std::memory_order_release);
    return &slot;
  }
  return nullptr;
}

void Watchdog::disarm(Slot* slot) {
  if (!slot) return;
  slot->startNs.store(0, std::memory_order_relaxed);
  slot->used.store(false, std::memory_order_release);
}

// Looks four times per timeout (at most every 250 ms), so a dispatch is stopped between its
// timeout and 1.25 times it (or + 250 ms).
void Watchdog::watch() {
  const auto period = std::chrono::milliseconds(std::clamp<uint64_t>(timeoutMs_ / 4, 1, 250));
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, period, [this] { return stopping_; })) {
    const int64_t now = nowNs();
    for (Slot& slot : slots_) {
      const int64_t start = slot.startNs.load(std::memory_order_acquire);
      if (start != 0 && now - start > static_cast<int64_t>(timeoutMs_) * 1'000'000) {
        slot.cancel.store(1, std::memory_order_relaxed);
      }
    }
  }
}

}  // namespace emvk
