// A peer process that shares memory, two timelines and a fence with this one is killed (SIGKILL)
// at a random moment: while it writes the shared memory, while it is still starting, or while this
// process is blocked on a value only the peer would signal — in vkWaitSemaphores (one semaphore,
// or any of two), in vkWaitForFences, or on its queue. The survivor must keep every byte (its own
// and what the peer wrote before it died), must be released from its waits within the documented
// bound (docs/EXTERNAL_MEMORY.md, "When a peer dies") with VK_ERROR_DEVICE_LOST, and must give
// back every fd, mapping, thread and child process. The seed of each run is printed; set
// EMVK_FAULT_SEED to replay one.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <iterator>
#include <random>
#include <thread>

#include "interop/external_buffer.hpp"
#include "stress/peer_process.hpp"
#include "stress/stress_device.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = stress::Clock;

constexpr VkDeviceSize kSharedBytes = 4 << 20;  // the peer rewrites it in about a millisecond
constexpr VkDeviceSize kOwnBytes = 1 << 20;
// A waiter whose every peer died is released at most this long after the later of its wait's
// start and the death: one second of grace, then one 100 ms check slice (device/sync_wait.hpp,
// kPeerGraceNs + kPeerCheckNs).
constexpr auto kBound = 1100ms;
// Scheduling slack on a loaded 2-core CI machine: generous, since a hang is what this catches.
constexpr auto kMargin = 1900ms;
constexpr uint64_t kNever = uint64_t(1) << 40;   // a timeline value the peer never reaches
constexpr uint64_t kTimeoutNs = 15'000'000'000;  // a wait that would hang fails instead

enum class Kill { WhileWriting, DuringSetup, InSemaphoreWait, InWaitAny, InFenceWait, InQueueWait };
constexpr Kill kKinds[] = {Kill::WhileWriting, Kill::DuringSetup, Kill::InSemaphoreWait,
                           Kill::InWaitAny,    Kill::InFenceWait, Kill::InQueueWait};

const char* name(Kill kind) {
  switch (kind) {
    case Kill::WhileWriting:
      return "while the peer writes";
    case Kill::DuringSetup:
      return "while the peer starts";
    case Kill::InSemaphoreWait:
      return "during vkWaitSemaphores";
    case Kill::InWaitAny:
      return "during vkWaitSemaphores(ANY)";
    case Kill::InFenceWait:
      return "during vkWaitForFences";
    case Kill::InQueueWait:
      return "during a queue's wait";
  }
  return "?";
}

struct Stats {
  int rounds = 0, partialGenerations = 0;
  double maxReleaseMs = 0, sumReleaseMs = 0;
  int releases = 0;
};

