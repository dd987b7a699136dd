// transfer_demo: the smallest complete Vulkan program that does real work on emvk.
// It fills one buffer on the device, copies it into another, overwrites a slice with
// vkCmdUpdateBuffer, times the work with timestamp queries and checks every byte on the host.
// Plain Vulkan: it runs on any driver the loader offers (VK_DRIVER_FILES picks emvk).
#include <vulkan/vulkan.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#define CHECK(call)                                                     \
  do {                                                                  \
    VkResult r_ = (call);                                               \
    if (r_ != VK_SUCCESS) {                                             \
      std::fprintf(stderr, "%s failed: VkResult %d\n", #call, (int)r_); \
      std::exit(1);                                                     \
    }                                                                   \
  } while (0)

struct HostBuffer {
  VkBuffer buffer;
  VkDeviceMemory memory;
  uint32_t* words;
};

static HostBuffer makeBuffer(VkDevice device, VkPhysicalDevice physical, VkDeviceSize size) {
  HostBuffer b{};
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  CHECK(vkCreateBuffer(device, &info, nullptr, &b.buffer));
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device, b.buffer, &req);
  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(physical, &mem);
  uint32_t type = 0;
  while (!((req.memoryTypeBits >> type) & 1) ||
         !(mem.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
    ++type;
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = type;
  CHECK(vkAllocateMemory(device, &alloc, nullptr, &b.memory));
  CHECK(vkBindBufferMemory(device, b.buffer, b.memory, 0));
  CHECK(vkMapMemory(device, b.memory, 0, VK_WHOLE_SIZE, 0, reinterpret_cast<void**>(&b.words)));
  return b;
}

int main() {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "emvk transfer demo";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo instanceInfo{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  instanceInfo.pApplicationInfo = &app;
  VkInstance instance;
  CHECK(vkCreateInstance(&instanceInfo, nullptr, &instance));

  uint32_t count = 1;
  VkPhysicalDevice physical;
  if (vkEnumeratePhysicalDevices(instance, &count, &physical) < 0 || count == 0) {
    std::fprintf(stderr, "no Vulkan device found\n");
    return 1;
  }
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(physical, &props);
  std::printf("device: %s (Vulkan %u.%u)\n", props.deviceName,
              VK_API_VERSION_MAJOR(props.apiVersion), VK_API_VERSION_MINOR(props.apiVersion));

  float priority = 1.0f;
  VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queueInfo.queueFamilyIndex = 0;  // emvk's only family: compute + transfer
  queueInfo.queueCount = 1;
  queueInfo.pQueuePriorities = &priority;
  VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  deviceInfo.queueCreateInfoCount = 1;
  deviceInfo.pQueueCreateInfos = &queueInfo;
  VkDevice device;
  CHECK(vkCreateDevice(physical, &deviceInfo, nullptr, &device));
  VkQueue queue;
  vkGetDeviceQueue(device, 0, 0, &queue);

  const VkDeviceSize size = 64ull << 20;  // 64 MiB
  HostBuffer a = makeBuffer(device, physical, size);
  HostBuffer b = makeBuffer(device, physical, size);
  uint32_t patch[16];
  for (uint32_t i = 0; i < 16; ++i) patch[i] = 0xC0DE0000u + i;

  VkQueryPoolCreateInfo queryInfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
  queryInfo.queryCount = 2;
  VkQueryPool queries;
  CHECK(vkCreateQueryPool(device, &queryInfo, nullptr, &queries));

  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  VkCommandPool pool;
  CHECK(vkCreateCommandPool(device, &poolInfo, nullptr, &pool));
  VkCommandBufferAllocateInfo cbInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cbInfo.commandPool = pool;
  cbInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cbInfo.commandBufferCount = 1;
  VkCommandBuffer cb;
  CHECK(vkAllocateCommandBuffers(device, &cbInfo, &cb));

  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  CHECK(vkBeginCommandBuffer(cb, &begin));
  vkCmdResetQueryPool(cb, queries, 0, 2);
  vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries, 0);
  vkCmdFillBuffer(cb, a.buffer, 0, VK_WHOLE_SIZE, 0xA5A5A5A5u);
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                       &barrier, 0, nullptr, 0, nullptr);
  VkBufferCopy region{0, 0, size};
  vkCmdCopyBuffer(cb, a.buffer, b.buffer, 1, &region);
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                       &barrier, 0, nullptr, 0, nullptr);
  vkCmdUpdateBuffer(cb, b.buffer, 4096, sizeof(patch), patch);
  vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, 1);
  CHECK(vkEndCommandBuffer(cb));

  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence;
  CHECK(vkCreateFence(device, &fenceInfo, nullptr, &fence));
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;
  CHECK(vkQueueSubmit(queue, 1, &submit, fence));
  CHECK(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX));

  uint64_t ticks[2];
  CHECK(vkGetQueryPoolResults(device, queries, 0, 2, sizeof(ticks), ticks, sizeof(uint64_t),
                              VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  const double ms = (ticks[1] - ticks[0]) * props.limits.timestampPeriod / 1e6;

  size_t wrong = 0;
  const size_t words = size / 4;
  for (size_t i = 0; i < words; ++i) {
    const bool patched = i >= 1024 && i < 1024 + 16;
    const uint32_t expected = patched ? patch[i - 1024] : 0xA5A5A5A5u;
    if (b.words[i] != expected) ++wrong;
  }
  std::printf("filled  %llu MiB with 0xA5A5A5A5 (vkCmdFillBuffer)\n",
              (unsigned long long)(size >> 20));
  std::printf("copied  %llu MiB buffer A -> buffer B (vkCmdCopyBuffer)\n",
              (unsigned long long)(size >> 20));
  std::printf("updated 64 bytes at offset 4096 of B (vkCmdUpdateBuffer)\n");
  std::printf("device time %.2f ms (timestamp queries), %.1f GB/s for fill + copy\n", ms,
              (2.0 * size) / (ms * 1e6));
  std::printf("checked %zu words on the host: %zu wrong -> %s\n", words, wrong,
              wrong ? "FAIL" : "OK");

  vkDestroyFence(device, fence, nullptr);
  vkDestroyCommandPool(device, pool, nullptr);
  vkDestroyQueryPool(device, queries, nullptr);
  for (HostBuffer* h : {&a, &b}) {
    vkDestroyBuffer(device, h->buffer, nullptr);
    vkFreeMemory(device, h->memory, nullptr);
  }
  vkDestroyDevice(device, nullptr);
  vkDestroyInstance(instance, nullptr);
  return wrong ? 1 : 0;
}
