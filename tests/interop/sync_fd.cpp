// Sync files (SYNC_FD): binary semaphores and fences exported as -1, the spec's already-signalled
// sync file, once their pending signal is done; -1 and real sync files imported temporarily;
// anything else refused with a reason and left alone.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

test::DeviceOptions syncFdOptions() {
  test::DeviceOptions o;
  o.extensions = {VK_KHR_EXTERNAL_SEMAPHORE_EXTENSION_NAME,
                  VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME, VK_KHR_EXTERNAL_FENCE_EXTENSION_NAME,
                  VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME};
  return o;
}

VkSemaphore syncFdSemaphore(test::Device& device) {
  VkExportSemaphoreCreateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO, nullptr,
                                         VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT};
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &exportInfo};
  VkSemaphore s;
  REQUIRE(vkCreateSemaphore(device.handle, &info, nullptr, &s) == VK_SUCCESS);
  return s;
}

VkResult importSemaphoreSyncFd(test::Device& device, VkSemaphore s, int fd) {
  VkImportSemaphoreFdInfoKHR info{
      VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR, nullptr, s, VK_SEMAPHORE_IMPORT_TEMPORARY_BIT,
      VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,  fd};
  return device.proc<PFN_vkImportSemaphoreFdKHR>("vkImportSemaphoreFdKHR")(device.handle, &info);
}

}  // namespace

TEST_CASE("external: a binary semaphore travels as a sync file", "[external][sync]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, syncFdOptions());
  VkSemaphore source = syncFdSemaphore(device);
  VkSemaphore target = syncFdSemaphore(device);

  VkSubmitInfo signal{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  signal.signalSemaphoreCount = 1;
  signal.pSignalSemaphores = &source;
  REQUIRE(vkQueueSubmit(device.queues[0], 1, &signal, VK_NULL_HANDLE) == VK_SUCCESS);
  VkSemaphoreGetFdInfoKHR get{VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR, nullptr, source,
                              VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT};
  int fd = 0;
  REQUIRE(device.proc<PFN_vkGetSemaphoreFdKHR>("vkGetSemaphoreFdKHR")(device.handle, &get, &fd) ==
          VK_SUCCESS);
  CHECK(fd == -1);  // the signal has completed: the already-signalled sync file

  // Imported into another semaphore, it lets exactly one wait through.
  REQUIRE(importSemaphoreSyncFd(device, target, fd) == VK_SUCCESS);
  const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
  VkSubmitInfo wait{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  wait.waitSemaphoreCount = 1;
  wait.pWaitSemaphores = &target;
  wait.pWaitDstStageMask = &stage;
  VkFence fence = device.createFence();
  REQUIRE(vkQueueSubmit(device.queues[0], 1, &wait, fence) == VK_SUCCESS);
  CHECK(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, 5'000'000'000) == VK_SUCCESS);
  vkDestroyFence(device.handle, fence, nullptr);
  vkDestroySemaphore(device.handle, target, nullptr);
  vkDestroySemaphore(device.handle, source, nullptr);
}

TEST_CASE("external: a fence travels as a sync file", "[external][sync]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, syncFdOptions());
  VkExportFenceCreateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO, nullptr,
                                     VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT};
  VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, &exportInfo};
  VkFence source, target;
  REQUIRE(vkCreateFence(device.handle, &info, nullptr, &source) == VK_SUCCESS);
  REQUIRE(vkCreateFence(device.handle, &info, nullptr, &target) == VK_SUCCESS);
  VkSubmitInfo empty{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  REQUIRE(vkQueueSubmit(device.queues[0], 1, &empty, source) == VK_SUCCESS);
  VkFenceGetFdInfoKHR get{VK_STRUCTURE_TYPE_FENCE_GET_FD_INFO_KHR, nullptr, source,
                          VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT};
  int fd = 0;
  REQUIRE(device.proc<PFN_vkGetFenceFdKHR>("vkGetFenceFdKHR")(device.handle, &get, &fd) ==
          VK_SUCCESS);
  CHECK(fd == -1);
  // Exporting with copy transference resets the source, as vkResetFences would.
  CHECK(vkGetFenceStatus(device.handle, source) == VK_NOT_READY);

  VkImportFenceFdInfoKHR import{
      VK_STRUCTURE_TYPE_IMPORT_FENCE_FD_INFO_KHR, nullptr, target, VK_FENCE_IMPORT_TEMPORARY_BIT,
      VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,  fd};
  REQUIRE(device.proc<PFN_vkImportFenceFdKHR>("vkImportFenceFdKHR")(device.handle, &import) ==
          VK_SUCCESS);
  CHECK(vkGetFenceStatus(device.handle, target) == VK_SUCCESS);
  CHECK(vkWaitForFences(device.handle, 1, &target, VK_TRUE, 0) == VK_SUCCESS);
  // A reset drops the temporary payload; the fence's own, unsignalled, is back.
  REQUIRE(vkResetFences(device.handle, 1, &target) == VK_SUCCESS);
  CHECK(vkGetFenceStatus(device.handle, target) == VK_NOT_READY);
  vkDestroyFence(device.handle, target, nullptr);
  vkDestroyFence(device.handle, source, nullptr);
}

TEST_CASE("external: a sync-file import of something else is refused and the fd left alone",
          "[external][sync]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;
  test::Device device(instance, syncFdOptions());
  VkSemaphore s = syncFdSemaphore(device);
  int p[2];
  REQUIRE(pipe(p) == 0);
  CHECK(importSemaphoreSyncFd(device, s, p[0]) == VK_ERROR_INVALID_EXTERNAL_HANDLE);
  CHECK(instance.messages.contains("not a sync_file"));
  CHECK(fcntl(p[0], F_GETFD) >= 0);
  close(p[0]);
  close(p[1]);
  vkDestroySemaphore(device.handle, s, nullptr);
}

TEST_CASE("external: semaphore and fence queries answer for opaque fds and sync files",
          "[external][sync]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  auto semaphore = [&](VkExternalSemaphoreHandleTypeFlagBits type, VkSemaphoreType kind) {
    VkSemaphoreTypeCreateInfo typeInfo{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO, nullptr, kind,
                                       0};
    VkPhysicalDeviceExternalSemaphoreInfo info{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_SEMAPHORE_INFO, &typeInfo, type};
    VkExternalSemaphoreProperties out{VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES};
    vkGetPhysicalDeviceExternalSemaphoreProperties(instance.physical, &info, &out);
    return out.externalSemaphoreFeatures;
  };
  const VkExternalSemaphoreFeatureFlags both =
      VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT | VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT;
  CHECK(semaphore(VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT, VK_SEMAPHORE_TYPE_BINARY) ==
        both);
  CHECK(semaphore(VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT, VK_SEMAPHORE_TYPE_TIMELINE) ==
        both);
  CHECK(semaphore(VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT, VK_SEMAPHORE_TYPE_BINARY) == both);
  CHECK(semaphore(VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT, VK_SEMAPHORE_TYPE_TIMELINE) == 0);

  auto fence = [&](VkExternalFenceHandleTypeFlagBits type) {
    VkPhysicalDeviceExternalFenceInfo info{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_FENCE_INFO,
                                           nullptr, type};
    VkExternalFenceProperties out{VK_STRUCTURE_TYPE_EXTERNAL_FENCE_PROPERTIES};
    vkGetPhysicalDeviceExternalFenceProperties(instance.physical, &info, &out);
    return out.externalFenceFeatures;
  };
  CHECK(fence(VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT) != 0);
  CHECK(fence(VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT) != 0);
  CHECK(fence(VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_WIN32_BIT) == 0);
}
