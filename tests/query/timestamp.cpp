// Timestamp queries: written around real work, read back in every result format, reset on the
// host (VK_EXT_host_query_reset), copied into a buffer, and monotonic across submissions.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <vector>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

constexpr uint64_t kSecond = 1'000'000'000;

// Timestamps are only writable on a queue family with non-zero timestampValidBits
// (VUID-vkCmdWriteTimestamp-timestampValidBits-00829), and the checks here compare raw values,
// which needs all 64 bits (no wrap-around). emvk promises exactly that.
bool hasFullTimestamps(VkPhysicalDevice physical) {
  const std::vector<VkQueueFamilyProperties> families = test::queueFamilies(physical);
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(physical, &properties);
  if (probe::isEmvk(physical)) {
    REQUIRE(families.at(0).timestampValidBits == 64);
    REQUIRE(properties.limits.timestampComputeAndGraphics == VK_TRUE);
    REQUIRE(properties.limits.timestampPeriod == 1.0f);
  }
  if (families.at(0).timestampValidBits == 64) return true;
  WARN("skipped: queue family 0 has " << families.at(0).timestampValidBits << " timestamp bits");
  return false;
}

VkQueryPool createTimestampPool(VkDevice device, uint32_t count) {
  VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  info.queryType = VK_QUERY_TYPE_TIMESTAMP;
  info.queryCount = count;
  VkQueryPool pool;
  VK_CHECK(vkCreateQueryPool(device, &info, nullptr, &pool));
  return pool;
}

// Copies all of `from` into `to`: work long enough to separate two timestamps.
void copyAll(VkCommandBuffer cb, const test::Buffer& from, const test::Buffer& to) {
  const VkBufferCopy region{0, 0, from.size};
  vkCmdCopyBuffer(cb, from.buffer, to.buffer, 1, &region);
}

}  // namespace