// One round: a fresh instance and device (a round may lose it), the objects shared with a fresh
// peer, and the survivor's own buffer.
class Round {
 public:
  explicit Round(uint64_t seed) : device_(instance_, features_.options(1)), seed_(seed) {
    own_ = device_.createBuffer(kOwnBytes);
    test::fillPattern(own_.data, kOwnBytes, seed_);
    REQUIRE(external::exportableBuffer(device_.handle, kSharedBytes,
                                       device_.hostVisibleMemoryType(), false,
                                       shared_) == VK_SUCCESS);
    std::memset(shared_.data, 0, kSharedBytes);
    for (VkSemaphore& s : timelines_) s = stress::createTimeline(device_, true);
    VkExportFenceCreateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO, nullptr,
                                       VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT};
    VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, &exportInfo};
    REQUIRE(vkCreateFence(device_.handle, &fenceInfo, nullptr, &fence_) == VK_SUCCESS);
  }
  ~Round() {
    vkDeviceWaitIdle(device_.handle);
    vkDestroyFence(device_.handle, fence_, nullptr);
    vkDestroyFence(device_.handle, queueFence_, nullptr);
    for (VkSemaphore s : timelines_) vkDestroySemaphore(device_.handle, s, nullptr);
    external::destroy(device_.handle, shared_);
    device_.destroy(own_);
  }

  // Hands the peer the buffer, both timelines and the fence, one message each.
  void startPeer() {
    REQUIRE(peer_.started());
    int fd = -1;
    REQUIRE(external::exportFd(device_.handle, shared_.memory, &fd) == VK_SUCCESS);
    CHECK(peer_.send(fdpass::message("fault-writer", kSharedBytes, shared_.memoryType), fd));
    close(fd);
    for (VkSemaphore s : timelines_) {
      fd = stress::exportSemaphore(device_, s);
      CHECK(peer_.send(fdpass::message("semaphore"), fd));
      close(fd);
    }
    VkFenceGetFdInfoKHR get{VK_STRUCTURE_TYPE_FENCE_GET_FD_INFO_KHR, nullptr, fence_,
                            VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT};
    REQUIRE(device_.proc<PFN_vkGetFenceFdKHR>("vkGetFenceFdKHR")(device_.handle, &get, &fd) ==
            VK_SUCCESS);
    CHECK(peer_.send(fdpass::message("fence"), fd));
    close(fd);
  }
  void awaitReady() { REQUIRE(peer_.reply(30s) == "ready"); }

  // Blocks on a value only the peer would signal, in the way `kind` names. The killer thread
  // sets `killedAt` before it kills.
  VkResult blockOnPeer(Kill kind) {
    const VkSemaphoreWaitFlags any = kind == Kill::InWaitAny ? VK_SEMAPHORE_WAIT_ANY_BIT : 0;
    const uint64_t values[2] = {kNever, kNever};
    VkSemaphoreWaitInfo info{
        VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, nullptr, any, any ? 2u : 1u, timelines_, values};
    auto waitSemaphores = device_.proc<PFN_vkWaitSemaphoresKHR>("vkWaitSemaphoresKHR");
    switch (kind) {
      case Kill::InFenceWait:
        return vkWaitForFences(device_.handle, 1, &fence_, VK_TRUE, kTimeoutNs);
      case Kill::InQueueWait: {
        // Section "Lost Device": once a wait returned VK_ERROR_DEVICE_LOST, the submission counts
        // as complete and its semaphore and fence may be destroyed. The validation layer never
        // retires it and reports both as in use: its complaints are not this test's.
        instance_.expectInvalidUsage = true;
        // Wait-before-signal on the queue: only the queue's executor is blocked; the host waits
        // for the submission's fence.
        VkTimelineSemaphoreSubmitInfo timeline{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
        timeline.waitSemaphoreValueCount = 1;
        timeline.pWaitSemaphoreValues = &kNever;
        const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
        VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO, &timeline, 1, &timelines_[0], &stage};
        // (The fence goes with the round, after vkDeviceWaitIdle: should this wait time out, the
        // submission is still pending and will signal it.)
        queueFence_ = device_.createFence();
        VkResult r = vkQueueSubmit(device_.queues[0], 1, &submit, queueFence_);
        if (r == VK_SUCCESS)
          r = vkWaitForFences(device_.handle, 1, &queueFence_, VK_TRUE, kTimeoutNs);
        return r;
      }
      default:
        return waitSemaphores(device_.handle, &info, kTimeoutNs);
    }
  }

  // The peer's writes survive it: word 0 holds the last generation g it finished, and the other
  // words are g + 1 up to where it was killed, then g. Returns whether it died mid-generation.
  bool checkPeerData() {
    const auto* words = static_cast<const uint32_t*>(shared_.data);
    const uint64_t count = kSharedBytes / 4;
    const uint32_t g = words[0];
    uint64_t i = 1;
    while (i < count && words[i] == g + 1) ++i;
    const uint64_t written = i - 1;
    while (i < count && words[i] == g) ++i;
    INFO("generation " << g << ", " << written << " words of the next one, then word " << i
                       << " holds " << (i < count ? words[i] : 0));
    CHECK(i == count);
    return written != 0 && written != count - 1;
  }

  // The survivor's own memory is untouched, and the shared memory still works for it: the host
  // writes and reads it back, and — while the device lives — a queue copies into it.
  void checkSurvivor(bool deviceLost) {
    std::vector<uint8_t> expected(kOwnBytes);
    test::fillPattern(expected.data(), kOwnBytes, seed_);
    CHECK(std::memcmp(own_.data, expected.data(), kOwnBytes) == 0);
    test::fillPattern(shared_.data, kSharedBytes, seed_ + 1);
    std::vector<uint8_t> shared(kSharedBytes);
    test::fillPattern(shared.data(), kSharedBytes, seed_ + 1);
    CHECK(std::memcmp(shared_.data, shared.data(), kSharedBytes) == 0);
    if (deviceLost) return;
    device_.run([&](VkCommandBuffer cb) {
      const VkBufferCopy region{0, 0, kOwnBytes};
      vkCmdCopyBuffer(cb, own_.buffer, shared_.buffer, 1, &region);
      test::barrierToHost(cb);
    });
    CHECK(std::memcmp(shared_.data, expected.data(), kOwnBytes) == 0);
    // The shared timeline still works between this process's queue and host. (A queue signal, not
    // vkSignalSemaphore: the validation layer takes the value the peer signalled for a pending
    // signal of this process and would report a host signal above it; ring::End::hostWrites.)
    uint64_t value = 0;
    auto counter = device_.proc<PFN_vkGetSemaphoreCounterValueKHR>("vkGetSemaphoreCounterValueKHR");
    REQUIRE(counter(device_.handle, timelines_[0], &value) == VK_SUCCESS);
    ++value;
    VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
    values.signalSemaphoreValueCount = 1;
    values.pSignalSemaphoreValues = &value;
    VkSubmitInfo signal{VK_STRUCTURE_TYPE_SUBMIT_INFO, &values};
    signal.signalSemaphoreCount = 1;
    signal.pSignalSemaphores = timelines_;
    REQUIRE(vkQueueSubmit(device_.queues[0], 1, &signal, VK_NULL_HANDLE) == VK_SUCCESS);
    VkSemaphoreWaitInfo wait{
        VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, nullptr, 0, 1, timelines_, &value};
    CHECK(device_.proc<PFN_vkWaitSemaphoresKHR>("vkWaitSemaphoresKHR")(device_.handle, &wait,
                                                                       kTimeoutNs) == VK_SUCCESS);
  }

  // The timeline follows the peer's host signals: at most one generation behind word 0.
  void checkCounter() {
    uint64_t value = 0;
    auto counter = device_.proc<PFN_vkGetSemaphoreCounterValueKHR>("vkGetSemaphoreCounterValueKHR");
    REQUIRE(counter(device_.handle, timelines_[0], &value) == VK_SUCCESS);
    const uint32_t g = static_cast<const uint32_t*>(shared_.data)[0];
    CHECK(value <= g);
    CHECK(value + 1 >= g);
  }

  stress::PeerProcess& peer() { return peer_; }
  test::Instance& instance() { return instance_; }

 private:
  test::Instance instance_;
  stress::DeviceFeatures features_;
  test::Device device_;
  uint64_t seed_;
  test::Buffer own_;
  external::SharedBuffer shared_;
  VkSemaphore timelines_[2] = {};
  VkFence fence_ = VK_NULL_HANDLE;       // shared with the peer
  VkFence queueFence_ = VK_NULL_HANDLE;  // this process's own, for Kill::InQueueWait
  stress::PeerProcess peer_;             // last, so destroyed first: reaped before the device goes
};

