// The life of a command buffer: secondaries executed from a primary, resubmission without
// ONE_TIME_SUBMIT, reset (one buffer or the whole pool), trim and free.
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "harness.hpp"

namespace {

// Orders every earlier transfer (this submission or an earlier one on the queue) before every
// later one, for read-after-write and write-after-write hazards alike.
void barrierBetweenTransfers(VkCommandBuffer cb) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT,
                          VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                       &barrier, 0, nullptr, 0, nullptr);
}

VkCommandPool createPool(test::Device& device, VkCommandPoolCreateFlags flags) {
  VkCommandPoolCreateInfo info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  info.flags = flags;
  info.queueFamilyIndex = device.family;
  VkCommandPool pool;
  VK_CHECK(vkCreateCommandPool(device.handle, &info, nullptr, &pool));
  return pool;
}

std::vector<VkCommandBuffer> allocate(test::Device& device, VkCommandPool pool, uint32_t count) {
  VkCommandBufferAllocateInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  info.commandPool = pool;
  info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  info.commandBufferCount = count;
  std::vector<VkCommandBuffer> cbs(count);
  VK_CHECK(vkAllocateCommandBuffers(device.handle, &info, cbs.data()));
  return cbs;
}

// True when `count` words from word `first` on all equal `value`.
bool wordsEqual(const test::Buffer& buffer, size_t first, size_t count, uint32_t value) {
  const auto* words = buffer.as<uint32_t>();
  for (size_t i = first; i < first + count; ++i)
    if (words[i] != value) return false;
  return true;
}

}  // namespace

