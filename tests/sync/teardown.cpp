// A whole application lifetime, from vkCreateInstance to vkDestroyInstance, must give back every
// file descriptor and thread the driver took: queue threads, workers, memory fds.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "compute/saxpy.hpp"
#include "harness.hpp"
#include "tools/leaks.hpp"
#include "tools/probe.hpp"

namespace {

// Creates an instance and device, runs one submission that touches a fence, a semaphore, an
// event and a query pool, then destroys everything, the instance last.
void fullLifetime() {
  test::Instance instance;
  // Every queue of the family, so per-queue threads are created and must all be joined.
  test::DeviceOptions options;
  options.queueCount = test::queueFamilies(instance.physical).at(0).queueCount;
  test::Device device(instance, options);
  auto source = device.createBuffer(1 << 20);
  auto destination = device.createBuffer(1 << 20);

  VkFence fence = device.createFence();
  VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  VkSemaphore semaphore;
  VK_CHECK(vkCreateSemaphore(device.handle, &semaphoreInfo, nullptr, &semaphore));
  VkEventCreateInfo eventInfo{VK_STRUCTURE_TYPE_EVENT_CREATE_INFO};
  VkEvent event;
  VK_CHECK(vkCreateEvent(device.handle, &eventInfo, nullptr, &event));
  VkQueryPoolCreateInfo queryInfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
  queryInfo.queryCount = 2;
  VkQueryPool queries;
  VK_CHECK(vkCreateQueryPool(device.handle, &queryInfo, nullptr, &queries));

  VkCommandBuffer cbs[2] = {device.allocateCommandBuffer(), device.allocateCommandBuffer()};
  test::beginCommandBuffer(cbs[0]);
  vkCmdResetQueryPool(cbs[0], queries, 0, 2);
  vkCmdWriteTimestamp(cbs[0], VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries, 0);
  const VkBufferCopy region{0, 0, 1 << 20};
  vkCmdCopyBuffer(cbs[0], source.buffer, destination.buffer, 1, &region);
  vkCmdSetEvent(cbs[0], event, VK_PIPELINE_STAGE_TRANSFER_BIT);
  VK_CHECK(vkEndCommandBuffer(cbs[0]));
  test::beginCommandBuffer(cbs[1]);
  vkCmdWriteTimestamp(cbs[1], VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, 1);
  VK_CHECK(vkEndCommandBuffer(cbs[1]));

  const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
  VkSubmitInfo submits[2]{};
  submits[0] = {
      VK_STRUCTURE_TYPE_SUBMIT_INFO, nullptr, 0, nullptr, nullptr, 1, &cbs[0], 1, &semaphore};
  submits[1] = {
      VK_STRUCTURE_TYPE_SUBMIT_INFO, nullptr, 1, &semaphore, &stage, 1, &cbs[1], 0, nullptr};
  VK_CHECK(vkQueueSubmit(device.queues[0], 2, submits, fence));
  VK_CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 5'000'000'000));
  for (VkQueue queue : device.queues) {
    VK_CHECK(vkQueueSubmit(queue, 0, nullptr, VK_NULL_HANDLE));
    VK_CHECK(vkQueueWaitIdle(queue));
  }
  REQUIRE(vkGetEventStatus(device.handle, event) == VK_EVENT_SET);
  uint64_t timestamps[2] = {};
  VK_CHECK(vkGetQueryPoolResults(device.handle, queries, 0, 2, sizeof(timestamps), timestamps,
                                 sizeof(uint64_t),
                                 VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));

  vkFreeCommandBuffers(device.handle, device.pool, 2, cbs);
  vkDestroyQueryPool(device.handle, queries, nullptr);
  vkDestroyEvent(device.handle, event, nullptr);
  vkDestroySemaphore(device.handle, semaphore, nullptr);
  vkDestroyFence(device.handle, fence, nullptr);
  device.destroy(source);
  device.destroy(destination);
}  // ~Device, then ~Instance

// Compute: a pipeline (the JIT and its machine code), a dispatch over the device's workers, and
// exportable memory whose fd is taken and closed.
void computeLifetime() {
  test::Instance instance;
  test::Device device(instance);
  {
    compute_test::Saxpy saxpy(device, 0);
    const uint32_t n = 1 << 16;
    auto x = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    auto y = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    saxpy.bindBuffers(x, y);
    device.run([&](VkCommandBuffer cb) {
      saxpy.record(cb, 2.0f, n);
      vkCmdDispatch(cb, n / 64, 1, 1);
      compute_test::toHost(cb);
    });
    device.destroy(x);
    device.destroy(y);
  }
  VkExportMemoryAllocateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO, nullptr,
                                        VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT};
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &exportInfo, 1 << 20, 0};
  VkDeviceMemory memory;
  VK_CHECK(vkAllocateMemory(device.handle, &info, nullptr, &memory));
  auto getFd = reinterpret_cast<PFN_vkGetMemoryFdKHR>(
      vkGetDeviceProcAddr(device.handle, "vkGetMemoryFdKHR"));
  if (getFd) {
    VkMemoryGetFdInfoKHR fdInfo{VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR, nullptr, memory,
                                VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT};
    int fd = -1;
    if (getFd(device.handle, &fdInfo, &fd) == VK_SUCCESS) close(fd);
  }
  vkFreeMemory(device.handle, memory, nullptr);
}

}  // namespace

TEST_CASE("sync: a full instance and device lifetime leaves no file descriptors or threads behind",
          "[sync][leak]") {
  // The loader keeps a few things for the life of the process (its manifest scan, dlopen'd
  // libraries); a first cycle pays for those before anything is counted.
  fullLifetime();
  const int fds = test::openFdCount();
  const int threads = probe::threadCount();

  for (int cycle = 0; cycle < 3; ++cycle) {
    INFO("cycle " << cycle);
    fullLifetime();
    const bool fdsBack = leaks::settles([&] { return test::openFdCount() == fds; });
    const bool threadsBack = leaks::settles([&] { return probe::threadCount() == threads; });
    INFO("fds " << test::openFdCount() << " (was " << fds << "), threads " << probe::threadCount()
                << " (was " << threads << ")");
    REQUIRE(fdsBack);
    REQUIRE(threadsBack);
  }
}

TEST_CASE("sync: a compute lifetime leaves no file descriptors, mappings or threads behind",
          "[sync][leak][compute]") {
  test::Instance probeInstance;
  if (!probe::isEmvk(probeInstance.physical)) return;
  // The first cycle loads what stays for the process (LLVM's libraries, the loader's state).
  computeLifetime();
  const int fds = test::openFdCount();
  const int threads = probe::threadCount();
  const int maps = leaks::mappingCount();
  for (int cycle = 0; cycle < 3; ++cycle) {
    INFO("cycle " << cycle);
    computeLifetime();
    const bool fdsBack = leaks::settles([&] { return test::openFdCount() == fds; });
    const bool threadsBack = leaks::settles([&] { return probe::threadCount() == threads; });
    // The allocator may keep an arena or two mapped: a bounded difference, not growth per cycle.
    const bool mapsBack =
        leaks::settles([&] { return leaks::mappingCount() <= maps + leaks::kMapSlack; });
    INFO("fds " << test::openFdCount() << " (was " << fds << "), threads " << probe::threadCount()
                << " (was " << threads << "), mappings " << leaks::mappingCount() << " (was "
                << maps << ")");
    REQUIRE(fdsBack);
    REQUIRE(threadsBack);
    REQUIRE(mapsBack);
  }
}