TEST_CASE("query: timestamps around a large copy are available and ordered in every result format",
          "[query][timestamp]") {
  test::Instance instance;
  if (!hasFullTimestamps(instance.physical)) return;
  test::Device device(instance);
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(instance.physical, &properties);
  auto source = device.createBuffer(64 * 1024 * 1024);
  auto destination = device.createBuffer(64 * 1024 * 1024);
  VkQueryPool pool = createTimestampPool(device.handle, 2);

  // A query must be reset before it is written (VUID-vkCmdWriteTimestamp-None-00830).
  const auto hostStart = std::chrono::steady_clock::now();
  device.run([&](VkCommandBuffer cb) {
    vkCmdResetQueryPool(cb, pool, 0, 2);
    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 0);
    copyAll(cb, source, destination);
    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 1);
  });
  const auto hostElapsed = std::chrono::steady_clock::now() - hostStart;

  // 64-bit values, waiting for availability; stride is a multiple of 8
  // (VUID-vkGetQueryPoolResults-flags-00815).
  uint64_t t[2] = {};
  VK_CHECK(vkGetQueryPoolResults(device.handle, pool, 0, 2, sizeof(t), t, sizeof(uint64_t),
                                 VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  // The copy takes milliseconds, so the two timestamps cannot coincide.
  REQUIRE(t[1] > t[0]);
  // The device interval fits within what the host measured around the whole submission.
  const double deviceNs = static_cast<double>(t[1] - t[0]) * properties.limits.timestampPeriod;
  REQUIRE(deviceNs <= std::chrono::duration<double, std::nano>(hostElapsed).count() * 1.01 + 1e6);

  // With availability: each query is {value, available}, in the same order.
  uint64_t withAvailability[4] = {};
  VK_CHECK(vkGetQueryPoolResults(device.handle, pool, 0, 2, sizeof(withAvailability),
                                 withAvailability, 2 * sizeof(uint64_t),
                                 VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT));
  REQUIRE(withAvailability[0] == t[0]);
  REQUIRE(withAvailability[1] != 0);
  REQUIRE(withAvailability[2] == t[1]);
  REQUIRE(withAvailability[3] != 0);

  // 32-bit results (stride a multiple of 4, VUID-vkGetQueryPoolResults-flags-02828): a value
  // that overflows 32 bits may wrap or saturate (vkGetQueryPoolResults), nothing else.
  uint32_t low[2] = {};
  VK_CHECK(vkGetQueryPoolResults(device.handle, pool, 0, 2, sizeof(low), low, sizeof(uint32_t), 0));
  for (int i = 0; i < 2; ++i) {
    INFO("query " << i);
    const bool wrapped = low[i] == static_cast<uint32_t>(t[i]);
    const bool saturated = t[i] > UINT32_MAX && low[i] == UINT32_MAX;
    REQUIRE((wrapped || saturated));
  }

  // Reading a single query at an offset into the pool.
  uint64_t second = 0;
  VK_CHECK(vkGetQueryPoolResults(device.handle, pool, 1, 1, sizeof(second), &second,
                                 sizeof(uint64_t), VK_QUERY_RESULT_64_BIT));
  REQUIRE(second == t[1]);

  vkDestroyQueryPool(device.handle, pool, nullptr);
  device.destroy(source);
  device.destroy(destination);
}

TEST_CASE("query: after vkResetQueryPoolEXT results are VK_NOT_READY until written",
          "[query][timestamp]") {
  test::Instance instance;
  if (!hasFullTimestamps(instance.physical)) return;
  VkPhysicalDeviceHostQueryResetFeaturesEXT hostReset{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_HOST_QUERY_RESET_FEATURES_EXT, nullptr, VK_TRUE};
  test::DeviceOptions options;
  options.extensions = {VK_EXT_HOST_QUERY_RESET_EXTENSION_NAME};
  options.pNext = &hostReset;
  test::Device device(instance, options);
  auto resetQueryPool = device.proc<PFN_vkResetQueryPoolEXT>("vkResetQueryPoolEXT");
  REQUIRE(resetQueryPool != nullptr);
  VkQueryPool pool = createTimestampPool(device.handle, 4);

  // Needs the hostQueryReset feature (VUID-vkResetQueryPool-None-02665).
  resetQueryPool(device.handle, pool, 0, 4);
  uint64_t results[8] = {};
  // Unavailable queries without WAIT: VK_NOT_READY, and availability words of zero.
  REQUIRE(vkGetQueryPoolResults(device.handle, pool, 0, 4, 4 * sizeof(uint64_t), results,
                                sizeof(uint64_t), VK_QUERY_RESULT_64_BIT) == VK_NOT_READY);
  std::memset(results, 0xFF, sizeof(results));
  REQUIRE(vkGetQueryPoolResults(
              device.handle, pool, 0, 4, sizeof(results), results, 2 * sizeof(uint64_t),
              VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT) == VK_NOT_READY);
  for (int i = 0; i < 4; ++i) REQUIRE(results[2 * i + 1] == 0);

  // Write queries 1 and 2 only: the range is still not ready, each written one is.
  device.run([&](VkCommandBuffer cb) {
    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 1);
    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 2);
  });
  REQUIRE(vkGetQueryPoolResults(
              device.handle, pool, 0, 4, sizeof(results), results, 2 * sizeof(uint64_t),
              VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT) == VK_NOT_READY);
  REQUIRE(results[1] == 0);
  REQUIRE(results[3] != 0);
  REQUIRE(results[5] != 0);
  REQUIRE(results[7] == 0);
  REQUIRE(results[4] >= results[2]);
  VK_CHECK(vkGetQueryPoolResults(device.handle, pool, 1, 2, 2 * sizeof(uint64_t), results,
                                 sizeof(uint64_t), VK_QUERY_RESULT_64_BIT));

  // A host reset makes written queries unavailable again.
  resetQueryPool(device.handle, pool, 1, 1);
  REQUIRE(vkGetQueryPoolResults(device.handle, pool, 1, 1, sizeof(uint64_t), results,
                                sizeof(uint64_t), VK_QUERY_RESULT_64_BIT) == VK_NOT_READY);
  VK_CHECK(vkGetQueryPoolResults(device.handle, pool, 2, 1, sizeof(uint64_t), results,
                                 sizeof(uint64_t), VK_QUERY_RESULT_64_BIT));
  vkDestroyQueryPool(device.handle, pool, nullptr);
}

