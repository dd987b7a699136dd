// The watchdog: a dispatch that runs longer than EMVK_TIMEOUT_MS (default 30 s, 0 = never) is
// stopped, and the device is lost, instead of hanging the application forever on a shader that
// never ends. How: every running dispatch holds a Slot with its start time and a cancel word that
// the generated code reads at every loop back edge (jit::DispatchContext::cancel); one thread per
// device, started at the first dispatch, looks at the slots a few times per timeout and sets the
// cancel word of a dispatch past its time. The shader then leaves its loops, the dispatch ends,
// and compute_commands.cpp loses the device: fences and waits report VK_ERROR_DEVICE_LOST. The
// cost on a dispatch is two atomic stores; in a shader, one load per loop iteration.
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace emvk {

class Watchdog {
 public:
  struct Slot {
    std::atomic<bool> used{false};
    std::atomic<int64_t> startNs{0};  // steady_clock; 0 while not armed
    std::atomic<uint32_t> cancel{0};  // read by the generated code
  };

  Watchdog();  // reads EMVK_TIMEOUT_MS
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // A slot for one dispatch, timed from now; null when the watchdog is off or all slots are in
  // use (then that dispatch simply runs unwatched).
  Slot* arm();
  void disarm(Slot* slot);
  uint64_t timeoutMs() const { return timeoutMs_; }

 private:
  void watch();

  uint64_t timeoutMs_;
  std::array<Slot, 16> slots_;  // dispatches running at once: one per queue, at most
  std::once_flag started_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
};

}  // namespace emvk
