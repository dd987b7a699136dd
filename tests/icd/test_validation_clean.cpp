// A small but representative program under VK_LAYER_KHRONOS_validation: if the driver reports
// something inconsistent (a feature it cannot honour, a limit, a queue family property), the
// layer flags the application's otherwise correct use of it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

bool layerInstalled(const char* name) {
  uint32_t count = 0;
  vkEnumerateInstanceLayerProperties(&count, nullptr);
  std::vector<VkLayerProperties> layers(count);
  vkEnumerateInstanceLayerProperties(&count, layers.data());
  return std::any_of(layers.begin(), layers.end(), [&](const VkLayerProperties& layer) {
    return std::strcmp(layer.layerName, name) == 0;
  });
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

// The loader's own notice that ctest's VK_LOADER_LAYERS_DISABLE=~implicit~ switched an implicit
// layer off reaches the messenger as a warning; it says nothing about the driver.
std::vector<std::string> withoutLoaderNotices(const std::vector<std::string>& messages) {
  std::vector<std::string> kept;
  for (const auto& m : messages)
    if (m.find("VK_LOADER_LAYERS_DISABLE") == std::string::npos) kept.push_back(m);
  return kept;
}

// Buffers, fill/update/copy, barriers (1 and 2), an event, timestamps, a timeline semaphore
// across two queues, vkQueueSubmit and vkQueueSubmit2KHR, fence and semaphore host waits.
void runWorkload(test::Instance& instance) {
  // Two queues where the device has them (emvk: 4), so the semaphore crosses queues.
  const uint32_t queueCount = std::min(2u, test::queueFamilies(instance.physical).at(0).queueCount);
  if (probe::isEmvk(instance.physical)) REQUIRE(queueCount == 2);
  VkPhysicalDeviceHostQueryResetFeatures hostQueryReset{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_HOST_QUERY_RESET_FEATURES};
  hostQueryReset.hostQueryReset = VK_TRUE;
  VkPhysicalDeviceSynchronization2Features sync2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES, &hostQueryReset};
  sync2.synchronization2 = VK_TRUE;
  VkPhysicalDeviceTimelineSemaphoreFeatures timeline{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, &sync2};
  timeline.timelineSemaphore = VK_TRUE;
  test::DeviceOptions deviceOptions;
  deviceOptions.queueCount = queueCount;
  deviceOptions.extensions = {VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME,
                              VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME,
                              VK_EXT_HOST_QUERY_RESET_EXTENSION_NAME};
  deviceOptions.pNext = &timeline;
  test::Device device(instance, deviceOptions);
  VkDevice dev = device.handle;

  auto waitSemaphores = device.proc<PFN_vkWaitSemaphoresKHR>("vkWaitSemaphoresKHR");
  auto counterValue =
      device.proc<PFN_vkGetSemaphoreCounterValueKHR>("vkGetSemaphoreCounterValueKHR");
  auto submit2 = device.proc<PFN_vkQueueSubmit2KHR>("vkQueueSubmit2KHR");
  auto barrier2 = device.proc<PFN_vkCmdPipelineBarrier2KHR>("vkCmdPipelineBarrier2KHR");
  auto resetQueryPool = device.proc<PFN_vkResetQueryPoolEXT>("vkResetQueryPoolEXT");
  REQUIRE(waitSemaphores);
  REQUIRE(counterValue);
  REQUIRE(submit2);
  REQUIRE(barrier2);
  REQUIRE(resetQueryPool);

  constexpr VkDeviceSize kSize = 64 * 1024;
  test::Buffer src = device.createBuffer(kSize);
  test::Buffer dst = device.createBuffer(kSize);
  test::Buffer result = device.createBuffer(kSize);
  for (uint32_t i = 0; i < kSize / 4; ++i) src.as<uint32_t>()[i] = i;
  std::memset(result.data, 0, kSize);

  VkQueryPoolCreateInfo queryInfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
  queryInfo.queryCount = 4;
  VkQueryPool queries;
  VK_CHECK(vkCreateQueryPool(dev, &queryInfo, nullptr, &queries));
  resetQueryPool(dev, queries, 0, 4);

  VkEventCreateInfo eventInfo{VK_STRUCTURE_TYPE_EVENT_CREATE_INFO};
  VkEvent event;
  VK_CHECK(vkCreateEvent(dev, &eventInfo, nullptr, &event));

  VkSemaphoreTypeCreateInfo semaphoreType{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  semaphoreType.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &semaphoreType};
  VkSemaphore semaphore;
  VK_CHECK(vkCreateSemaphore(dev, &semaphoreInfo, nullptr, &semaphore));

  VkFence fence = device.createFence();

  // Queue 0: fill, update and copy into dst, ordered by a barrier and an event; signals value 1.
  VkCommandBuffer first = device.begin();
  vkCmdWriteTimestamp(first, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries, 0);
  vkCmdFillBuffer(first, dst.buffer, 0, 4096, 0xdeadbeef);
  const uint32_t words[64] = {1, 2, 3, 4};
  vkCmdUpdateBuffer(first, dst.buffer, 4096, sizeof words, words);
  VkBufferMemoryBarrier written{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
  written.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  written.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  written.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  written.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  written.buffer = dst.buffer;
  written.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(first, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0,
                       nullptr, 1, &written, 0, nullptr);
  VkBufferCopy tail{8192, 8192, kSize - 8192};
  vkCmdCopyBuffer(first, src.buffer, dst.buffer, 1, &tail);
  vkCmdSetEvent(first, event, VK_PIPELINE_STAGE_TRANSFER_BIT);
  VkMemoryBarrier copied{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  copied.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  copied.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  vkCmdWaitEvents(first, 1, &event, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  1, &copied, 0, nullptr, 0, nullptr);
  vkCmdWriteTimestamp(first, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, 1);
  VK_CHECK(vkEndCommandBuffer(first));

  const uint64_t signalOne = 1;
  VkTimelineSemaphoreSubmitInfo timelineOne{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  timelineOne.signalSemaphoreValueCount = 1;
  timelineOne.pSignalSemaphoreValues = &signalOne;
  VkSubmitInfo submitFirst{VK_STRUCTURE_TYPE_SUBMIT_INFO, &timelineOne};
  submitFirst.commandBufferCount = 1;
  submitFirst.pCommandBuffers = &first;
  submitFirst.signalSemaphoreCount = 1;
  submitFirst.pSignalSemaphores = &semaphore;
  VK_CHECK(vkQueueSubmit(device.queues[0], 1, &submitFirst, VK_NULL_HANDLE));

  // The other queue waits for value 1, copies dst into result for the host; signals value 2.
  VkCommandBuffer second = device.begin();
  vkCmdWriteTimestamp(second, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries, 2);
  VkBufferCopy whole{0, 0, kSize};
  vkCmdCopyBuffer(second, dst.buffer, result.buffer, 1, &whole);
  VkMemoryBarrier2 toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER_2};
  toHost.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
  toHost.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
  toHost.dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT;
  toHost.dstAccessMask = VK_ACCESS_2_HOST_READ_BIT;
  VkDependencyInfo dependency{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
  dependency.memoryBarrierCount = 1;
  dependency.pMemoryBarriers = &toHost;
  barrier2(second, &dependency);
  vkCmdWriteTimestamp(second, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, 3);
  VK_CHECK(vkEndCommandBuffer(second));

  VkSemaphoreSubmitInfo waitOne{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
  waitOne.semaphore = semaphore;
  waitOne.value = 1;
  waitOne.stageMask = VK_PIPELINE_STAGE_2_COPY_BIT;
  VkSemaphoreSubmitInfo signalTwo{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
  signalTwo.semaphore = semaphore;
  signalTwo.value = 2;
  signalTwo.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
  VkCommandBufferSubmitInfo secondInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
  secondInfo.commandBuffer = second;
  VkSubmitInfo2 submitSecond{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
  submitSecond.waitSemaphoreInfoCount = 1;
  submitSecond.pWaitSemaphoreInfos = &waitOne;
  submitSecond.commandBufferInfoCount = 1;
  submitSecond.pCommandBufferInfos = &secondInfo;
  submitSecond.signalSemaphoreInfoCount = 1;
  submitSecond.pSignalSemaphoreInfos = &signalTwo;
  VK_CHECK(submit2(device.queues[queueCount - 1], 1, &submitSecond, fence));

  const uint64_t two = 2;
  VkSemaphoreWaitInfo waitTwo{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
  waitTwo.semaphoreCount = 1;
  waitTwo.pSemaphores = &semaphore;
  waitTwo.pValues = &two;
  VK_CHECK(waitSemaphores(dev, &waitTwo, 5'000'000'000ull));
  VK_CHECK(vkWaitForFences(dev, 1, &fence, VK_TRUE, 5'000'000'000ull));
  uint64_t value = 0;
  VK_CHECK(counterValue(dev, semaphore, &value));
  CHECK(value == 2);

  const uint32_t* out = result.as<uint32_t>();
  CHECK(out[0] == 0xdeadbeef);
  CHECK(out[1023] == 0xdeadbeef);
  CHECK(out[1024] == 1);
  CHECK(out[1027] == 4);
  CHECK(out[2048] == 2048);
  CHECK(out[kSize / 4 - 1] == kSize / 4 - 1);

  uint64_t stamps[4] = {};
  VK_CHECK(vkGetQueryPoolResults(dev, queries, 0, 4, sizeof stamps, stamps, sizeof stamps[0],
                                 VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  // Timestamps of one queue never go backwards.
  CHECK(stamps[1] >= stamps[0]);
  CHECK(stamps[3] >= stamps[2]);

  // The device set the event; the host can read, reset and set it again.
  CHECK(vkGetEventStatus(dev, event) == VK_EVENT_SET);
  VK_CHECK(vkResetEvent(dev, event));
  CHECK(vkGetEventStatus(dev, event) == VK_EVENT_RESET);
  VK_CHECK(vkSetEvent(dev, event));
  CHECK(vkGetEventStatus(dev, event) == VK_EVENT_SET);

  VK_CHECK(vkDeviceWaitIdle(dev));
  VkCommandBuffer used[] = {first, second};
  vkFreeCommandBuffers(dev, device.pool, 2, used);
  vkDestroyFence(dev, fence, nullptr);
  vkDestroySemaphore(dev, semaphore, nullptr);
  vkDestroyEvent(dev, event, nullptr);
  vkDestroyQueryPool(dev, queries, nullptr);
  device.destroy(src);
  device.destroy(dst);
  device.destroy(result);
}

}  // namespace

TEST_CASE("icd: a representative workload is validation-clean", "[icd][validation]") {
  if (!layerInstalled("VK_LAYER_KHRONOS_validation")) {
    WARN("VK_LAYER_KHRONOS_validation not installed (package vulkan-validationlayers): skipped");
    return;
  }
  test::InstanceOptions options;
  options.validation = true;
  test::Instance instance(options);
  runWorkload(instance);  // the device is gone here, so messages from vkDestroyDevice count too

  std::lock_guard lock(instance.messages.mutex);
  const auto warnings = withoutLoaderNotices(instance.messages.warnings);
  INFO("validation errors:\n" << joined(instance.messages.errors));
  INFO("validation warnings:\n" << joined(warnings));
  CHECK(instance.messages.errors.empty());
  CHECK(warnings.empty());
}