TEST_CASE("query: vkCmdCopyQueryPoolResults writes values and availability into a buffer",
          "[query][timestamp]") {
  test::Instance instance;
  if (!hasFullTimestamps(instance.physical)) return;
  test::Device device(instance);
  auto source = device.createBuffer(8 * 1024 * 1024);
  auto destination = device.createBuffer(8 * 1024 * 1024);
  auto results = device.createBuffer(256);
  std::memset(results.data, 0xEE, results.size);
  VkQueryPool pool = createTimestampPool(device.handle, 2);

  // Start at byte 8 with a 16-byte stride: {value, availability} per query, 8-byte aligned
  // (VUID-vkCmdCopyQueryPoolResults-flags-00822).
  const VkDeviceSize offset = 8, stride = 16;
  device.run([&](VkCommandBuffer cb) {
    vkCmdResetQueryPool(cb, pool, 0, 2);
    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 0);
    copyAll(cb, source, destination);
    vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 1);
    // WAIT makes the copy wait for the timestamps written just before it.
    vkCmdCopyQueryPoolResults(
        cb, pool, 0, 2, results.buffer, offset, stride,
        VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT);
    // The query copy is a transfer write; the host reads it after the fence.
    test::barrierToHost(cb);
  });

  uint64_t fromHost[2] = {};
  VK_CHECK(vkGetQueryPoolResults(device.handle, pool, 0, 2, sizeof(fromHost), fromHost,
                                 sizeof(uint64_t),
                                 VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  uint64_t copied[4];
  std::memcpy(copied, results.as<uint8_t>() + offset, sizeof(copied));
  REQUIRE(copied[0] == fromHost[0]);
  REQUIRE(copied[1] != 0);
  REQUIRE(copied[2] == fromHost[1]);
  REQUIRE(copied[3] != 0);
  REQUIRE(copied[2] > copied[0]);
  // Bytes outside the written records are untouched.
  const auto* bytes = results.as<uint8_t>();
  for (VkDeviceSize i = 0; i < offset; ++i) REQUIRE(bytes[i] == 0xEE);
  for (VkDeviceSize i = offset + 2 * stride; i < results.size; ++i) REQUIRE(bytes[i] == 0xEE);

  vkDestroyQueryPool(device.handle, pool, nullptr);
  for (auto* buffer : {&source, &destination, &results}) device.destroy(*buffer);
}

TEST_CASE("query: timestamps across 10 submissions never go backwards", "[query][timestamp]") {
  test::Instance instance;
  if (!hasFullTimestamps(instance.physical)) return;
  test::Device device(instance);
  constexpr uint32_t kSubmissions = 10;
  auto source = device.createBuffer(1024 * 1024);
  auto destination = device.createBuffer(1024 * 1024);
  VkQueryPool pool = createTimestampPool(device.handle, 2 * kSubmissions);

  // Each submission brackets a small copy; each completes before the next is submitted.
  for (uint32_t i = 0; i < kSubmissions; ++i) {
    device.run([&](VkCommandBuffer cb) {
      vkCmdResetQueryPool(cb, pool, 2 * i, 2);
      vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 2 * i);
      copyAll(cb, source, destination);
      vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 2 * i + 1);
    });
  }

  std::vector<uint64_t> t(2 * kSubmissions);
  VK_CHECK(vkGetQueryPoolResults(device.handle, pool, 0, 2 * kSubmissions,
                                 t.size() * sizeof(uint64_t), t.data(), sizeof(uint64_t),
                                 VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  for (size_t i = 1; i < t.size(); ++i) {
    INFO("timestamp " << i);
    REQUIRE(t[i] >= t[i - 1]);
  }
  // Host-serialized submissions are strictly later than the previous one's end.
  for (uint32_t i = 1; i < kSubmissions; ++i) REQUIRE(t[2 * i] > t[2 * i - 1]);

  vkDestroyQueryPool(device.handle, pool, nullptr);
  device.destroy(source);
  device.destroy(destination);
}

TEST_CASE("query: vkCmdWriteTimestamp2KHR brackets a copy with ordered timestamps",
          "[query][timestamp][sync2]") {
  test::Instance instance;
  if (!hasFullTimestamps(instance.physical)) return;
  VkPhysicalDeviceSynchronization2FeaturesKHR sync2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES_KHR, nullptr, VK_TRUE};
  test::DeviceOptions options;
  options.extensions = {VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME};
  options.pNext = &sync2;
  test::Device device(instance, options);
  auto writeTimestamp2 = device.proc<PFN_vkCmdWriteTimestamp2KHR>("vkCmdWriteTimestamp2KHR");
  REQUIRE(writeTimestamp2 != nullptr);
  auto source = device.createBuffer(32 * 1024 * 1024);
  auto destination = device.createBuffer(32 * 1024 * 1024);
  VkQueryPool pool = createTimestampPool(device.handle, 3);

  // Each write names a single stage (VUID-vkCmdWriteTimestamp2-stage-03859).
  device.run([&](VkCommandBuffer cb) {
    vkCmdResetQueryPool(cb, pool, 0, 3);
    writeTimestamp2(cb, VK_PIPELINE_STAGE_2_TOP_OF_PIPE_BIT_KHR, pool, 0);
    copyAll(cb, source, destination);
    writeTimestamp2(cb, VK_PIPELINE_STAGE_2_COPY_BIT_KHR, pool, 1);
    writeTimestamp2(cb, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT_KHR, pool, 2);
  });

  uint64_t t[6] = {};
  VK_CHECK(vkGetQueryPoolResults(
      device.handle, pool, 0, 3, sizeof(t), t, 2 * sizeof(uint64_t),
      VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT));
  for (int i = 0; i < 3; ++i) REQUIRE(t[2 * i + 1] != 0);
  REQUIRE(t[2] > t[0]);
  REQUIRE(t[4] >= t[2]);

  vkDestroyQueryPool(device.handle, pool, nullptr);
  device.destroy(source);
  device.destroy(destination);
}
