// Fences from the host's side: initial state, reset, status, timeouts, wait-any versus wait-all,
// and idle waits that must leave every fence of earlier submissions signaled.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

#include "harness.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

}  // namespace

TEST_CASE("sync: a fence created signaled reads VK_SUCCESS then VK_NOT_READY after reset",
          "[sync][fence]") {
  test::Instance instance;
  test::Device device(instance);
  VkFence fence = device.createFence(true);
  REQUIRE(vkGetFenceStatus(device.handle, fence) == VK_SUCCESS);
  VK_CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 0));

  VK_CHECK(vkResetFences(device.handle, 1, &fence));
  REQUIRE(vkGetFenceStatus(device.handle, fence) == VK_NOT_READY);
  // Resetting an unsignaled fence is allowed and changes nothing.
  VK_CHECK(vkResetFences(device.handle, 1, &fence));
  REQUIRE(vkGetFenceStatus(device.handle, fence) == VK_NOT_READY);
  vkDestroyFence(device.handle, fence, nullptr);
}

TEST_CASE("sync: waiting on an unsignaled fence with timeout 0 returns VK_TIMEOUT at once",
          "[sync][fence]") {
  test::Instance instance;
  test::Device device(instance);
  VkFence fence = device.createFence();
  const auto start = Clock::now();
  // A zero timeout only polls: the call returns at once (vkWaitForFences).
  REQUIRE(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 0) == VK_TIMEOUT);
  REQUIRE(Clock::now() - start < milliseconds(50));
  vkDestroyFence(device.handle, fence, nullptr);
}

TEST_CASE("sync: a 50 ms wait on a fence nobody signals times out after about 50 ms",
          "[sync][fence]") {
  test::Instance instance;
  test::Device device(instance);
  VkFence fence = device.createFence();
  const auto start = Clock::now();
  REQUIRE(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 50'000'000) == VK_TIMEOUT);
  const auto elapsed = Clock::now() - start;
  // The timeout may be rounded to the implementation's accuracy, so allow a little early and a
  // lot late (a loaded 2-core CI machine).
  CHECK(elapsed >= milliseconds(45));
  CHECK(elapsed < milliseconds(1000));
  vkDestroyFence(device.handle, fence, nullptr);
}

TEST_CASE("sync: wait-all and wait-any differ when one of two fences is signaled",
          "[sync][fence]") {
  test::Instance instance;
  test::Device device(instance);
  VkFence fences[] = {device.createFence(), device.createFence(true)};

  REQUIRE(vkWaitForFences(device.handle, 2, fences, VK_TRUE, 0) == VK_TIMEOUT);
  REQUIRE(vkWaitForFences(device.handle, 2, fences, VK_FALSE, 0) == VK_SUCCESS);
  // Same with a real timeout: wait-any returns at once, wait-all waits it out.
  const auto start = Clock::now();
  REQUIRE(vkWaitForFences(device.handle, 2, fences, VK_FALSE, 1'000'000'000) == VK_SUCCESS);
  REQUIRE(Clock::now() - start < milliseconds(500));
  REQUIRE(vkWaitForFences(device.handle, 2, fences, VK_TRUE, 10'000'000) == VK_TIMEOUT);

  for (VkFence fence : fences) vkDestroyFence(device.handle, fence, nullptr);
}

TEST_CASE("sync: a submission with no work still signals its fence", "[sync][fence]") {
  test::Instance instance;
  test::Device device(instance);
  VkFence fence = device.createFence();
  // With submitCount 0 the fence signals once all earlier work on the queue is done
  // (vkQueueSubmit).
  VK_CHECK(vkQueueSubmit(device.queues[0], 0, nullptr, fence));
  VK_CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 5'000'000'000));
  REQUIRE(vkGetFenceStatus(device.handle, fence) == VK_SUCCESS);

  // A fence can be reset and reused for the next submission.
  VK_CHECK(vkResetFences(device.handle, 1, &fence));
  VkSubmitInfo empty{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  VK_CHECK(vkQueueSubmit(device.queues[0], 1, &empty, fence));
  VK_CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 5'000'000'000));
  vkDestroyFence(device.handle, fence, nullptr);
}

TEST_CASE("sync: vkQueueWaitIdle and vkDeviceWaitIdle leave every earlier fence signaled",
          "[sync][fence]") {
  test::Instance instance;
  test::DeviceOptions options;
  options.queueCount = std::min(test::queueFamilies(instance.physical).at(0).queueCount, 4u);
  test::Device device(instance, options);
  constexpr uint32_t kSubmissions = 100;
  const VkDeviceSize size = 256 * 1024;
  const auto queueCount = static_cast<uint32_t>(device.queues.size());
  auto source = device.createBuffer(size);
  auto destination = device.createBuffer(size * queueCount);

  // One command buffer per queue, each copying into its own slice so queues never race on memory.
  // SIMULTANEOUS_USE lets it be pending many times at once
  // (VUID-vkQueueSubmit-pCommandBuffers-00071); the leading barrier orders each run after the
  // previous one on its queue (write after write).
  std::vector<VkCommandBuffer> cbs(queueCount);
  for (uint32_t q = 0; q < queueCount; ++q) {
    cbs[q] = device.begin(VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT);
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT,
                            VK_ACCESS_TRANSFER_WRITE_BIT};
    vkCmdPipelineBarrier(cbs[q], VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                         1, &barrier, 0, nullptr, 0, nullptr);
    const VkBufferCopy region{0, q * size, size};
    vkCmdCopyBuffer(cbs[q], source.buffer, destination.buffer, 1, &region);
    VK_CHECK(vkEndCommandBuffer(cbs[q]));
  }
  auto submitCopy = [&](uint32_t queue, VkFence fence) {
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cbs[queue];
    VK_CHECK(vkQueueSubmit(device.queues[queue], 1, &submit, fence));
  };

  std::vector<VkFence> fences(kSubmissions);
  for (auto& fence : fences) fence = device.createFence();
  auto allSignaled = [&] {
    return std::all_of(fences.begin(), fences.end(), [&](VkFence fence) {
      return vkGetFenceStatus(device.handle, fence) == VK_SUCCESS;
    });
  };

  // Queue idle: everything submitted to that one queue is done.
  for (VkFence fence : fences) submitCopy(0, fence);
  VK_CHECK(vkQueueWaitIdle(device.queues[0]));
  REQUIRE(allSignaled());

  // Device idle: everything submitted to any of its queues is done.
  VK_CHECK(vkResetFences(device.handle, kSubmissions, fences.data()));
  for (uint32_t i = 0; i < kSubmissions; ++i) submitCopy(i % queueCount, fences[i]);
  VK_CHECK(vkDeviceWaitIdle(device.handle));
  REQUIRE(allSignaled());

  for (VkFence fence : fences) vkDestroyFence(device.handle, fence, nullptr);
  vkFreeCommandBuffers(device.handle, device.pool, queueCount, cbs.data());
  device.destroy(source);
  device.destroy(destination);
}
