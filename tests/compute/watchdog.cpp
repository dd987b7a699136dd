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
  REQUIRE(setenv("EMVK_TIMEOUT_MS", std::to_string(timeoutMs).c_str(), 1) == 0);
  {
    test::Device device(instance);
    unsetenv("EMVK_TIMEOUT_MS");  // read when the device was created
    Program program(device, compute_test::spirv("endless", Variant::Optimized), 1);
    VkPipeline pipeline = program.pipeline();
    auto data = device.createBuffer(4 + 4 * 256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    data.as<uint32_t>()[0] = 0;
    program.bindBuffers({&data});
    VkCommandBuffer cb = device.begin();
    program.bind(cb, pipeline);
    vkCmdDispatch(cb, 4, 1, 1);
    REQUIRE(vkEndCommandBuffer(cb) == VK_SUCCESS);
    VkFence fence = device.createFence();
    VkSubmitInfo submit{
        VK_STRUCTURE_TYPE_SUBMIT_INFO, nullptr, 0, nullptr, nullptr, 1, &cb, 0, nullptr};
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(vkQueueSubmit(device.queues[0], 1, &submit, fence) == VK_SUCCESS);
    // An unbounded wait: without the watchdog it would never return.
    CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, UINT64_MAX) == VK_ERROR_DEVICE_LOST);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    INFO("the dispatch was stopped after " << ms << " ms");
    CHECK(ms >= static_cast<double>(timeoutMs));
    CHECK(ms < static_cast<double>(timeoutMs) + 1000.0);  // the bound: timeout + 1 s
    CHECK(instance.messages.contains("EMVK_TIMEOUT_MS"));
    // A lost device answers so from then on.
    CHECK(vkQueueSubmit(device.queues[0], 0, nullptr, VK_NULL_HANDLE) == VK_ERROR_DEVICE_LOST);
    vkDestroyFence(device.handle, fence, nullptr);
    device.destroy(data);
  }  // the lost device is destroyed cleanly

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
