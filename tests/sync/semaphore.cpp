// Semaphores ordering real work: a binary semaphore between two queues, timeline semaphores on the
// host (signal, wait, wait-any, timeouts) and on the device, including wait-before-signal chains
// that race copies over two queues.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr uint64_t kSecond = 1'000'000'000;

// Multi-queue tests need two queues in family 0. emvk has four; lavapipe has one, so there the
// test is skipped with a warning rather than weakened.
bool hasTwoQueues(VkPhysicalDevice physical) {
  if (test::queueFamilies(physical).at(0).queueCount >= 2) return true;
  REQUIRE_FALSE(probe::isEmvk(physical));
  WARN("skipped: queue family 0 has a single queue");
  return false;
}

// Records a one-time copy; with `toHost` it ends with a barrier that makes the copy visible to
// host reads after the submission completes.
VkCommandBuffer recordCopy(test::Device& device, const test::Buffer& from, const test::Buffer& to,
                           VkDeviceSize offset, VkDeviceSize size, bool toHost) {
  VkCommandBuffer cb = device.begin();
  const VkBufferCopy region{offset, offset, size};
  vkCmdCopyBuffer(cb, from.buffer, to.buffer, 1, &region);
  if (toHost) test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  return cb;
}

// A device with VK_KHR_timeline_semaphore and its feature enabled; both are required before any
// timeline semaphore may be created (VUID-VkSemaphoreTypeCreateInfo-timelineSemaphore-03252).
struct TimelineDevice {
  VkPhysicalDeviceTimelineSemaphoreFeaturesKHR features{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES_KHR, nullptr, VK_TRUE};
  test::Device device;
  PFN_vkSignalSemaphoreKHR signal;
  PFN_vkWaitSemaphoresKHR wait;
  PFN_vkGetSemaphoreCounterValueKHR counter;

  TimelineDevice(test::Instance& instance, uint32_t queueCount)
      : device(instance, options(queueCount)),
        signal(device.proc<PFN_vkSignalSemaphoreKHR>("vkSignalSemaphoreKHR")),
        wait(device.proc<PFN_vkWaitSemaphoresKHR>("vkWaitSemaphoresKHR")),
        counter(device.proc<PFN_vkGetSemaphoreCounterValueKHR>("vkGetSemaphoreCounterValueKHR")) {
    REQUIRE(signal != nullptr);
    REQUIRE(wait != nullptr);
    REQUIRE(counter != nullptr);
  }

 private:
  test::DeviceOptions options(uint32_t queueCount) {
    test::DeviceOptions result;
    result.queueCount = queueCount;
    result.extensions = {VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME};
    result.pNext = &features;
    return result;
  }
};

// A timeline semaphore. If a failed REQUIRE unwinds the test while a queue still waits on it, the
// destructor signals past every value in use so the device can drain instead of hanging the run.
class Timeline {
 public:
  Timeline(TimelineDevice& owner, uint64_t initial) : owner_(owner) {
    VkSemaphoreTypeCreateInfoKHR type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO_KHR};
    type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE_KHR;
    type.initialValue = initial;
    VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
    VK_CHECK(vkCreateSemaphore(owner.device.handle, &info, nullptr, &handle));
  }
  ~Timeline() {
    constexpr uint64_t kReleaseAll = uint64_t{1} << 40;
    if (std::uncaught_exceptions() > 0 && value() < kReleaseAll) signal(kReleaseAll);
    vkDeviceWaitIdle(owner_.device.handle);
    vkDestroySemaphore(owner_.device.handle, handle, nullptr);
  }
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  uint64_t value() const {
    uint64_t value = 0;
    owner_.counter(owner_.device.handle, handle, &value);
    return value;
  }
  VkResult signal(uint64_t value) const {
    VkSemaphoreSignalInfoKHR info{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO_KHR, nullptr, handle,
                                  value};
    return owner_.signal(owner_.device.handle, &info);
  }
  VkResult wait(uint64_t value, uint64_t timeout) const {
    VkSemaphoreWaitInfoKHR info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO_KHR};
    info.semaphoreCount = 1;
    info.pSemaphores = &handle;
    info.pValues = &value;
    return owner_.wait(owner_.device.handle, &info, timeout);
  }

  VkSemaphore handle = VK_NULL_HANDLE;

 private:
  TimelineDevice& owner_;
};

// One batch that waits for `waitValue` (if non-zero) and signals `signalValue` on `timeline`.
void submitOnTimeline(VkQueue queue, VkCommandBuffer cb, const Timeline& timeline,
                      uint64_t waitValue, uint64_t signalValue, VkFence fence = VK_NULL_HANDLE) {
  const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkTimelineSemaphoreSubmitInfoKHR values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO_KHR};
  values.waitSemaphoreValueCount = waitValue ? 1 : 0;
  values.pWaitSemaphoreValues = waitValue ? &waitValue : nullptr;
  values.signalSemaphoreValueCount = 1;
  values.pSignalSemaphoreValues = &signalValue;
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO, &values};
  if (waitValue) {
    submit.waitSemaphoreCount = 1;
    submit.pWaitSemaphores = &timeline.handle;
    submit.pWaitDstStageMask = &stage;
  }
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &timeline.handle;
  VK_CHECK(vkQueueSubmit(queue, 1, &submit, fence));
}

}  // namespace

