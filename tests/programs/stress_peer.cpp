// stress_peer: the other processes of the stress and fault tests (tests/stress/). It talks to the
// test over the Unix socket whose fd number is argv[1] and does one job:
//   "ring"         imports the shared buffer and one timeline per ring, answers "ready", runs its
//                  participant of every ring (tests/stress/ring.hpp), each in its own thread, on
//                  its one queue, and answers "ok <writes per ring>" or "fail: <why>".
//   "fault-writer" imports the shared buffer, two timelines and a fence, answers "ready", then
//                  writes generation after generation into the buffer, signalling the first
//                  timeline after each, until the test kills it.
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "interop/external_buffer.hpp"
#include "interop/fd_passing.hpp"
#include "programs/peer_device.hpp"
#include "stress/ring.hpp"

namespace {

using namespace peer;

std::string fail(const std::string& why) { return "fail: " + why; }

void answer(int socket, const std::string& text) {
  fdpass::Message m = fdpass::message("reply");
  std::snprintf(m.text, sizeof(m.text), "%s", text.c_str());
  fdpass::send(socket, m);
}

// The timelines (and for the fault writer the fence) that follow the first message, one message
// each with its fd.
bool importSync(Context& c, int socket, uint32_t semaphores, bool fence,
                std::vector<VkSemaphore>& timelines, VkFence* fenceOut) {
  for (uint32_t i = 0; i < semaphores + (fence ? 1 : 0); ++i) {
    fdpass::Message m;
    int fd = -1;
    if (!fdpass::receive(socket, m, fd) || fd < 0) return false;
    if (i == semaphores) return importFence(c, fd, fenceOut) == VK_SUCCESS;
    VkSemaphore s;
    if (importSemaphore(c, fd, true, &s) != VK_SUCCESS) return false;
    timelines.push_back(s);
  }
  return true;
}

std::string runRings(Context& c, int socket, const fdpass::Message& m, int memoryFd) {
  external::SharedBuffer shared;
  if (external::importBuffer(c.device, memoryFd, m.size, m.size, m.memoryType, false, shared) !=
      VK_SUCCESS)
    return fail("importing the ring buffer");
  std::vector<VkSemaphore> timelines;
  if (!importSync(c, socket, m.width, false, timelines, nullptr))
    return fail("importing the ring timelines");
  answer(socket, "ready");
  std::mutex queueLock;
  std::vector<ring::Result> results(timelines.size());
  std::vector<std::thread> threads;
  for (uint32_t r = 0; r < timelines.size(); ++r) {
    const ring::End end{.device = c.device,
                        .family = 0,
                        .queue = c.queue,
                        .queueLock = &queueLock,
                        .timeline = timelines[r],
                        .buffer = shared.buffer,
                        .mapped = static_cast<uint32_t*>(shared.data),
                        .index = r,
                        .self = static_cast<uint32_t>(m.seed),
                        .participants = static_cast<uint32_t>(m.seed2)};
    threads.emplace_back([end, &results, r] {
      // Only participant 0 (the test) decides when the ring stops.
      results[r] = ring::run(end, std::chrono::steady_clock::time_point::max());
    });
  }
  for (auto& thread : threads) thread.join();
  std::string text = "ok";
  for (const ring::Result& result : results) {
    if (!result.error.empty()) return fail(result.error);
    text += " " + std::to_string(result.writes);
  }
  vkQueueWaitIdle(c.queue);
  for (VkSemaphore s : timelines) vkDestroySemaphore(c.device, s, nullptr);
  external::destroy(c.device, shared);
  return text;
}

// Writes generation g into words 1.. in order, then g into word 0, then signals timeline 0 to g,
// for g = 1, 2, ...: whenever the test kills this process, the words are a prefix of g + 1 and
// the rest g, with g in word 0. Release stores keep that order. Never returns while the test
// lives; gives up after a minute in case the test is gone.
[[noreturn]] void faultWriter(Context& c, int socket, const fdpass::Message& m, int memoryFd) {
  external::SharedBuffer shared;
  std::vector<VkSemaphore> timelines;
  VkFence fence = VK_NULL_HANDLE;
  if (external::importBuffer(c.device, memoryFd, m.size, m.size, m.memoryType, false, shared) !=
      VK_SUCCESS) {
    answer(socket, fail("importing the buffer"));
    std::_Exit(1);
  }
  if (!importSync(c, socket, 2, true, timelines, &fence)) {
    answer(socket, fail("importing the timelines and the fence"));
    std::_Exit(1);
  }
  auto signal = reinterpret_cast<PFN_vkSignalSemaphoreKHR>(
      vkGetDeviceProcAddr(c.device, "vkSignalSemaphoreKHR"));
  answer(socket, "ready");
  auto* words = static_cast<uint32_t*>(shared.data);
  const uint64_t count = m.size / 4;
  const auto giveUp = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  for (uint32_t g = 1; std::chrono::steady_clock::now() < giveUp; ++g) {
    for (uint64_t i = 1; i < count; ++i)
      std::atomic_ref(words[i]).store(g, std::memory_order_release);
    std::atomic_ref(words[0]).store(g, std::memory_order_release);
    VkSemaphoreSignalInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, nullptr, timelines[0], g};
    signal(c.device, &info);
    std::this_thread::sleep_for(std::chrono::microseconds(500));  // leave the CPU some of the time
  }
  std::_Exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  // A peer must not outlive a test that crashed: it is killed with its parent.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 3;
  const int socket = std::atoi(argv[1]);
  Context c;
  fdpass::Message m;
  int fd = -1;
  if (!fdpass::receive(socket, m, fd)) return 1;
  if (!setUp(c)) {
    answer(socket, fail("no emvk device in the peer"));
    return 1;
  }
  const std::string op = m.op;
  if (op == "fault-writer") faultWriter(c, socket, m, fd);
  answer(socket, op == "ring" ? runRings(c, socket, m, fd) : fail("unknown request " + op));
  tearDown(c);
  return 0;
}