TEST_CASE("transfer: secondary command buffers run inside a primary via vkCmdExecuteCommands",
          "[transfer][command_buffer]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 1 << 20, half = size / 2;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  for (VkDeviceSize i = 0; i < size; ++i) a.as<uint8_t>()[i] = static_cast<uint8_t>(i * 13 + 5);

  // Secondaries outside a render pass still need inheritance info
  // (VUID-vkBeginCommandBuffer-commandBuffer-00051); it names no render pass and no queries.
  VkCommandBufferInheritanceInfo inheritance{VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO};
  VkCommandBufferBeginInfo beginSecondary{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  beginSecondary.pInheritanceInfo = &inheritance;

  VkCommandBuffer copyHalf = device.allocateCommandBuffer(VK_COMMAND_BUFFER_LEVEL_SECONDARY);
  VK_CHECK(vkBeginCommandBuffer(copyHalf, &beginSecondary));
  const VkBufferCopy region{0, 0, half};
  vkCmdCopyBuffer(copyHalf, a.buffer, b.buffer, 1, &region);
  VK_CHECK(vkEndCommandBuffer(copyHalf));

  VkCommandBuffer fillHalf = device.allocateCommandBuffer(VK_COMMAND_BUFFER_LEVEL_SECONDARY);
  VK_CHECK(vkBeginCommandBuffer(fillHalf, &beginSecondary));
  vkCmdFillBuffer(fillHalf, b.buffer, half, VK_WHOLE_SIZE, 0x77777777);
  VK_CHECK(vkEndCommandBuffer(fillHalf));

  // The primary clears B first; the secondaries' writes must land after that clear.
  device.run([&](VkCommandBuffer cb) {
    vkCmdFillBuffer(cb, b.buffer, 0, VK_WHOLE_SIZE, 0xFFFFFFFF);
    barrierBetweenTransfers(cb);
    VkCommandBuffer secondaries[] = {copyHalf, fillHalf};
    vkCmdExecuteCommands(cb, 2, secondaries);
    test::barrierToHost(cb);
  });
  REQUIRE(std::memcmp(b.data, a.data, half) == 0);
  REQUIRE(wordsEqual(b, half / 4, half / 4, 0x77777777));

  // A secondary stays executable: a new primary can run it again once the first is done.
  std::memset(b.data, 0, size);
  device.run([&](VkCommandBuffer cb) {
    vkCmdExecuteCommands(cb, 1, &copyHalf);
    test::barrierToHost(cb);
  });
  REQUIRE(std::memcmp(b.data, a.data, half) == 0);
  REQUIRE(wordsEqual(b, half / 4, half / 4, 0));

  VkCommandBuffer secondaries[] = {copyHalf, fillHalf};
  vkFreeCommandBuffers(device.handle, device.pool, 2, secondaries);
  device.destroy(a);
  device.destroy(b);
}

TEST_CASE("transfer: a command buffer submitted twice without ONE_TIME_SUBMIT does its work twice",
          "[transfer][command_buffer]") {
  test::Instance instance;
  test::Device device(instance);
  constexpr uint32_t kWords = 4096;
  const VkDeviceSize size = kWords * 4;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  for (uint32_t i = 0; i < kWords; ++i) a.as<uint32_t>()[i] = i + 1;

  // Each run shifts A up by one word (A[i] = A[i-1], A[0] kept) through B, so after k runs
  // A[i] = original A[max(0, i-k)]: the count of runs is readable from the data.
  VkCommandBuffer shift = device.allocateCommandBuffer();
  test::beginCommandBuffer(shift);
  barrierBetweenTransfers(shift);  // orders this run after the previous submission's copies
  const VkBufferCopy up{0, 4, size - 4};
  vkCmdCopyBuffer(shift, a.buffer, b.buffer, 1, &up);
  barrierBetweenTransfers(shift);
  const VkBufferCopy back{4, 4, size - 4};
  vkCmdCopyBuffer(shift, b.buffer, a.buffer, 1, &back);
  test::barrierToHost(shift);
  VK_CHECK(vkEndCommandBuffer(shift));

  auto expectRuns = [&](uint32_t runs) {
    INFO("after " << runs << " runs");
    const auto* words = a.as<uint32_t>();
    for (uint32_t i = 0; i < kWords; ++i) {
      const uint32_t expected = (i < runs ? 0 : i - runs) + 1;
      if (words[i] != expected)
        FAIL("word " << i << " is " << words[i] << ", expected " << expected);
    }
  };
  // Waiting in between matters: resubmitting while still pending would need SIMULTANEOUS_USE
  // (VUID-vkQueueSubmit-pCommandBuffers-00071).
  device.submitAndWait({shift});
  expectRuns(1);
  device.submitAndWait({shift});
  expectRuns(2);
  device.submitAndWait({shift});
  expectRuns(3);

  vkFreeCommandBuffers(device.handle, device.pool, 1, &shift);
  device.destroy(a);
  device.destroy(b);
}

TEST_CASE("transfer: vkResetCommandBuffer drops recorded commands so the buffer can be re-recorded",
          "[transfer][command_buffer]") {
  test::Instance instance;
  test::Device device(instance);
  constexpr size_t kWords = 1024;  // two regions of kWords words: X then Y
  auto buffer = device.createBuffer(2 * kWords * 4);
  std::memset(buffer.data, 0, buffer.size);

  VkCommandBuffer cb = device.allocateCommandBuffer();
  test::beginCommandBuffer(cb);
  vkCmdFillBuffer(cb, buffer.buffer, 0, kWords * 4, 1);
  test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  device.submitAndWait({cb});
  REQUIRE(wordsEqual(buffer, 0, kWords, 1));

  // After the reset only the newly recorded fill of Y may run; X stays as the host left it.
  std::memset(buffer.data, 0, buffer.size);
  VK_CHECK(vkResetCommandBuffer(cb, VK_COMMAND_BUFFER_RESET_RELEASE_RESOURCES_BIT));
  test::beginCommandBuffer(cb);
  vkCmdFillBuffer(cb, buffer.buffer, kWords * 4, kWords * 4, 2);
  test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  device.submitAndWait({cb});
  REQUIRE(wordsEqual(buffer, 0, kWords, 0));
  REQUIRE(wordsEqual(buffer, kWords, kWords, 2));

  // The harness pool allows per-buffer reset, so vkBeginCommandBuffer resets implicitly
  // (VUID-vkBeginCommandBuffer-commandBuffer-00050 only forbids this for other pools).
  std::memset(buffer.data, 0, buffer.size);
  test::beginCommandBuffer(cb, VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
  vkCmdFillBuffer(cb, buffer.buffer, 0, kWords * 4, 3);
  test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  device.submitAndWait({cb});
  REQUIRE(wordsEqual(buffer, 0, kWords, 3));
  REQUIRE(wordsEqual(buffer, kWords, kWords, 0));

  vkFreeCommandBuffers(device.handle, device.pool, 1, &cb);
  device.destroy(buffer);
}

TEST_CASE(
    "transfer: vkResetCommandPool returns every command buffer of the pool to the initial state",
    "[transfer][command_buffer]") {
  test::Instance instance;
  test::Device device(instance);
  constexpr size_t kWords = 1024;
  auto buffer = device.createBuffer(2 * kWords * 4);
  std::memset(buffer.data, 0, buffer.size);

  // No RESET_COMMAND_BUFFER flag: resetting the pool is the only way back to recording.
  VkCommandPool pool = createPool(device, 0);
  auto cbs = allocate(device, pool, 2);
  for (uint32_t i = 0; i < 2; ++i) {
    test::beginCommandBuffer(cbs[i]);
    vkCmdFillBuffer(cbs[i], buffer.buffer, i * kWords * 4, kWords * 4, 10 + i);
    test::barrierToHost(cbs[i]);
    VK_CHECK(vkEndCommandBuffer(cbs[i]));
  }
  device.submitAndWait(cbs);
  REQUIRE(wordsEqual(buffer, 0, kWords, 10));
  REQUIRE(wordsEqual(buffer, kWords, kWords, 11));

  // Re-record both with their regions swapped; stale commands would leave 10/11 behind.
  std::memset(buffer.data, 0, buffer.size);
  VK_CHECK(vkResetCommandPool(device.handle, pool, VK_COMMAND_POOL_RESET_RELEASE_RESOURCES_BIT));
  for (uint32_t i = 0; i < 2; ++i) {
    test::beginCommandBuffer(cbs[i]);
    vkCmdFillBuffer(cbs[i], buffer.buffer, (1 - i) * kWords * 4, kWords * 4, 20 + i);
    test::barrierToHost(cbs[i]);
    VK_CHECK(vkEndCommandBuffer(cbs[i]));
  }
  device.submitAndWait(cbs);
  REQUIRE(wordsEqual(buffer, 0, kWords, 21));
  REQUIRE(wordsEqual(buffer, kWords, kWords, 20));

  vkDestroyCommandPool(device.handle, pool, nullptr);  // frees its command buffers too
  device.destroy(buffer);
}

TEST_CASE("transfer: after vkFreeCommandBuffers and vkTrimCommandPool the pool still records",
          "[transfer][command_buffer]") {
  test::Instance instance;
  test::Device device(instance);
  constexpr uint32_t kCount = 16;
  auto buffer = device.createBuffer(kCount * 4);
  VkCommandPool pool = createPool(device, VK_COMMAND_POOL_CREATE_TRANSIENT_BIT);

  auto fillEachWord = [&](const std::vector<VkCommandBuffer>& cbs, uint32_t base) {
    std::memset(buffer.data, 0, buffer.size);
    for (uint32_t i = 0; i < cbs.size(); ++i) {
      test::beginCommandBuffer(cbs[i], VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
      vkCmdFillBuffer(cbs[i], buffer.buffer, i * 4, 4, base + i);
      test::barrierToHost(cbs[i]);
      VK_CHECK(vkEndCommandBuffer(cbs[i]));
    }
    device.submitAndWait(cbs);
    for (uint32_t i = 0; i < cbs.size(); ++i) REQUIRE(buffer.as<uint32_t>()[i] == base + i);
  };

  auto cbs = allocate(device, pool, kCount);
  fillEachWord(cbs, 100);

  // Null entries in the array are ignored (VUID-vkFreeCommandBuffers-pCommandBuffers-00048).
  cbs.push_back(VK_NULL_HANDLE);
  vkFreeCommandBuffers(device.handle, pool, static_cast<uint32_t>(cbs.size()), cbs.data());
  vkTrimCommandPool(device.handle, pool, 0);

  fillEachWord(allocate(device, pool, 4), 200);
  vkTrimCommandPool(device.handle, pool, 0);  // trimming with live command buffers is fine too

  vkDestroyCommandPool(device.handle, pool, nullptr);
  device.destroy(buffer);
}