TEST_CASE("sync: a binary semaphore orders a copy on queue 1 after a copy on queue 0",
          "[sync][semaphore][multiqueue]") {
  test::Instance instance;
  if (!hasTwoQueues(instance.physical)) return;
  test::DeviceOptions options;
  options.queueCount = 2;
  test::Device device(instance, options);
  const VkDeviceSize size = 4 * 1024 * 1024;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  auto c = device.createBuffer(size);
  VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  VkSemaphore semaphore;
  VK_CHECK(vkCreateSemaphore(device.handle, &semaphoreInfo, nullptr, &semaphore));
  VkFence fence = device.createFence();

  // Repeat with fresh data: a missing wait would let queue 1 copy a stale or half-written B.
  for (uint64_t round = 1; round <= 10; ++round) {
    INFO("round " << round);
    test::fillPattern(a.data, size, round);
    std::memset(b.data, 0, size);
    std::memset(c.data, 0, size);
    VkCommandBuffer produce = recordCopy(device, a, b, 0, size, false);
    VkCommandBuffer consume = recordCopy(device, b, c, 0, size, true);

    // A binary wait needs its signal submitted first (VUID-vkQueueSubmit-pWaitSemaphores-03238).
    VkSubmitInfo signal{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    signal.commandBufferCount = 1;
    signal.pCommandBuffers = &produce;
    signal.signalSemaphoreCount = 1;
    signal.pSignalSemaphores = &semaphore;
    VK_CHECK(vkQueueSubmit(device.queues[0], 1, &signal, VK_NULL_HANDLE));

    const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
    VkSubmitInfo wait{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    wait.waitSemaphoreCount = 1;
    wait.pWaitSemaphores = &semaphore;
    wait.pWaitDstStageMask = &stage;
    wait.commandBufferCount = 1;
    wait.pCommandBuffers = &consume;
    VK_CHECK(vkQueueSubmit(device.queues[1], 1, &wait, fence));

    VK_CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 10 * kSecond));
    VK_CHECK(vkResetFences(device.handle, 1, &fence));
    REQUIRE(std::memcmp(c.data, a.data, size) == 0);
    VkCommandBuffer both[] = {produce, consume};
    vkFreeCommandBuffers(device.handle, device.pool, 2, both);
  }

  vkDestroyFence(device.handle, fence, nullptr);
  vkDestroySemaphore(device.handle, semaphore, nullptr);
  for (auto* buffer : {&a, &b, &c}) device.destroy(*buffer);
}

TEST_CASE("sync: a timeline semaphore's counter follows host signals and waits",
          "[sync][semaphore][timeline]") {
  test::Instance instance;
  TimelineDevice timelineDevice(instance, 1);
  Timeline timeline(timelineDevice, 3);
  REQUIRE(timeline.value() == 3);

  // Host signals must raise the value (VUID-VkSemaphoreSignalInfo-value-03258).
  VK_CHECK(timeline.signal(7));
  REQUIRE(timeline.value() == 7);
  // A wait for a value already reached, even a past one, succeeds at once.
  REQUIRE(timeline.wait(5, 0) == VK_SUCCESS);
  REQUIRE(timeline.wait(7, 0) == VK_SUCCESS);
  REQUIRE(timeline.wait(8, 0) == VK_TIMEOUT);

  auto start = Clock::now();
  REQUIRE(timeline.wait(8, 20'000'000) == VK_TIMEOUT);
  auto elapsed = Clock::now() - start;
  CHECK(elapsed >= milliseconds(18));
  CHECK(elapsed < milliseconds(1000));

  // Another thread's signal releases a host wait that is already blocked.
  start = Clock::now();
  std::thread signaler([&] {
    std::this_thread::sleep_for(milliseconds(20));
    timeline.signal(9);
  });
  const VkResult result = timeline.wait(9, 5 * kSecond);
  signaler.join();
  REQUIRE(result == VK_SUCCESS);
  REQUIRE(Clock::now() - start >= milliseconds(18));
  REQUIRE(timeline.value() == 9);
}

