// Transfer commands checked byte for byte: vkCmdCopyBuffer, vkCmdFillBuffer, vkCmdUpdateBuffer,
// 256 MiB of each, and barriers (classic and synchronization2) between dependent copies.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "harness.hpp"

namespace {

constexpr VkDeviceSize kMiB = 1024 * 1024;

}  // namespace

TEST_CASE("transfer: vkCmdCopyBuffer copies several regions aligned or not", "[transfer]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 64 * 1024;
  auto source = device.createBuffer(size);
  auto destination = device.createBuffer(size);
  test::fillPattern(source.data, size, 42);
  std::memset(destination.data, 0xEE, size);

  // Copy regions have no alignment rules; only their destinations must not overlap
  // (VUID-vkCmdCopyBuffer-pRegions-00117).
  const std::vector<VkBufferCopy> regions = {
      {0, 0, 256},          // aligned
      {1000, 5003, 777},    // odd offsets, odd size
      {4097, 30001, 1},     // a single byte
      {60000, 10, 5536},    // the source's last bytes
      {123, 40000, 16384},  // source overlapping another region's source is fine
  };
  device.run([&](VkCommandBuffer cb) {
    vkCmdCopyBuffer(cb, source.buffer, destination.buffer, static_cast<uint32_t>(regions.size()),
                    regions.data());
    test::barrierToHost(cb);
  });

  std::vector<uint8_t> expected(size, 0xEE);
  for (const auto& region : regions)
    std::memcpy(expected.data() + region.dstOffset, source.as<uint8_t>() + region.srcOffset,
                region.size);
  REQUIRE(std::memcmp(destination.data, expected.data(), size) == 0);
  device.destroy(source);
  device.destroy(destination);
}

TEST_CASE("transfer: vkCmdFillBuffer fills a range and VK_WHOLE_SIZE rounds down to whole words",
          "[transfer]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 4096 + 403;  // not a multiple of 4
  auto buffer = device.createBuffer(size);
  std::memset(buffer.data, 0xEE, size);

  // Offsets and explicit sizes are multiples of 4 (VUID-vkCmdFillBuffer-dstOffset-00025,
  // VUID-vkCmdFillBuffer-size-00028).
  device.run([&](VkCommandBuffer cb) {
    vkCmdFillBuffer(cb, buffer.buffer, 256, 1024, 0xDEADBEEF);
    vkCmdFillBuffer(cb, buffer.buffer, 2048, VK_WHOLE_SIZE, 0x01020304);
    test::barrierToHost(cb);
  });

  // With VK_WHOLE_SIZE the fill covers the largest multiple of 4 that fits: 2451 -> 2448 bytes.
  std::vector<uint8_t> expected(size, 0xEE);
  auto fillWords = [&](VkDeviceSize offset, VkDeviceSize bytes, uint32_t value) {
    for (VkDeviceSize i = 0; i < bytes; i += 4) std::memcpy(&expected[offset + i], &value, 4);
  };
  fillWords(256, 1024, 0xDEADBEEF);
  fillWords(2048, (size - 2048) / 4 * 4, 0x01020304);
  REQUIRE(std::memcmp(buffer.data, expected.data(), size) == 0);
  const auto* tail = buffer.as<uint8_t>() + size - 3;
  REQUIRE((tail[0] == 0xEE && tail[1] == 0xEE && tail[2] == 0xEE));
  device.destroy(buffer);
}

TEST_CASE("transfer: vkCmdUpdateBuffer writes up to 65536 bytes captured at record time",
          "[transfer]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 65536 + 8;
  auto buffer = device.createBuffer(size);
  std::memset(buffer.data, 0xEE, size);

  std::vector<uint8_t> big(65536);
  test::fillPattern(big.data(), big.size(), 7);
  const std::vector<uint8_t> recorded = big;
  const uint32_t word = 0xCAFEF00D;

  VkCommandBuffer cb = device.begin(/*flags=*/0);
  // dataSize is at most 65536 and, like dstOffset, a multiple of 4
  // (VUID-vkCmdUpdateBuffer-dataSize-00037, -dataSize-00038, -dstOffset-00036).
  vkCmdUpdateBuffer(cb, buffer.buffer, 4, big.size(), big.data());
  vkCmdUpdateBuffer(cb, buffer.buffer, 0, 4, &word);
  test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));

  // The data is copied into the command buffer when the command is recorded, so changing the
  // application's array afterwards must not change what the device writes.
  std::memset(big.data(), 0, big.size());
  device.submitAndWait({cb});

  const auto* bytes = buffer.as<uint8_t>();
  uint32_t first;
  std::memcpy(&first, bytes, 4);
  REQUIRE(first == word);
  REQUIRE(std::memcmp(bytes + 4, recorded.data(), recorded.size()) == 0);
  for (VkDeviceSize i = 4 + 65536; i < size; ++i) REQUIRE(bytes[i] == 0xEE);
  vkFreeCommandBuffers(device.handle, device.pool, 1, &cb);
  device.destroy(buffer);
}

