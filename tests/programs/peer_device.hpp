// The device of a peer program (tests/programs/): its own VkInstance, one queue and a command pool,
// with the external memory, semaphore and fence extensions and timeline semaphores, as any
// separate program sharing with the tests would have. Plain Vulkan, no Catch: the peers are
// programs of their own.
#pragma once
#include <vulkan/vulkan.h>

#include <iterator>

namespace peer {

struct Context {
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  VkCommandPool pool = VK_NULL_HANDLE;
};

inline bool setUp(Context& c) {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo ii{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ii.pApplicationInfo = &app;
  if (vkCreateInstance(&ii, nullptr, &c.instance) != VK_SUCCESS) return false;
  uint32_t n = 1;
  if (vkEnumeratePhysicalDevices(c.instance, &n, &c.physical) < 0 || n == 0) return false;
  float priority = 1;
  VkDeviceQueueCreateInfo qi{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  qi.queueCount = 1;
  qi.pQueuePriorities = &priority;
  const char* extensions[] = {
      VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME,    VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
      VK_KHR_EXTERNAL_SEMAPHORE_EXTENSION_NAME, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME,
      VK_KHR_EXTERNAL_FENCE_EXTENSION_NAME,     VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME,
      VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME};
  VkPhysicalDeviceTimelineSemaphoreFeatures timeline{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES};
  timeline.timelineSemaphore = VK_TRUE;
  VkDeviceCreateInfo di{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  di.pNext = &timeline;
  di.queueCreateInfoCount = 1;
  di.pQueueCreateInfos = &qi;
  di.enabledExtensionCount = std::size(extensions);
  di.ppEnabledExtensionNames = extensions;
  if (vkCreateDevice(c.physical, &di, nullptr, &c.device) != VK_SUCCESS) return false;
  vkGetDeviceQueue(c.device, 0, 0, &c.queue);
  VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  return vkCreateCommandPool(c.device, &pi, nullptr, &c.pool) == VK_SUCCESS;
}

inline void tearDown(Context& c) {
  vkDestroyCommandPool(c.device, c.pool, nullptr);
  vkDestroyDevice(c.device, nullptr);
  vkDestroyInstance(c.instance, nullptr);
}

// A semaphore of the given type whose payload is the imported fd (consumed on success).
inline VkResult importSemaphore(Context& c, int fd, bool timeline, VkSemaphore* semaphore) {
  VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  type.semaphoreType = timeline ? VK_SEMAPHORE_TYPE_TIMELINE : VK_SEMAPHORE_TYPE_BINARY;
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
  VkResult r = vkCreateSemaphore(c.device, &info, nullptr, semaphore);
  if (r != VK_SUCCESS) return r;
  auto import = reinterpret_cast<PFN_vkImportSemaphoreFdKHR>(
      vkGetDeviceProcAddr(c.device, "vkImportSemaphoreFdKHR"));
  VkImportSemaphoreFdInfoKHR ii{VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR};
  ii.semaphore = *semaphore;
  ii.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  ii.fd = fd;
  return import(c.device, &ii);
}

// A fence whose payload is the imported opaque fd (consumed on success).
inline VkResult importFence(Context& c, int fd, VkFence* fence) {
  VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkResult r = vkCreateFence(c.device, &info, nullptr, fence);
  if (r != VK_SUCCESS) return r;
  auto import =
      reinterpret_cast<PFN_vkImportFenceFdKHR>(vkGetDeviceProcAddr(c.device, "vkImportFenceFdKHR"));
  VkImportFenceFdInfoKHR ii{VK_STRUCTURE_TYPE_IMPORT_FENCE_FD_INFO_KHR};
  ii.fence = *fence;
  ii.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT;
  ii.fd = fd;
  return import(c.device, &ii);
}

}  // namespace peer