void checkKilled(stress::PeerProcess& peer) {
  const int status = peer.reap();
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
}

void runRound(Kill kind, std::mt19937_64& random, Stats& stats) {
  INFO("kill " << name(kind));
  Round round(random() | 1);
  round.startPeer();
  if (kind == Kill::WhileWriting || kind == Kill::DuringSetup) {
    if (kind == Kill::WhileWriting) round.awaitReady();
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 50'000));
    round.peer().kill();
    if (kind == Kill::WhileWriting) {
      checkKilled(round.peer());
      stats.partialGenerations += round.checkPeerData();
      round.checkCounter();
      round.checkSurvivor(false);
      return;
    }
  } else {
    round.awaitReady();
  }

  // A killer thread kills the peer after a random delay while this thread is blocked; the peer,
  // a child of this process, is reaped only after the wait: dead but not yet reaped must count
  // as dead.
  const auto delay = std::chrono::milliseconds(kind == Kill::DuringSetup ? 0 : random() % 1200);
  std::atomic<Clock::rep> killedAt{Clock::now().time_since_epoch().count()};
  std::thread killer;
  if (kind != Kill::DuringSetup)
    killer = std::thread([&] {
      std::this_thread::sleep_for(delay);
      killedAt = Clock::now().time_since_epoch().count();
      round.peer().kill();
    });
  const auto start = Clock::now();
  const VkResult result = round.blockOnPeer(kind);
  const auto end = Clock::now();
  if (killer.joinable()) killer.join();
  const Clock::time_point killed{Clock::duration(killedAt.load())};
  const auto released = end - std::max(start, killed);
  const double releasedMs = std::chrono::duration<double, std::milli>(released).count();
  const double killedMs = std::chrono::duration<double, std::milli>(killed - start).count();
  INFO("killed " << killedMs << " ms into the wait, released " << releasedMs
                 << " ms after the later of both");
  CHECK(result == VK_ERROR_DEVICE_LOST);
  CHECK(end >= killed);  // never released while the peer lived
  CHECK(released < kBound + kMargin);
  stats.maxReleaseMs = std::max(stats.maxReleaseMs, releasedMs);
  stats.sumReleaseMs += releasedMs;
  ++stats.releases;
  CHECK(round.instance().messages.contains("has exited"));
  checkKilled(round.peer());
  round.checkPeerData();
  round.checkSurvivor(true);
}