TEST_CASE("transfer: a 256 MiB copy arrives byte for byte", "[transfer][large]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 256 * kMiB;
  auto source = device.createBuffer(size);
  auto destination = device.createBuffer(size);
  test::fillPattern(source.data, size, 0x1234567);

  device.run([&](VkCommandBuffer cb) {
    VkBufferCopy region{0, 0, size};
    vkCmdCopyBuffer(cb, source.buffer, destination.buffer, 1, &region);
    test::barrierToHost(cb);
  });

  // Regenerate the expected stream a MiB at a time rather than trusting the source buffer.
  test::Pattern expected(0x1234567);
  std::vector<uint8_t> chunk(kMiB);
  const auto* bytes = destination.as<uint8_t>();
  for (VkDeviceSize offset = 0; offset < size; offset += kMiB) {
    expected.fill(chunk.data(), kMiB);
    if (std::memcmp(bytes + offset, chunk.data(), kMiB) != 0)
      FAIL("mismatch in MiB " << offset / kMiB);
  }
  device.destroy(source);
  device.destroy(destination);
}

TEST_CASE("transfer: a 256 MiB fill writes every word", "[transfer][large]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 256 * kMiB;
  auto buffer = device.createBuffer(size);
  std::memset(buffer.data, 0x11, 4);
  const uint32_t value = 0x9E3779B9;

  device.run([&](VkCommandBuffer cb) {
    vkCmdFillBuffer(cb, buffer.buffer, 4, VK_WHOLE_SIZE, value);
    test::barrierToHost(cb);
  });

  const auto* bytes = buffer.as<uint8_t>();
  REQUIRE((bytes[0] == 0x11 && bytes[3] == 0x11));  // before the fill's offset
  std::vector<uint32_t> words(kMiB / 4, value);
  for (VkDeviceSize offset = 4; offset < size; offset += kMiB) {
    const VkDeviceSize length = std::min<VkDeviceSize>(kMiB, size - offset);
    if (std::memcmp(bytes + offset, words.data(), length) != 0)
      FAIL("mismatch in MiB " << offset / kMiB);
  }
  device.destroy(buffer);
}

TEST_CASE("transfer: a pipeline barrier orders copy A->B before copy B->C", "[transfer]") {
  test::Instance instance;
  test::Device device(instance);
  // Large enough that an unordered second copy would read a visibly half-written B.
  const VkDeviceSize size = 16 * kMiB;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  auto c = device.createBuffer(size);

  // Once with a global memory barrier, once with a buffer memory barrier on B.
  for (bool bufferBarrier : {false, true}) {
    INFO((bufferBarrier ? "buffer memory barrier" : "global memory barrier"));
    test::fillPattern(a.data, size, bufferBarrier ? 2u : 1u);
    std::memset(b.data, 0, size);
    std::memset(c.data, 0, size);
    device.run([&](VkCommandBuffer cb) {
      const VkBufferCopy region{0, 0, size};
      vkCmdCopyBuffer(cb, a.buffer, b.buffer, 1, &region);
      // A read-after-write hazard on B: the second copy must wait for the first's writes.
      VkMemoryBarrier global{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr,
                             VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT};
      VkBufferMemoryBarrier onB{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
      onB.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      onB.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
      onB.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
      onB.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
      onB.buffer = b.buffer;
      onB.size = VK_WHOLE_SIZE;
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                           bufferBarrier ? 0 : 1, &global, bufferBarrier ? 1 : 0, &onB, 0, nullptr);
      vkCmdCopyBuffer(cb, b.buffer, c.buffer, 1, &region);
      test::barrierToHost(cb);
    });
    REQUIRE(std::memcmp(c.data, a.data, size) == 0);
  }
  device.destroy(a);
  device.destroy(b);
  device.destroy(c);
}

