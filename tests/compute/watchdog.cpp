// The watchdog (device/watchdog.hpp): a shader that never ends makes the device lost within
// EMVK_TIMEOUT_MS (+ the watchdog's period) instead of hanging the application; the application
// can then destroy that device and go on with a new one.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "compute/pipeline.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using compute_test::Program;
using compute_test::Variant;

TEST_CASE(
    "compute: an endless shader loses the device within EMVK_TIMEOUT_MS, and a new device works",
    "[compute][watchdog]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  // After the loss, the validation layer still counts the stopped command buffer as pending and
  // flags the pool's destruction (VUID-vkDestroyCommandPool-commandPool-00041); the spec lets an
  // application destroy objects of a lost device.
  instance.expectInvalidUsage = true;
  const uint64_t timeoutMs = 300;
  // A uniform loop; a loop with barriers (coroutines); a loop whose lanes never agree.
  for (const char* shader : {"endless", "endless_barrier", "endless_divergent"}) {
    INFO(shader);
    REQUIRE(setenv("EMVK_TIMEOUT_MS", std::to_string(timeoutMs).c_str(), 1) == 0);
    VkPhysicalDeviceTimelineSemaphoreFeatures timeline{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, nullptr, VK_TRUE};
    test::DeviceOptions options;
    options.extensions = {VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME};
    options.pNext = &timeline;
    test::Device device(instance, options);
    unsetenv("EMVK_TIMEOUT_MS");  // read when the device was created
    Program program(device, compute_test::spirv(shader, Variant::Optimized), 1);
    VkPipeline pipeline = program.pipeline();
    auto data = device.createBuffer(4 + 4 * 1024, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    std::memset(data.data, 0, data.size);
    program.bindBuffers({&data});
    VkCommandBuffer cb = device.begin();
    program.bind(cb, pipeline);
    vkCmdDispatch(cb, 4, 1, 1);
    REQUIRE(vkEndCommandBuffer(cb) == VK_SUCCESS);
    VkFence fence = device.createFence();
    // A timeline semaphore the endless batch would signal: a host wait on it must end too.
    VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO, nullptr,
                                   VK_SEMAPHORE_TYPE_TIMELINE, 0};
    VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
    VkSemaphore semaphore;
    REQUIRE(vkCreateSemaphore(device.handle, &semaphoreInfo, nullptr, &semaphore) == VK_SUCCESS);
    const uint64_t one = 1;
    VkTimelineSemaphoreSubmitInfo values{
        VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO, nullptr, 0, nullptr, 1, &one};
    VkSubmitInfo submit{
        VK_STRUCTURE_TYPE_SUBMIT_INFO, &values, 0, nullptr, nullptr, 1, &cb, 1, &semaphore};
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(vkQueueSubmit(device.queues[0], 1, &submit, fence) == VK_SUCCESS);
    // Unbounded waits: without the watchdog they would never return.
    auto waitSemaphores = device.proc<PFN_vkWaitSemaphoresKHR>("vkWaitSemaphoresKHR");
    VkSemaphoreWaitInfo waitInfo{
        VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, nullptr, 0, 1, &semaphore, &one};
    CHECK(waitSemaphores(device.handle, &waitInfo, UINT64_MAX) == VK_ERROR_DEVICE_LOST);
    CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, UINT64_MAX) == VK_ERROR_DEVICE_LOST);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    INFO("the dispatch was stopped after " << ms << " ms");
    CHECK(ms >= static_cast<double>(timeoutMs));
    CHECK(ms < static_cast<double>(timeoutMs) + 1000.0);  // the bound: timeout + 1 s
    CHECK(instance.messages.contains("EMVK_TIMEOUT_MS"));
    // A lost device answers so from then on, to every kind of wait and submission.
    CHECK(vkGetFenceStatus(device.handle, fence) == VK_ERROR_DEVICE_LOST);
    CHECK(vkQueueWaitIdle(device.queues[0]) == VK_ERROR_DEVICE_LOST);
    CHECK(vkDeviceWaitIdle(device.handle) == VK_ERROR_DEVICE_LOST);
    CHECK(vkQueueSubmit(device.queues[0], 0, nullptr, VK_NULL_HANDLE) == VK_ERROR_DEVICE_LOST);
    vkDestroySemaphore(device.handle, semaphore, nullptr);
    vkDestroyFence(device.handle, fence, nullptr);
    device.destroy(data);
  }  // each lost device is destroyed cleanly

  // A new device runs work as if nothing had happened.
  test::Device fresh(instance);
  auto a = fresh.createBuffer(4096), b = fresh.createBuffer(4096);
  std::memset(a.data, 7, 4096);
  fresh.run([&](VkCommandBuffer cb) {
    VkBufferCopy region{0, 0, 4096};
    vkCmdCopyBuffer(cb, a.buffer, b.buffer, 1, &region);
  });
  CHECK(static_cast<uint8_t*>(b.data)[4095] == 7);
  fresh.destroy(a);
  fresh.destroy(b);
}
