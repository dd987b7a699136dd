// Several processes share one exported buffer and one timeline semaphore per ring and pass a token
// round and round (tests/stress/ring.hpp): every hand-over crosses a process boundary, half of
// them signalled by a queue and half by a host, each checked by the next process's host. At the
// end the value of each ring must be the sum of everybody's writes.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <sstream>
#include <thread>

#include "interop/external_buffer.hpp"
#include "stress/peer_process.hpp"
#include "stress/ring.hpp"
#include "stress/stress_device.hpp"

namespace {

constexpr uint32_t kPeers = 3;  // besides this process
constexpr uint32_t kRings = 2;  // each with its own timeline, region and thread in every process
constexpr uint32_t kParticipants = kPeers + 1;

// Starts a peer and hands it the buffer and the timelines; it answers "ready" once imported.
void startPeer(stress::PeerProcess& peer, test::Device& device,
               const external::SharedBuffer& shared, const std::vector<VkSemaphore>& timelines,
               uint32_t self) {
  REQUIRE(peer.started());
  int fd = -1;
  REQUIRE(external::exportFd(device.handle, shared.memory, &fd) == VK_SUCCESS);
  fdpass::Message m =
      fdpass::message("ring", shared.allocationSize, shared.memoryType, self, kParticipants);
  m.width = static_cast<uint32_t>(timelines.size());
  CHECK(peer.send(m, fd));
  close(fd);
  for (VkSemaphore s : timelines) {
    fd = stress::exportSemaphore(device, s);
    CHECK(peer.send(fdpass::message("semaphore"), fd));
    close(fd);
  }
}

void ringAcrossProcesses(stress::Clock::duration budget) {
  test::Instance instance;
  stress::DeviceFeatures features;
  test::Device device(instance, features.options(kRings));  // a queue per ring
  external::SharedBuffer shared;
  REQUIRE(external::exportableBuffer(device.handle, kRings * ring::kRegionBytes,
                                     device.hostVisibleMemoryType(), false, shared) == VK_SUCCESS);
  std::memset(shared.data, 0, kRings * ring::kRegionBytes);
  std::vector<VkSemaphore> timelines;
  for (uint32_t r = 0; r < kRings; ++r) timelines.push_back(stress::createTimeline(device, true));

  std::vector<std::unique_ptr<stress::PeerProcess>> peers;
  for (uint32_t p = 1; p <= kPeers; ++p) {
    peers.push_back(std::make_unique<stress::PeerProcess>());
    startPeer(*peers.back(), device, shared, timelines, p);
  }
  for (auto& peer : peers) REQUIRE(peer->reply(std::chrono::seconds(30)) == "ready");

  std::mutex queueLocks[kRings];
  ring::Result results[kRings];
  const auto start = stress::Clock::now();
  std::vector<std::thread> threads;
  for (uint32_t r = 0; r < kRings; ++r) {
    const ring::End end{.device = device.handle,
                        .family = device.family,
                        .queue = device.queues[r],
                        .queueLock = &queueLocks[r],
                        .timeline = timelines[r],
                        .buffer = shared.buffer,
                        .mapped = static_cast<uint32_t*>(shared.data),
                        .index = r,
                        .self = 0,
                        .participants = kParticipants,
                        .hostWrites = !stress::underValidation()};  // (ring::End::hostWrites)
    threads.emplace_back(
        [&results, end, r, deadline = start + budget] { results[r] = ring::run(end, deadline); });
  }
  for (auto& thread : threads) thread.join();
  const double seconds = stress::secondsSince(start);

  // Each peer answers "ok <writes in ring 0> <writes in ring 1> ..." and exits.
  uint64_t peerWrites[kRings] = {};
  for (auto& peer : peers) {
    const std::string answer = peer->reply(std::chrono::seconds(60));
    INFO("peer " << peer->pid() << " answered: " << answer);
    CHECK(answer.rfind("ok", 0) == 0);
    std::istringstream words(answer.substr(answer.rfind("ok", 0) == 0 ? 2 : 0));
    for (uint64_t& writes : peerWrites) {
      uint64_t n = 0;
      words >> n;
      writes += n;
    }
    const int status = peer->reap();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  uint64_t handoffs = 0;
  for (uint32_t r = 0; r < kRings; ++r) {
    INFO("ring " << r);
    CHECK(results[r].error == "");
    // Every write added one: the value is the number of writes of all processes together.
    CHECK(results[r].writes + peerWrites[r] == results[r].finalValue);
    handoffs += results[r].finalValue;
  }
  vkQueueWaitIdle(device.queues[0]);
  vkQueueWaitIdle(device.queues[1]);
  for (VkSemaphore s : timelines) vkDestroySemaphore(device.handle, s, nullptr);
  external::destroy(device.handle, shared);

  if (budget < std::chrono::seconds(1)) return;  // the warm-up run reports nothing
  stress::report("cross-process handoffs", handoffs, seconds,
                 std::to_string(kParticipants) + " processes, " + std::to_string(kRings) +
                     " rings of 16 KiB, 1 thread per ring per process");
  CHECK(handoffs > 0);
}

}  // namespace

TEST_CASE("stress: processes pass a token round rings of shared memory and timelines",
          "[stress][external]") {
  if (!stress::isEmvk()) return;
  stress::runWithLeakCheck(10, ringAcrossProcesses);
}
