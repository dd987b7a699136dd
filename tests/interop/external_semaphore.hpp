// Semaphores for the interop tests: a device that can share them, and creating and exporting one.
// Header-only, with Catch2 checks.
#pragma once
#include <vulkan/vulkan.h>

#include <catch2/catch.hpp>
#include <cstdint>

#include "harness.hpp"

namespace external {

// Device options with external memory, semaphores and fences (opaque fds) and timelines.
struct SyncDevice {
  VkPhysicalDeviceTimelineSemaphoreFeatures timeline{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, nullptr, VK_TRUE};
  test::DeviceOptions options(uint32_t queueCount = 1) {
    test::DeviceOptions o;
    o.queueCount = queueCount;
    o.pNext = &timeline;
    o.extensions = {
        VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME,    VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
        VK_KHR_EXTERNAL_SEMAPHORE_EXTENSION_NAME, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME,
        VK_KHR_EXTERNAL_FENCE_EXTENSION_NAME,     VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME,
        VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME};
    return o;
  }
};

// A binary or timeline semaphore (at `initial`), exportable as an opaque fd or not.
inline VkSemaphore createSemaphore(test::Device& device, bool timeline, bool exportable,
                                   uint64_t initial = 0) {
  VkExportSemaphoreCreateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO};
  exportInfo.handleTypes = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
                                 exportable ? &exportInfo : nullptr};
  type.semaphoreType = timeline ? VK_SEMAPHORE_TYPE_TIMELINE : VK_SEMAPHORE_TYPE_BINARY;
  type.initialValue = timeline ? initial : 0;
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
  VkSemaphore s;
  REQUIRE(vkCreateSemaphore(device.handle, &info, nullptr, &s) == VK_SUCCESS);
  return s;
}

inline int exportSemaphore(test::Device& device, VkSemaphore s) {
  auto get = device.proc<PFN_vkGetSemaphoreFdKHR>("vkGetSemaphoreFdKHR");
  VkSemaphoreGetFdInfoKHR info{VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR, nullptr, s,
                               VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT};
  int fd = -1;
  REQUIRE(get(device.handle, &info, &fd) == VK_SUCCESS);
  return fd;
}

}  // namespace external