void killPeers(uint64_t seed, Clock::duration budget) {
  std::mt19937_64 random(seed);
  Stats stats;
  const auto start = Clock::now();
  // Every kind of kill at least once, then on until the budget is spent (the warm-up run of
  // runWithLeakCheck: one round).
  const size_t minimum = budget < std::chrono::seconds(1) ? 1 : std::size(kKinds);
  for (size_t i = 0; i < minimum || Clock::now() - start < budget; ++i) {
    INFO("round " << i << " of seed " << seed);
    runRound(kKinds[i % std::size(kKinds)], random, stats);
    ++stats.rounds;
  }
  const double seconds = stress::secondsSince(start);
  if (budget < std::chrono::seconds(1)) return;  // the warm-up run reports nothing
  std::printf(
      "emvk-stress: fault seed %llu: %d rounds in %.1f s, %d peers killed mid-generation, "
      "waits released %.0f ms after the death at most (mean %.0f ms, bound %lld ms)\n",
      static_cast<unsigned long long>(seed), stats.rounds, seconds, stats.partialGenerations,
      stats.maxReleaseMs, stats.releases ? stats.sumReleaseMs / stats.releases : 0.0,
      static_cast<long long>(kBound.count()));
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("stress: a peer killed at random points leaves the survivor its data and its waits",
          "[stress][fault][external]") {
  if (!stress::isEmvk()) return;
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("EMVK_FAULT_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::printf("emvk-stress: fault seed %llu (EMVK_FAULT_SEED=%llu replays it)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  INFO("seed " << seed);
  stress::runWithLeakCheck(10, [&](Clock::duration budget) { killPeers(seed, budget); });
}
