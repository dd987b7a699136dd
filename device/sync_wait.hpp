// Waiting on one semaphore or fence. Its payload page has its own futex word, which every signal
// bumps — in this process or in another one that imported the payload — so a single-object wait
// sleeps exactly until something changes. (Waits on several objects at once use the device's
// SignalBoard instead: device/signal_board.hpp.)
#pragma once
#include "device/signal_board.hpp"
#include "memory/sync_payload.hpp"

namespace emvk {

enum class WaitStatus { Ready, Timeout, PeerGone };

// How long a wait on a shared payload may go on with no other process alive before it gives up
// (docs/EXTERNAL_MEMORY.md, "When a peer dies"). Our own process may still signal it in that time.
inline constexpr int64_t kPeerGraceNs = 1'000'000'000;
// Shared payloads sleep in slices this long, to look for a dead peer between them.
inline constexpr int64_t kPeerCheckNs = 100'000'000;

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
  for (;;) {
    const uint32_t seen = page.payload().epoch.load(std::memory_order_seq_cst);
    if (ready()) return WaitStatus::Ready;
    const auto now = Clock::now();
    if (now >= deadline) return WaitStatus::Timeout;
    if (page.shared() && now - start > std::chrono::nanoseconds(kPeerGraceNs) && !page.peerAlive())
      return WaitStatus::PeerGone;
    int64_t slice = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now).count();
    if (page.shared() && slice > kPeerCheckNs) slice = kPeerCheckNs;
    page.sleep(seen, slice);
  }
}

}  // namespace emvk