TEST_CASE("sync: vkWaitSemaphoresKHR with WAIT_ANY returns once one of two timelines is reached",
          "[sync][semaphore][timeline]") {
  test::Instance instance;
  TimelineDevice timelineDevice(instance, 1);
  Timeline first(timelineDevice, 0);
  Timeline second(timelineDevice, 0);
  VK_CHECK(second.signal(2));

  const VkSemaphore semaphores[] = {first.handle, second.handle};
  uint64_t values[] = {1, 2};
  VkSemaphoreWaitInfoKHR info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO_KHR};
  info.semaphoreCount = 2;
  info.pSemaphores = semaphores;
  info.pValues = values;
  const VkDevice device = timelineDevice.device.handle;

  info.flags = VK_SEMAPHORE_WAIT_ANY_BIT_KHR;
  REQUIRE(timelineDevice.wait(device, &info, 0) == VK_SUCCESS);
  REQUIRE(timelineDevice.wait(device, &info, kSecond) == VK_SUCCESS);
  info.flags = 0;  // wait for all
  REQUIRE(timelineDevice.wait(device, &info, 0) == VK_TIMEOUT);
  REQUIRE(timelineDevice.wait(device, &info, 10'000'000) == VK_TIMEOUT);

  // Neither reached: wait-any times out too.
  values[1] = 3;
  info.flags = VK_SEMAPHORE_WAIT_ANY_BIT_KHR;
  REQUIRE(timelineDevice.wait(device, &info, 10'000'000) == VK_TIMEOUT);

  VK_CHECK(first.signal(1));
  REQUIRE(timelineDevice.wait(device, &info, 0) == VK_SUCCESS);
}

TEST_CASE("sync: a submission waiting for timeline value 5 runs only after the host signals 5",
          "[sync][semaphore][timeline]") {
  test::Instance instance;
  TimelineDevice timelineDevice(instance, 1);
  test::Device& device = timelineDevice.device;
  const VkDeviceSize size = 1024 * 1024;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  test::fillPattern(a.data, size, 5);
  std::memset(b.data, 0, size);
  const std::vector<uint8_t> zeros(size, 0);

  Timeline timeline(timelineDevice, 0);
  VkFence fence = device.createFence();
  VkCommandBuffer cb = recordCopy(device, a, b, 0, size, true);
  // Wait-before-signal: nothing has signalled 5 yet, and nothing on the device ever will.
  submitOnTimeline(device.queues[0], cb, timeline, 5, 6, fence);

  std::this_thread::sleep_for(milliseconds(20));
  REQUIRE(vkGetFenceStatus(device.handle, fence) == VK_NOT_READY);
  REQUIRE(timeline.value() == 0);
  REQUIRE(std::memcmp(b.data, zeros.data(), size) == 0);

  VK_CHECK(timeline.signal(5));
  REQUIRE(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 5 * kSecond) == VK_SUCCESS);
  // The submission's own signal follows its work, and a host wait sees it.
  REQUIRE(timeline.wait(6, 5 * kSecond) == VK_SUCCESS);
  REQUIRE(std::memcmp(b.data, a.data, size) == 0);

  vkDestroyFence(device.handle, fence, nullptr);
  vkFreeCommandBuffers(device.handle, device.pool, 1, &cb);
  device.destroy(a);
  device.destroy(b);
}

TEST_CASE("sync: copies racing on two queues are ordered by a timeline semaphore alone",
          "[sync][semaphore][timeline][multiqueue]") {
  test::Instance instance;
  if (!hasTwoQueues(instance.physical)) return;
  TimelineDevice timelineDevice(instance, 2);
  test::Device& device = timelineDevice.device;
  constexpr uint64_t kIterations = 200;
  constexpr VkDeviceSize kSlice = 64 * 1024;
  const VkDeviceSize size = kIterations * kSlice;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  auto c = device.createBuffer(size);
  test::fillPattern(a.data, size, 0xC0FFEE);
  std::memset(b.data, 0, size);
  std::memset(c.data, 0, size);

  // Iteration i copies slice i: A->B ("produce", signals 2i+1) then B->C ("consume", waits 2i+1,
  // signals 2i+2). The consumer is submitted first, so every wait is a wait-before-signal, and
  // the queues swap roles each iteration. Each producer also waits for the previous consumer:
  // timeline signals must execute in increasing order (VUID-VkSubmitInfo-pSignalSemaphores-03242).
  Timeline timeline(timelineDevice, 0);
  std::vector<VkCommandBuffer> cbs;
  for (uint64_t i = 0; i < kIterations; ++i) {
    const uint32_t producer = i % 2, consumer = 1 - producer;
    VkCommandBuffer produce = recordCopy(device, a, b, i * kSlice, kSlice, false);
    VkCommandBuffer consume = recordCopy(device, b, c, i * kSlice, kSlice, true);
    submitOnTimeline(device.queues[consumer], consume, timeline, 2 * i + 1, 2 * i + 2);
    submitOnTimeline(device.queues[producer], produce, timeline, 2 * i, 2 * i + 1);
    cbs.push_back(produce);
    cbs.push_back(consume);
  }

  REQUIRE(timeline.wait(2 * kIterations, 10 * kSecond) == VK_SUCCESS);
  REQUIRE(timeline.value() == 2 * kIterations);
  for (uint64_t i = 0; i < kIterations; ++i) {
    if (std::memcmp(c.as<uint8_t>() + i * kSlice, a.as<uint8_t>() + i * kSlice, kSlice) != 0)
      FAIL("iteration " << i << ": C differs from A");
  }

  vkFreeCommandBuffers(device.handle, device.pool, static_cast<uint32_t>(cbs.size()), cbs.data());
  for (auto* buffer : {&a, &b, &c}) device.destroy(*buffer);
}
