// Waiting on one semaphore or fence. Its payload page has its own futex word, which every signal
// bumps — in this process or in another one that imported the payload — so a single-object wait
// sleeps exactly until something changes. (Waits on several objects at once use the device's
// SignalBoard instead: device/signal_board.hpp.)
#pragma once
#include <algorithm>

#include "device/signal_board.hpp"
#include "memory/sync_payload.hpp"

namespace emvk {

enum class WaitStatus { Ready, Timeout, PeerGone };

// How long a wait on a shared payload may go on with no other process alive before it gives up
// (docs/EXTERNAL_MEMORY.md, "When a peer dies"). Our own process may still signal it in that time.
inline constexpr int64_t kPeerGraceNs = 1'000'000'000;
// Shared payloads sleep in slices this long, to look for a dead peer between them.
inline constexpr int64_t kPeerCheckNs = 100'000'000;

// When a wait on shared payloads looks for dead peers: once the grace is over, then every
// kPeerCheckNs — not at every wake, since a peer that signals a thousand times a second would
// otherwise cost a /proc read per signal (memory/sync_payload.cpp, processAlive).
class PeerCheckSchedule {
 public:
  explicit PeerCheckSchedule(Clock::time_point start = Clock::now())
      : next_(start + std::chrono::nanoseconds(kPeerGraceNs)) {}
  // True if it is time to look; the next look is then kPeerCheckNs away.
  bool due(Clock::time_point now = Clock::now()) {
    if (now < next_) return false;
    next_ = now + std::chrono::nanoseconds(kPeerCheckNs);
    return true;
  }
  Clock::time_point next() const { return next_; }

 private:
  Clock::time_point next_;
};

template <class Ready>
WaitStatus waitOnPage(const memory::SyncPage& page, Ready ready, Clock::time_point deadline) {
  // ready() may drop a temporarily imported payload (and with it `page`): after it returns true
  // nothing here touches the page again.
  if (ready()) return WaitStatus::Ready;
  const auto start = Clock::now();
  const auto spinEnd = start + std::chrono::nanoseconds(spinBudgetNs());
  for (unsigned i = 0;; ++i) {
    if (ready()) return WaitStatus::Ready;
    if ((i & 63) == 0) {
      const auto now = Clock::now();
      if (now >= deadline) return WaitStatus::Timeout;
      if (now >= spinEnd) break;
    }
    spinStep(i);
  }
  // Sleeps end at the next look for peers, so a death is seen at most kPeerCheckNs after it
  // happened (and no sooner than the grace after the wait began).
  PeerCheckSchedule peerChecks(start);
  for (;;) {
    const uint32_t seen = page.payload().epoch.load(std::memory_order_seq_cst);
    if (ready()) return WaitStatus::Ready;
    const auto now = Clock::now();
    if (now >= deadline) return WaitStatus::Timeout;
    auto wakeAt = deadline;
    if (page.shared()) {
      if (peerChecks.due(now) && !page.peerAlive()) return WaitStatus::PeerGone;
      wakeAt = std::min(deadline, peerChecks.next());
    }
    page.sleep(seen, std::chrono::duration_cast<std::chrono::nanoseconds>(wakeAt - now).count());
  }
}

}  // namespace emvk
