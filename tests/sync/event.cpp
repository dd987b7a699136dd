// Events: host set/reset/status, a device wait released by the host, device set and reset seen by
// the host, and the synchronization2 forms carrying a VkDependencyInfo.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace {

constexpr uint64_t kSecond = 1'000'000'000;

// An event that, if a failed REQUIRE unwinds the test while a submission still waits on it, is
// set on the way out so the queue can drain instead of the test hanging.
struct Event {
  VkDevice device;
  VkEvent handle = VK_NULL_HANDLE;
  explicit Event(VkDevice device) : device(device) {
    VkEventCreateInfo info{VK_STRUCTURE_TYPE_EVENT_CREATE_INFO};
    VK_CHECK(vkCreateEvent(device, &info, nullptr, &handle));
  }
  ~Event() {
    if (std::uncaught_exceptions() > 0) vkSetEvent(device, handle);
    vkDeviceWaitIdle(device);
    vkDestroyEvent(device, handle, nullptr);
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
};

// Waits (with a timeout, so a submission stuck on an event fails rather than hangs) for the
// fence of device.submit, then destroys it and frees the command buffer.
void finish(test::Device& device, VkCommandBuffer cb, VkFence fence) {
  REQUIRE(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 5 * kSecond) == VK_SUCCESS);
  vkDestroyFence(device.handle, fence, nullptr);
  vkFreeCommandBuffers(device.handle, device.pool, 1, &cb);
}

}  // namespace

TEST_CASE("sync: the host sets and resets an event and reads its status", "[sync][event]") {
  test::Instance instance;
  test::Device device(instance);
  Event event(device.handle);
  // Events are created unsignaled (vkCreateEvent).
  REQUIRE(vkGetEventStatus(device.handle, event.handle) == VK_EVENT_RESET);

  VK_CHECK(vkSetEvent(device.handle, event.handle));
  REQUIRE(vkGetEventStatus(device.handle, event.handle) == VK_EVENT_SET);
  VK_CHECK(vkSetEvent(device.handle, event.handle));  // setting a set event changes nothing
  REQUIRE(vkGetEventStatus(device.handle, event.handle) == VK_EVENT_SET);

  VK_CHECK(vkResetEvent(device.handle, event.handle));
  REQUIRE(vkGetEventStatus(device.handle, event.handle) == VK_EVENT_RESET);
  VK_CHECK(vkResetEvent(device.handle, event.handle));
  REQUIRE(vkGetEventStatus(device.handle, event.handle) == VK_EVENT_RESET);
}

TEST_CASE("sync: vkCmdWaitEvents holds a submission until the host sets the event",
          "[sync][event]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 1024 * 1024;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  std::memset(a.data, 0, size);
  std::memset(b.data, 0, size);
  Event event(device.handle);

  // The wait's first scope is the host (VUID-vkCmdWaitEvents-srcStageMask-01158), and its memory
  // barrier makes host writes done before vkSetEvent visible to the copy.
  VkCommandBuffer cb = device.begin();
  VkMemoryBarrier hostToCopy{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_HOST_WRITE_BIT,
                             VK_ACCESS_TRANSFER_READ_BIT};
  vkCmdWaitEvents(cb, 1, &event.handle, VK_PIPELINE_STAGE_HOST_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  1, &hostToCopy, 0, nullptr, 0, nullptr);
  const VkBufferCopy region{0, 0, size};
  vkCmdCopyBuffer(cb, a.buffer, b.buffer, 1, &region);
  test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  VkFence fence = device.submit({cb});

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(vkGetFenceStatus(device.handle, fence) == VK_NOT_READY);

  // A is written only now, after submission: the copy must still see it.
  test::fillPattern(a.data, size, 9);
  VK_CHECK(vkSetEvent(device.handle, event.handle));
  finish(device, cb, fence);
  REQUIRE(std::memcmp(b.data, a.data, size) == 0);
  device.destroy(a);
  device.destroy(b);
}

TEST_CASE("sync: vkCmdSetEvent and vkCmdResetEvent on the device are seen by vkGetEventStatus",
          "[sync][event]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 1024 * 1024;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  auto c = device.createBuffer(size);
  test::fillPattern(a.data, size, 1);
  std::memset(b.data, 0, size);
  std::memset(c.data, 0, size);
  Event event(device.handle);

  // Set after a copy, then wait on it in the same command buffer before a dependent copy: the
  // event is a split barrier between A->B and B->C.
  VkCommandBuffer cb = device.begin();
  const VkBufferCopy region{0, 0, size};
  vkCmdCopyBuffer(cb, a.buffer, b.buffer, 1, &region);
  vkCmdSetEvent(cb, event.handle, VK_PIPELINE_STAGE_TRANSFER_BIT);
  VkMemoryBarrier copyToCopy{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr,
                             VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT};
  vkCmdWaitEvents(cb, 1, &event.handle, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_PIPELINE_STAGE_TRANSFER_BIT, 1, &copyToCopy, 0, nullptr, 0, nullptr);
  vkCmdCopyBuffer(cb, b.buffer, c.buffer, 1, &region);
  test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  finish(device, cb, device.submit({cb}));
  REQUIRE(vkGetEventStatus(device.handle, event.handle) == VK_EVENT_SET);
  REQUIRE(std::memcmp(c.data, a.data, size) == 0);

  cb = device.begin();
  vkCmdResetEvent(cb, event.handle, VK_PIPELINE_STAGE_TRANSFER_BIT);
  VK_CHECK(vkEndCommandBuffer(cb));
  finish(device, cb, device.submit({cb}));
  REQUIRE(vkGetEventStatus(device.handle, event.handle) == VK_EVENT_RESET);

  for (auto* buffer : {&a, &b, &c}) device.destroy(*buffer);
}

