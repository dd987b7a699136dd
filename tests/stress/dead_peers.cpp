// A long-lived shared semaphore sees many peers come and die without detaching (killed, crashed):
// more of them than its payload page has process slots (memory/sync_payload.hpp,
// kMaxProcesses = 64). A peer that imports it after that must still count as alive, or this
// process's waits would give up on a semaphore that peer is about to signal.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "interop/peer.hpp"
#include "stress/stress_device.hpp"

namespace {

constexpr int kDeadPeers = 70;

// Signals `value` from this process's queue (not the host: see ring::End::hostWrites) and lets
// the submission retire.
void queueSignal(test::Device& device, VkSemaphore s, uint64_t value) {
  VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  values.signalSemaphoreValueCount = 1;
  values.pSignalSemaphoreValues = &value;
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO, &values};
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &s;
  REQUIRE(vkQueueSubmit(device.queues[0], 1, &submit, VK_NULL_HANDLE) == VK_SUCCESS);
  REQUIRE(vkQueueWaitIdle(device.queues[0]) == VK_SUCCESS);
}

VkResult waitFor(test::Device& device, VkSemaphore s, uint64_t value) {
  VkSemaphoreWaitInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, nullptr, 0, 1, &s, &value};
  return device.proc<PFN_vkWaitSemaphoresKHR>("vkWaitSemaphoresKHR")(device.handle, &info,
                                                                     10'000'000'000);
}

}  // namespace

TEST_CASE("stress: a shared timeline outlives more dead peers than its payload has slots",
          "[stress][fault][external]") {
  if (!stress::isEmvk()) return;
  test::Instance instance;
  stress::DeviceFeatures features;
  test::Device device(instance, features.options(1));
  VkSemaphore s = stress::createTimeline(device, true);
  for (int i = 0; i < kDeadPeers; ++i) {
    INFO("peer " << i);
    const int fd = stress::exportSemaphore(device, s);
    external::Peer peer;
    REQUIRE(peer.request(fdpass::message("import-semaphore-and-exit"), fd) == "ok");
    peer.wait();  // exited without detaching, and reaped
    close(fd);
  }

  // A live peer: its queue waits for 1 and signals 2, then waits for 3 and signals 4.
  const int fd = stress::exportSemaphore(device, s);
  external::Peer live;
  live.send(fdpass::message("timeline-pingpong", 0, 0, 2), fd);
  close(fd);
  queueSignal(device, s, 1);
  REQUIRE(waitFor(device, s, 2) == VK_SUCCESS);  // the live peer has imported it
  // Blocked for longer than the grace while only the live peer can signal 4: it must be seen.
  std::thread signaller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
    const uint64_t three = 3;
    values.signalSemaphoreValueCount = 1;
    values.pSignalSemaphoreValues = &three;
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO, &values};
    submit.signalSemaphoreCount = 1;
    submit.pSignalSemaphores = &s;
    vkQueueSubmit(device.queues[0], 1, &submit, VK_NULL_HANDLE);  // (no Catch on this thread)
  });
  const VkResult result = waitFor(device, s, 4);
  signaller.join();
  if (result != VK_SUCCESS) {
    // The device is lost and its queue signals nothing: let the peer finish from the host.
    VkSemaphoreSignalInfo three{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, nullptr, s, 3};
    device.proc<PFN_vkSignalSemaphoreKHR>("vkSignalSemaphoreKHR")(device.handle, &three);
  }
  vkQueueWaitIdle(device.queues[0]);
  CHECK(result == VK_SUCCESS);
  CHECK(live.reply() == "ok");
  vkDestroySemaphore(device.handle, s, nullptr);
}
