// What the stress tests share: a device with every queue, timeline semaphores and the external
// memory, semaphore and fence extensions; a lock per queue; errors gathered from worker threads;
// and the run-twice-and-compare leak check around each test's work. Header-only:
// tests/CMakeLists.txt globs tests/*/*.cpp into the suite.
#pragma once
#include <algorithm>
#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "harness.hpp"
#include "interop/external_semaphore.hpp"
#include "stress/budget.hpp"
#include "tools/leaks.hpp"
#include "tools/probe.hpp"

namespace stress {

// The stress tests count what emvk's threads and fds do; against another driver they skip. The
// probing instance is gone before any counting starts.
inline bool isEmvk() {
  test::Instance probeInstance;
  return probe::isEmvk(probeInstance.physical);
}

// External memory, semaphores and fences, timelines, `queueCount` queues.
using DeviceFeatures = external::SyncDevice;

// A timeline semaphore starting at 0, exportable as an opaque fd if asked.
inline VkSemaphore createTimeline(test::Device& device, bool exportable) {
  VkExportSemaphoreCreateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO, nullptr,
                                         VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT};
  VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
                                 exportable ? &exportInfo : nullptr, VK_SEMAPHORE_TYPE_TIMELINE, 0};
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
  VkSemaphore s = VK_NULL_HANDLE;
  VK_CHECK(vkCreateSemaphore(device.handle, &info, nullptr, &s));
  return s;
}

inline int exportSemaphore(test::Device& device, VkSemaphore s) {
  VkSemaphoreGetFdInfoKHR info{VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR, nullptr, s,
                               VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT};
  int fd = -1;
  VK_CHECK(device.proc<PFN_vkGetSemaphoreFdKHR>("vkGetSemaphoreFdKHR")(device.handle, &info, &fd));
  return fd;
}

// Host access to a VkQueue must be externally synchronized (section "Threading Behavior"): threads
// that share a queue take its lock around vkQueueSubmit.
class QueueLocks {
 public:
  explicit QueueLocks(const std::vector<VkQueue>& queues)
      : queues_(queues), locks_(queues.size()) {}
  VkResult submit(uint32_t queue, const VkSubmitInfo& info, VkFence fence) {
    std::lock_guard lock(locks_[queue % locks_.size()]);
    return vkQueueSubmit(queues_[queue % queues_.size()], 1, &info, fence);
  }
  size_t count() const { return queues_.size(); }

 private:
  std::vector<VkQueue> queues_;
  std::vector<std::mutex> locks_;
};

// Catch's assertions are not thread-safe: worker threads note what went wrong here and the test's
// own thread reports it once they have been joined.
class Errors {
 public:
  void add(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (list_.size() < 20) list_.push_back(what);
    ++count_;
  }
  bool any() const {
    std::lock_guard lock(mutex_);
    return count_ != 0;
  }
  // Fails the test with the first errors, if there were any.
  void check() const {
    std::lock_guard lock(mutex_);
    for (const auto& e : list_) UNSCOPED_INFO(e);
    CHECK(count_ == 0);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> list_;
  size_t count_ = 0;
};

// Runs `work(duration)` once briefly — the loader, the validation layer, the JIT and the
// allocator's per-thread arenas keep what they set up for the life of the process — then for the
// test's budget, and checks that fds, threads and child processes are back where they were after
// the short run and mappings nearly so. `work` creates and destroys its own instance and device.
template <class Work>
void runWithLeakCheck(double seconds, Work work, int mapSlack = std::max(4, leaks::kMapSlack)) {
  work(std::chrono::milliseconds(200));
  const leaks::Snapshot before;
  work(budget(seconds));
  const leaks::Comparison after = leaks::compare(before, mapSlack);
  INFO("before the run: " << before.describe() << "; after: " << after.now);
  CHECK(after.fds);
  CHECK(after.threads);
  CHECK(after.maps);
  CHECK(after.children);
}

}  // namespace stress