TEST_CASE("sync: synchronization2 event commands order copies through a VkDependencyInfo",
          "[sync][event][sync2]") {
  test::Instance instance;
  VkPhysicalDeviceSynchronization2FeaturesKHR sync2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES_KHR, nullptr, VK_TRUE};
  test::DeviceOptions options;
  options.extensions = {VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME};
  options.pNext = &sync2;
  test::Device device(instance, options);
  auto setEvent2 = device.proc<PFN_vkCmdSetEvent2KHR>("vkCmdSetEvent2KHR");
  auto waitEvents2 = device.proc<PFN_vkCmdWaitEvents2KHR>("vkCmdWaitEvents2KHR");
  auto resetEvent2 = device.proc<PFN_vkCmdResetEvent2KHR>("vkCmdResetEvent2KHR");
  REQUIRE(setEvent2 != nullptr);
  REQUIRE(waitEvents2 != nullptr);
  REQUIRE(resetEvent2 != nullptr);

  const VkDeviceSize size = 1024 * 1024;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  auto c = device.createBuffer(size);
  test::fillPattern(a.data, size, 2);
  std::memset(b.data, 0, size);
  std::memset(c.data, 0, size);
  Event split(device.handle);
  Event resetByDevice(device.handle);
  VK_CHECK(vkSetEvent(device.handle, resetByDevice.handle));

  VkBufferMemoryBarrier2KHR onB{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2_KHR};
  onB.srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT_KHR;
  onB.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT_KHR;
  onB.dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT_KHR;
  onB.dstAccessMask = VK_ACCESS_2_TRANSFER_READ_BIT_KHR;
  onB.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  onB.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  onB.buffer = b.buffer;
  onB.size = VK_WHOLE_SIZE;
  // dependencyFlags stays 0 (VUID-vkCmdSetEvent2-dependencyFlags-03825), and the wait passes
  // exactly the set's VkDependencyInfo (VUID-vkCmdWaitEvents2-pEvents-03838).
  VkDependencyInfoKHR dependency{VK_STRUCTURE_TYPE_DEPENDENCY_INFO_KHR};
  dependency.bufferMemoryBarrierCount = 1;
  dependency.pBufferMemoryBarriers = &onB;

  VkCommandBuffer cb = device.begin();
  const VkBufferCopy region{0, 0, size};
  vkCmdCopyBuffer(cb, a.buffer, b.buffer, 1, &region);
  setEvent2(cb, split.handle, &dependency);
  waitEvents2(cb, 1, &split.handle, &dependency);
  vkCmdCopyBuffer(cb, b.buffer, c.buffer, 1, &region);
  resetEvent2(cb, resetByDevice.handle, VK_PIPELINE_STAGE_2_COPY_BIT_KHR);
  test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  finish(device, cb, device.submit({cb}));

  REQUIRE(std::memcmp(c.data, a.data, size) == 0);
  REQUIRE(vkGetEventStatus(device.handle, split.handle) == VK_EVENT_SET);
  REQUIRE(vkGetEventStatus(device.handle, resetByDevice.handle) == VK_EVENT_RESET);
  for (auto* buffer : {&a, &b, &c}) device.destroy(*buffer);
}

TEST_CASE("sync: vkCmdWaitEvents2KHR waits for an event the host sets later",
          "[sync][event][sync2]") {
  test::Instance instance;
  VkPhysicalDeviceSynchronization2FeaturesKHR sync2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES_KHR, nullptr, VK_TRUE};
  test::DeviceOptions options;
  options.extensions = {VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME};
  options.pNext = &sync2;
  test::Device device(instance, options);
  auto waitEvents2 = device.proc<PFN_vkCmdWaitEvents2KHR>("vkCmdWaitEvents2KHR");
  REQUIRE(waitEvents2 != nullptr);

  const VkDeviceSize size = 1024 * 1024;
  auto a = device.createBuffer(size);
  auto b = device.createBuffer(size);
  std::memset(a.data, 0, size);
  std::memset(b.data, 0, size);
  Event event(device.handle);

  // A host-set event allows only host operations in the first scope
  // (VUID-vkCmdWaitEvents2-pEvents-03839).
  VkMemoryBarrier2KHR hostToCopy{VK_STRUCTURE_TYPE_MEMORY_BARRIER_2_KHR};
  hostToCopy.srcStageMask = VK_PIPELINE_STAGE_2_HOST_BIT_KHR;
  hostToCopy.srcAccessMask = VK_ACCESS_2_HOST_WRITE_BIT_KHR;
  hostToCopy.dstStageMask = VK_PIPELINE_STAGE_2_COPY_BIT_KHR;
  hostToCopy.dstAccessMask = VK_ACCESS_2_TRANSFER_READ_BIT_KHR;
  VkDependencyInfoKHR dependency{VK_STRUCTURE_TYPE_DEPENDENCY_INFO_KHR};
  dependency.memoryBarrierCount = 1;
  dependency.pMemoryBarriers = &hostToCopy;

  VkCommandBuffer cb = device.begin();
  waitEvents2(cb, 1, &event.handle, &dependency);
  const VkBufferCopy region{0, 0, size};
  vkCmdCopyBuffer(cb, a.buffer, b.buffer, 1, &region);
  test::barrierToHost(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  VkFence fence = device.submit({cb});

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(vkGetFenceStatus(device.handle, fence) == VK_NOT_READY);
  test::fillPattern(a.data, size, 4);
  VK_CHECK(vkSetEvent(device.handle, event.handle));
  finish(device, cb, fence);
  REQUIRE(std::memcmp(b.data, a.data, size) == 0);
  device.destroy(a);
  device.destroy(b);
}
