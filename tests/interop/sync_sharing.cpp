// Semaphores and fences shared through opaque fds: between two VkInstances of one process and
// with another process, binary and timeline, plus what happens when the other process dies.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>

#include "harness.hpp"
#include "interop/external_buffer.hpp"
#include "interop/external_semaphore.hpp"
#include "interop/peer.hpp"
#include "tools/probe.hpp"

namespace {

using external::createSemaphore;
using external::exportSemaphore;
using external::SyncDevice;

VkResult importSemaphore(test::Device& device, VkSemaphore s, int fd,
                         VkSemaphoreImportFlags flags = 0) {
  auto import = device.proc<PFN_vkImportSemaphoreFdKHR>("vkImportSemaphoreFdKHR");
  VkImportSemaphoreFdInfoKHR info{
      VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR,  nullptr, s, flags,
      VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT, fd};
  return import(device.handle, &info);
}

void submitSignal(test::Device& device, VkSemaphore s, uint64_t value,
                  VkFence fence = VK_NULL_HANDLE) {
  VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  values.signalSemaphoreValueCount = 1;
  values.pSignalSemaphoreValues = &value;
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO, &values};
  si.signalSemaphoreCount = 1;
  si.pSignalSemaphores = &s;
  REQUIRE(vkQueueSubmit(device.queues[0], 1, &si, fence) == VK_SUCCESS);
}

uint64_t counter(test::Device& device, VkSemaphore s) {
  uint64_t v = 0;
  REQUIRE(device.proc<PFN_vkGetSemaphoreCounterValueKHR>("vkGetSemaphoreCounterValueKHR")(
              device.handle, s, &v) == VK_SUCCESS);
  return v;
}

VkResult waitValue(test::Device& device, VkSemaphore s, uint64_t value, uint64_t timeoutNs) {
  VkSemaphoreWaitInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
  info.semaphoreCount = 1;
  info.pSemaphores = &s;
  info.pValues = &value;
  return device.proc<PFN_vkWaitSemaphoresKHR>("vkWaitSemaphoresKHR")(device.handle, &info,
                                                                     timeoutNs);
}

}  // namespace