TEST_CASE("transfer: vkCmdPipelineBarrier2KHR and vkQueueSubmit2KHR order dependent copies",
          "[transfer][sync2]") {
  test::Instance instance;
  VkPhysicalDeviceSynchronization2FeaturesKHR sync2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES_KHR};
  sync2.synchronization2 = VK_TRUE;
  test::DeviceOptions options;
  options.extensions = {VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME};
  options.pNext = &sync2;
  test::Device device(instance, options);
  auto barrier2 = device.proc<PFN_vkCmdPipelineBarrier2KHR>("vkCmdPipelineBarrier2KHR");
  auto submit2 = device.proc<PFN_vkQueueSubmit2KHR>("vkQueueSubmit2KHR");
  REQUIRE(barrier2 != nullptr);
  REQUIRE(submit2 != nullptr);

  const VkDeviceSize size = 16 * kMiB;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  auto c = device.createBuffer(size);
  auto d = device.createBuffer(size);
  test::fillPattern(a.data, size, 99);
  const VkBufferCopy region{0, 0, size};

  // First command buffer: A->B, barrier2 on B, B->C.
  VkCommandBuffer first = device.begin(/*flags=*/0);
  vkCmdCopyBuffer(first, a.buffer, b.buffer, 1, &region);
  VkBufferMemoryBarrier2KHR onB{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2_KHR};
  onB.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT_KHR;
  onB.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT_KHR;
  onB.dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT_KHR;
  onB.dstAccessMask = VK_ACCESS_2_TRANSFER_READ_BIT_KHR;
  onB.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  onB.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  onB.buffer = b.buffer;
  onB.size = VK_WHOLE_SIZE;
  VkDependencyInfoKHR dependency{VK_STRUCTURE_TYPE_DEPENDENCY_INFO_KHR};
  dependency.bufferMemoryBarrierCount = 1;
  dependency.pBufferMemoryBarriers = &onB;
  barrier2(first, &dependency);
  vkCmdCopyBuffer(first, b.buffer, c.buffer, 1, &region);
  VK_CHECK(vkEndCommandBuffer(first));

  // Second command buffer, in a later batch: C->D, then a global barrier2 to the host.
  VkCommandBuffer second = device.begin(/*flags=*/0);
  vkCmdCopyBuffer(second, c.buffer, d.buffer, 1, &region);
  VkMemoryBarrier2KHR toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER_2_KHR};
  toHost.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT_KHR;
  toHost.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT_KHR;
  toHost.dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT_KHR;
  toHost.dstAccessMask = VK_ACCESS_2_HOST_READ_BIT_KHR;
  VkDependencyInfoKHR hostDependency{VK_STRUCTURE_TYPE_DEPENDENCY_INFO_KHR};
  hostDependency.memoryBarrierCount = 1;
  hostDependency.pMemoryBarriers = &toHost;
  barrier2(second, &hostDependency);
  VK_CHECK(vkEndCommandBuffer(second));

  // Two batches in one vkQueueSubmit2KHR, chained by a binary semaphore at the copy stage.
  VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  VkSemaphore semaphore;
  VK_CHECK(vkCreateSemaphore(device.handle, &semaphoreInfo, nullptr, &semaphore));
  VkSemaphoreSubmitInfoKHR signal{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO_KHR};
  signal.semaphore = semaphore;
  signal.stageMask = VK_PIPELINE_STAGE_2_COPY_BIT_KHR;
  VkSemaphoreSubmitInfoKHR wait = signal;
  VkCommandBufferSubmitInfoKHR commands[2]{};
  commands[0] = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO_KHR, nullptr, first, 0};
  commands[1] = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO_KHR, nullptr, second, 0};
  VkSubmitInfo2KHR submits[2]{};
  submits[0].sType = submits[1].sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2_KHR;
  submits[0].commandBufferInfoCount = 1;
  submits[0].pCommandBufferInfos = &commands[0];
  submits[0].signalSemaphoreInfoCount = 1;
  submits[0].pSignalSemaphoreInfos = &signal;
  submits[1].waitSemaphoreInfoCount = 1;
  submits[1].pWaitSemaphoreInfos = &wait;
  submits[1].commandBufferInfoCount = 1;
  submits[1].pCommandBufferInfos = &commands[1];

  VkFence fence = device.createFence();
  VK_CHECK(submit2(device.queues[0], 2, submits, fence));
  VK_CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, UINT64_MAX));

  REQUIRE(std::memcmp(d.data, a.data, size) == 0);
  REQUIRE(std::memcmp(c.data, a.data, size) == 0);

  vkDestroyFence(device.handle, fence, nullptr);
  vkDestroySemaphore(device.handle, semaphore, nullptr);
  VkCommandBuffer both[] = {first, second};
  vkFreeCommandBuffers(device.handle, device.pool, 2, both);
  for (auto* buffer : {&a, &b, &c, &d}) device.destroy(*buffer);
}