TEST_CASE("external: a timeline semaphore is shared between two instances", "[external][sync]") {
  test::Instance first, second;
  if (!probe::isEmvk(first.physical)) return;
  SyncDevice features;
  test::Device a(first, features.options()), b(second, features.options());
  VkSemaphore exported = createSemaphore(a, true, true);
  VkSemaphore imported = createSemaphore(b, true, false);
  REQUIRE(importSemaphore(b, imported, exportSemaphore(a, exported)) == VK_SUCCESS);

  // B's host signals; A's host wait returns.
  VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, nullptr, imported, 5};
  REQUIRE(b.proc<PFN_vkSignalSemaphoreKHR>("vkSignalSemaphoreKHR")(b.handle, &signal) ==
          VK_SUCCESS);
  CHECK(waitValue(a, exported, 5, 5'000'000'000) == VK_SUCCESS);
  // A's queue signals; B's host sees the value and waits on it. (In this order the validation
  // layer, which cannot see across instances, never mistakes a retired signal for a pending one.)
  submitSignal(a, exported, 9);
  CHECK(waitValue(b, imported, 9, 5'000'000'000) == VK_SUCCESS);
  CHECK(counter(b, imported) == 9);
  CHECK(waitValue(a, exported, 10, 0) == VK_TIMEOUT);
  vkQueueWaitIdle(a.queues[0]);
  vkDestroySemaphore(b.handle, imported, nullptr);
  vkDestroySemaphore(a.handle, exported, nullptr);
}

TEST_CASE("external: a fence is shared between two instances", "[external][sync]") {
  test::Instance first, second;
  if (!probe::isEmvk(first.physical)) return;
  SyncDevice features;
  test::Device a(first, features.options()), b(second, features.options());
  VkExportFenceCreateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO, nullptr,
                                     VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT};
  VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, &exportInfo};
  VkFence exported, imported;
  REQUIRE(vkCreateFence(a.handle, &info, nullptr, &exported) == VK_SUCCESS);
  info.pNext = nullptr;
  REQUIRE(vkCreateFence(b.handle, &info, nullptr, &imported) == VK_SUCCESS);
  VkFenceGetFdInfoKHR get{VK_STRUCTURE_TYPE_FENCE_GET_FD_INFO_KHR, nullptr, exported,
                          VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT};
  int fd = -1;
  REQUIRE(a.proc<PFN_vkGetFenceFdKHR>("vkGetFenceFdKHR")(a.handle, &get, &fd) == VK_SUCCESS);
  VkImportFenceFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_FENCE_FD_INFO_KHR,  nullptr, imported, 0,
                                VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT, fd};
  REQUIRE(b.proc<PFN_vkImportFenceFdKHR>("vkImportFenceFdKHR")(b.handle, &import) == VK_SUCCESS);

  CHECK(vkGetFenceStatus(b.handle, imported) == VK_NOT_READY);
  VkSubmitInfo empty{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  REQUIRE(vkQueueSubmit(a.queues[0], 1, &empty, exported) == VK_SUCCESS);  // A's queue signals
  CHECK(vkWaitForFences(b.handle, 1, &imported, VK_TRUE, 5'000'000'000) == VK_SUCCESS);
  REQUIRE(vkResetFences(b.handle, 1, &imported) == VK_SUCCESS);  // one payload: A sees the reset
  CHECK(vkGetFenceStatus(a.handle, exported) == VK_NOT_READY);
  vkDestroyFence(b.handle, imported, nullptr);
  vkDestroyFence(a.handle, exported, nullptr);
}

TEST_CASE("external: a timeline semaphore ping-pongs with another process", "[external][sync]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  SyncDevice features;
  test::Device device(instance, features.options());
  VkSemaphore s = createSemaphore(device, true, true);
  const int fd = exportSemaphore(device, s);
  external::Peer peer;
  const uint64_t rounds = 50;
  peer.send(fdpass::message("timeline-pingpong", 0, 0, rounds), fd);
  close(fd);
  // The peer's queue waits for each odd value (wait-before-signal across processes) and answers
  // with the next even one; this side alternates host signals and queue signals.
  for (uint64_t k = 1; k <= rounds; ++k) {
    if (k % 2) {
      VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, nullptr, s, 2 * k - 1};
      REQUIRE(device.proc<PFN_vkSignalSemaphoreKHR>("vkSignalSemaphoreKHR")(device.handle,
                                                                            &signal) == VK_SUCCESS);
    } else {
      submitSignal(device, s, 2 * k - 1);
      vkQueueWaitIdle(device.queues[0]);  // retired, so the validation layer tracks values right
    }
    REQUIRE(waitValue(device, s, 2 * k, 10'000'000'000) == VK_SUCCESS);
  }
  CHECK(peer.reply() == "ok");
  CHECK(counter(device, s) == 2 * rounds);
  vkQueueWaitIdle(device.queues[0]);
  vkDestroySemaphore(device.handle, s, nullptr);
}

TEST_CASE("external: a binary semaphore orders another process's read after this one's write",
          "[external][sync]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  SyncDevice features;
  test::Device device(instance, features.options());
  const VkDeviceSize size = 1 << 20;
  VkSemaphore s = createSemaphore(device, false, true);
  external::SharedBuffer shared;
  REQUIRE(external::exportableBuffer(device.handle, size, device.hostVisibleMemoryType(), false,
                                     shared) == VK_SUCCESS);
  int memoryFd = -1;
  REQUIRE(external::exportFd(device.handle, shared.memory, &memoryFd) == VK_SUCCESS);
  external::writePattern(shared.data, size, 40);  // stale data the peer must not see

  external::Peer peer;
  const int semaphoreFd = exportSemaphore(device, s);
  peer.send(fdpass::message("binary-wait-read", size, device.hostVisibleMemoryType(), 41),
            semaphoreFd);
  peer.send(fdpass::message("memory"), memoryFd);
  close(semaphoreFd);
  close(memoryFd);
  REQUIRE(peer.reply() == "queued");  // the peer's queue now waits on the semaphore
  // Write the real data with this queue, then signal the semaphore from the same submission.
  auto staging = device.createBuffer(size);
  external::writePattern(staging.data, size, 41);
  VkCommandBuffer cb = device.begin();
  VkBufferCopy region{0, 0, size};
  vkCmdCopyBuffer(cb, staging.buffer, shared.buffer, 1, &region);
  REQUIRE(vkEndCommandBuffer(cb) == VK_SUCCESS);
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  si.signalSemaphoreCount = 1;
  si.pSignalSemaphores = &s;
  REQUIRE(vkQueueSubmit(device.queues[0], 1, &si, VK_NULL_HANDLE) == VK_SUCCESS);
  CHECK(peer.reply() == "ok");
  vkQueueWaitIdle(device.queues[0]);
  device.destroy(staging);
  external::destroy(device.handle, shared);
  vkDestroySemaphore(device.handle, s, nullptr);
}

TEST_CASE("external: a wait on a semaphore whose only peer died ends in VK_ERROR_DEVICE_LOST",
          "[external][sync]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  SyncDevice features;
  test::Device device(instance, features.options());
  VkSemaphore s = createSemaphore(device, true, true);
  const int fd = exportSemaphore(device, s);
  {
    external::Peer peer;
    REQUIRE(peer.request(fdpass::message("import-semaphore-and-exit"), fd) == "ok");
    peer.wait();
  }
  close(fd);
  // Nobody is left to signal 1: an endless wait ends within the documented bound (1 s of grace
  // plus one 100 ms check) instead of hanging the application.
  const auto start = std::chrono::steady_clock::now();
  CHECK(waitValue(device, s, 1, UINT64_MAX) == VK_ERROR_DEVICE_LOST);
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited < std::chrono::seconds(3));
  CHECK(instance.messages.contains("device lost"));
  vkDestroySemaphore(device.handle, s, nullptr);
}

TEST_CASE("external: bad semaphore imports are refused and leave the fd alone",
          "[external][sync]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;
  SyncDevice features;
  test::Device device(instance, features.options());
  VkSemaphore binary = createSemaphore(device, false, false);
  VkSemaphore timeline = createSemaphore(device, true, true);
  int p[2];
  REQUIRE(pipe(p) == 0);
  CHECK(importSemaphore(device, binary, p[0]) == VK_ERROR_INVALID_EXTERNAL_HANDLE);
  CHECK(fcntl(p[0], F_GETFD) >= 0);
  CHECK(instance.messages.contains("not a regular file"));
  // A timeline payload is not a binary semaphore's.
  const int fd = exportSemaphore(device, timeline);
  CHECK(importSemaphore(device, binary, fd) == VK_ERROR_INVALID_EXTERNAL_HANDLE);
  CHECK(instance.messages.contains("not a binary semaphore"));
  CHECK(fcntl(fd, F_GETFD) >= 0);
  close(fd);
  close(p[0]);
  close(p[1]);
  vkDestroySemaphore(device.handle, binary, nullptr);
  vkDestroySemaphore(device.handle, timeline, nullptr);
}
