// compute_demo: one compute shader on two queues, the program of docs/course/.
//
// Queue 0 runs saxpy (tests/jit/saxpy.comp: y = a*x + y) as one vkCmdDispatch per repetition,
// timed with timestamp queries, and signals a timeline semaphore. Queue 1 waits for that value,
// copies y into a third buffer and signals a fence. The host checks every float. So one run shows
// a JIT compile (vkCreateComputePipelines), dispatches spread over workers, a cross-queue timeline
// wait and signal, a copy and a fence: each chapter of the course looks at one of them.
//
//   compute_demo [--n FLOATS] [--reps N]     defaults: 1048576 floats, 5 repetitions
//
// Plain Vulkan 1.1 plus VK_KHR_timeline_semaphore: any driver with compute and timelines runs it
// (VK_DRIVER_FILES picks emvk). Exit status 0 only if every float is right.
#include <vulkan/vulkan.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// tests/jit/saxpy.comp, compiled by glslc at build time (docs/examples/CMakeLists.txt).
const uint32_t kSaxpy[] = {
#include "saxpy.spv.inc"
};

#define CHECK(call)                                                     \
  do {                                                                  \
    VkResult r_ = (call);                                               \
    if (r_ != VK_SUCCESS) {                                             \
      std::fprintf(stderr, "%s failed: VkResult %d\n", #call, (int)r_); \
      std::exit(1);                                                     \
    }                                                                   \
  } while (0)

constexpr uint32_t kLocalSize = 64;  // saxpy.comp's local_size_x

struct Buffer {
  VkBuffer buffer;
  VkDeviceMemory memory;
  float* floats;
};

Buffer makeBuffer(VkDevice device, VkPhysicalDevice physical, VkDeviceSize size,
                  VkBufferUsageFlags usage) {
  Buffer b{};
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = usage;
  CHECK(vkCreateBuffer(device, &info, nullptr, &b.buffer));
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device, b.buffer, &req);
  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(physical, &mem);
  const VkMemoryPropertyFlags wanted =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  uint32_t type = 0;
  while (type < mem.memoryTypeCount && (!((req.memoryTypeBits >> type) & 1) ||
                                        (mem.memoryTypes[type].propertyFlags & wanted) != wanted))
    ++type;
  if (type == mem.memoryTypeCount) {
    std::fprintf(stderr, "no host-visible, coherent memory type for a buffer\n");
    std::exit(1);
  }
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = type;
  CHECK(vkAllocateMemory(device, &alloc, nullptr, &b.memory));
  CHECK(vkBindBufferMemory(device, b.buffer, b.memory, 0));
  CHECK(vkMapMemory(device, b.memory, 0, VK_WHOLE_SIZE, 0, reinterpret_cast<void**>(&b.floats)));
  return b;
}

void destroy(VkDevice device, Buffer& b) {
  vkDestroyBuffer(device, b.buffer, nullptr);
  vkFreeMemory(device, b.memory, nullptr);
}

bool parseArgs(int argc, char** argv, uint32_t& n, uint32_t& reps) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    const long value = std::strtol(argv[i + 1], nullptr, 10);
    if (value <= 0) return false;
    if (arg == "--n")
      n = static_cast<uint32_t>(value);
    else if (arg == "--reps")
      reps = static_cast<uint32_t>(value);
    else
      return false;
  }
  return argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t n = 1u << 20, reps = 5;
  if (!parseArgs(argc, argv, n, reps)) {
    std::fprintf(stderr, "usage: compute_demo [--n FLOATS] [--reps N]\n");
    return 2;
  }

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "emvk compute demo";
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
  const uint32_t groups = (n + kLocalSize - 1) / kLocalSize;
  if (groups > props.limits.maxComputeWorkGroupCount[0]) {
    std::fprintf(stderr, "--n %u needs %u workgroups; this device allows %u in x\n", n, groups,
                 props.limits.maxComputeWorkGroupCount[0]);
    return 2;
  }

  // One queue family that computes and transfers, with two queues if it has them.
  uint32_t familyCount = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, nullptr);
  std::vector<VkQueueFamilyProperties> families(familyCount);
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, families.data());
  uint32_t family = 0;
  while (family < familyCount && !(families[family].queueFlags & VK_QUEUE_COMPUTE_BIT)) ++family;
  if (family == familyCount || families[family].timestampValidBits == 0) {
    std::fprintf(stderr, "no compute queue family with timestamps\n");
    return 1;
  }
  const uint32_t queueCount = std::min(2u, families[family].queueCount);

  const float priorities[2] = {1.0f, 1.0f};
  VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queueInfo.queueFamilyIndex = family;
  queueInfo.queueCount = queueCount;
  queueInfo.pQueuePriorities = priorities;
  VkPhysicalDeviceTimelineSemaphoreFeatures timelineFeature{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES};
  timelineFeature.timelineSemaphore = VK_TRUE;
  const char* extensions[] = {VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME};
  VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  deviceInfo.pNext = &timelineFeature;
  deviceInfo.queueCreateInfoCount = 1;
  deviceInfo.pQueueCreateInfos = &queueInfo;
  deviceInfo.enabledExtensionCount = 1;
  deviceInfo.ppEnabledExtensionNames = extensions;
  VkDevice device;
  CHECK(vkCreateDevice(physical, &deviceInfo, nullptr, &device));
  VkQueue computeQueue, copyQueue;
  vkGetDeviceQueue(device, family, 0, &computeQueue);
  vkGetDeviceQueue(device, family, queueCount - 1, &copyQueue);
  std::printf("device: %s (Vulkan %u.%u), queues %u.0 (saxpy) and %u.%u (copy)\n", props.deviceName,
              VK_API_VERSION_MAJOR(props.apiVersion), VK_API_VERSION_MINOR(props.apiVersion),
              family, family, queueCount - 1);

  // x[i] = i % 7, y[i] = 1, a = 2: after `reps` dispatches y[i] = 1 + 2 * reps * (i % 7), exactly.
  const VkDeviceSize bytes = VkDeviceSize(n) * sizeof(float);
  const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  Buffer x = makeBuffer(device, physical, bytes, storage);
  Buffer y = makeBuffer(device, physical, bytes, storage | VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
  Buffer z = makeBuffer(device, physical, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
  for (uint32_t i = 0; i < n; ++i) x.floats[i] = float(i % 7), y.floats[i] = 1.0f;
  std::memset(z.floats, 0, bytes);

  // The pipeline: two storage buffers and a push constant block {float a; uint n;}.
  VkDescriptorSetLayoutBinding bindings[2] = {};
  for (uint32_t b = 0; b < 2; ++b) {
    bindings[b].binding = b;
    bindings[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[b].descriptorCount = 1;
    bindings[b].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  VkDescriptorSetLayoutCreateInfo setLayoutInfo{
      VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  setLayoutInfo.bindingCount = 2;
  setLayoutInfo.pBindings = bindings;
  VkDescriptorSetLayout setLayout;
  CHECK(vkCreateDescriptorSetLayout(device, &setLayoutInfo, nullptr, &setLayout));
  VkPushConstantRange pushRange{VK_SHADER_STAGE_COMPUTE_BIT, 0, 8};
  VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layoutInfo.setLayoutCount = 1;
  layoutInfo.pSetLayouts = &setLayout;
  layoutInfo.pushConstantRangeCount = 1;
  layoutInfo.pPushConstantRanges = &pushRange;
  VkPipelineLayout pipelineLayout;
  CHECK(vkCreatePipelineLayout(device, &layoutInfo, nullptr, &pipelineLayout));
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  moduleInfo.codeSize = sizeof(kSaxpy);
  moduleInfo.pCode = kSaxpy;
  VkShaderModule module;
  CHECK(vkCreateShaderModule(device, &moduleInfo, nullptr, &module));
  VkComputePipelineCreateInfo pipelineInfo{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  pipelineInfo.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipelineInfo.stage.module = module;
  pipelineInfo.stage.pName = "main";
  pipelineInfo.layout = pipelineLayout;
  VkPipeline pipeline;  // emvk compiles the shader to machine code here, not at the dispatch
  CHECK(vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &pipelineInfo, nullptr, &pipeline));

  VkDescriptorPoolSize poolSize{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2};
  VkDescriptorPoolCreateInfo descriptorPoolInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  descriptorPoolInfo.maxSets = 1;
  descriptorPoolInfo.poolSizeCount = 1;
  descriptorPoolInfo.pPoolSizes = &poolSize;
  VkDescriptorPool descriptorPool;
  CHECK(vkCreateDescriptorPool(device, &descriptorPoolInfo, nullptr, &descriptorPool));
  VkDescriptorSetAllocateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  setInfo.descriptorPool = descriptorPool;
  setInfo.descriptorSetCount = 1;
  setInfo.pSetLayouts = &setLayout;
  VkDescriptorSet set;
  CHECK(vkAllocateDescriptorSets(device, &setInfo, &set));
  VkDescriptorBufferInfo bufferInfos[2] = {{x.buffer, 0, VK_WHOLE_SIZE},
                                           {y.buffer, 0, VK_WHOLE_SIZE}};
  VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
  write.dstSet = set;
  write.descriptorCount = 2;
  write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
  write.pBufferInfo = bufferInfos;
  vkUpdateDescriptorSets(device, 1, &write, 0, nullptr);

  VkQueryPoolCreateInfo queryInfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
  queryInfo.queryCount = 2 * reps;
  VkQueryPool queries;
  CHECK(vkCreateQueryPool(device, &queryInfo, nullptr, &queries));

  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  poolInfo.queueFamilyIndex = family;
  VkCommandPool pool;
  CHECK(vkCreateCommandPool(device, &poolInfo, nullptr, &pool));
  VkCommandBufferAllocateInfo cbInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cbInfo.commandPool = pool;
  cbInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cbInfo.commandBufferCount = 2;
  VkCommandBuffer cbs[2];
  CHECK(vkAllocateCommandBuffers(device, &cbInfo, cbs));
  const VkCommandBuffer saxpyCb = cbs[0], copyCb = cbs[1];

  // Queue 0: `reps` dispatches, each between two timestamps; a barrier orders each dispatch's
  // writes of y before the next one's reads.
  struct {
    float a;
    uint32_t n;
  } push{2.0f, n};
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  CHECK(vkBeginCommandBuffer(saxpyCb, &begin));
  vkCmdResetQueryPool(saxpyCb, queries, 0, 2 * reps);
  vkCmdBindPipeline(saxpyCb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
  vkCmdBindDescriptorSets(saxpyCb, VK_PIPELINE_BIND_POINT_COMPUTE, pipelineLayout, 0, 1, &set, 0,
                          nullptr);
  vkCmdPushConstants(saxpyCb, pipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), &push);
  VkMemoryBarrier yWritten{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  yWritten.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  yWritten.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  for (uint32_t r = 0; r < reps; ++r) {
    if (r > 0)
      vkCmdPipelineBarrier(saxpyCb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &yWritten, 0, nullptr, 0,
                           nullptr);
    vkCmdWriteTimestamp(saxpyCb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries, 2 * r);
    vkCmdDispatch(saxpyCb, groups, 1, 1);
    vkCmdWriteTimestamp(saxpyCb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries, 2 * r + 1);
  }
  CHECK(vkEndCommandBuffer(saxpyCb));

  // Queue 1: copy y to z once queue 0 has signalled, then make the copy visible to the host.
  CHECK(vkBeginCommandBuffer(copyCb, &begin));
  VkBufferCopy region{0, 0, bytes};
  vkCmdCopyBuffer(copyCb, y.buffer, z.buffer, 1, &region);
  VkMemoryBarrier toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  toHost.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(copyCb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &toHost, 0, nullptr, 0, nullptr);
  CHECK(vkEndCommandBuffer(copyCb));

  VkSemaphoreTypeCreateInfo timelineInfo{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
  timelineInfo.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  semaphoreInfo.pNext = &timelineInfo;
  VkSemaphore timeline;
  CHECK(vkCreateSemaphore(device, &semaphoreInfo, nullptr, &timeline));
  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence;
  CHECK(vkCreateFence(device, &fenceInfo, nullptr, &fence));

  // The copy is submitted first: its queue waits for a value nobody has signalled yet (a timeline
  // allows that; a binary semaphore would not).
  const uint64_t value = reps;
  const VkPipelineStageFlags waitStage = VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkTimelineSemaphoreSubmitInfo waitValue{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  waitValue.waitSemaphoreValueCount = 1;
  waitValue.pWaitSemaphoreValues = &value;
  VkSubmitInfo copySubmit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  copySubmit.pNext = &waitValue;
  copySubmit.waitSemaphoreCount = 1;
  copySubmit.pWaitSemaphores = &timeline;
  copySubmit.pWaitDstStageMask = &waitStage;
  copySubmit.commandBufferCount = 1;
  copySubmit.pCommandBuffers = &copyCb;
  if (queueCount == 1) {
    // One queue: the wait must come after the signal in submission order.
    copySubmit.pNext = nullptr;
    copySubmit.waitSemaphoreCount = 0;
  }
  VkTimelineSemaphoreSubmitInfo signalValue{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  signalValue.signalSemaphoreValueCount = 1;
  signalValue.pSignalSemaphoreValues = &value;
  VkSubmitInfo saxpySubmit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  saxpySubmit.pNext = &signalValue;
  saxpySubmit.commandBufferCount = 1;
  saxpySubmit.pCommandBuffers = &saxpyCb;
  saxpySubmit.signalSemaphoreCount = 1;
  saxpySubmit.pSignalSemaphores = &timeline;
  if (queueCount > 1) {
    CHECK(vkQueueSubmit(copyQueue, 1, &copySubmit, fence));
    CHECK(vkQueueSubmit(computeQueue, 1, &saxpySubmit, VK_NULL_HANDLE));
  } else {
    CHECK(vkQueueSubmit(computeQueue, 1, &saxpySubmit, VK_NULL_HANDLE));
    CHECK(vkQueueSubmit(copyQueue, 1, &copySubmit, fence));
  }
  CHECK(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX));

  std::vector<uint64_t> ticks(2 * reps);
  CHECK(vkGetQueryPoolResults(device, queries, 0, 2 * reps, ticks.size() * sizeof(uint64_t),
                              ticks.data(), sizeof(uint64_t),
                              VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  std::vector<double> us(reps);
  for (uint32_t r = 0; r < reps; ++r)
    us[r] = (ticks[2 * r + 1] - ticks[2 * r]) * props.limits.timestampPeriod / 1e3;
  std::vector<double> sorted = us;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[reps / 2];

  size_t wrong = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const float expected = 1.0f + 2.0f * float(reps) * float(i % 7);
    if (y.floats[i] != expected || z.floats[i] != expected) ++wrong;
  }
  std::printf("saxpy:  %u floats, vkCmdDispatch(%u, 1, 1) of %u invocations, %u times\n", n, groups,
              kLocalSize, reps);
  std::printf("time:   median %.0f us per dispatch, best %.0f us (timestamp queries), %.1f GB/s\n",
              median, sorted[0], 12.0 * n / (median * 1e3));
  std::printf(
      "sync:   queue %u.0 signalled timeline value %llu; queue %u.%u %s, then copied y "
      "(%llu KiB) to z\n",
      family, (unsigned long long)value, family, queueCount - 1,
      queueCount > 1 ? "waited for it" : "(the same queue) came after it",
      (unsigned long long)(bytes >> 10));
  std::printf("check:  %u floats of y and z on the host: %zu wrong -> %s\n", n, wrong,
              wrong ? "FAIL" : "OK");

  vkDestroyFence(device, fence, nullptr);
  vkDestroySemaphore(device, timeline, nullptr);
  vkDestroyCommandPool(device, pool, nullptr);
  vkDestroyQueryPool(device, queries, nullptr);
  vkDestroyDescriptorPool(device, descriptorPool, nullptr);
  vkDestroyPipeline(device, pipeline, nullptr);
  vkDestroyShaderModule(device, module, nullptr);
  vkDestroyPipelineLayout(device, pipelineLayout, nullptr);
  vkDestroyDescriptorSetLayout(device, setLayout, nullptr);
  for (Buffer* b : {&x, &y, &z}) destroy(device, *b);
  vkDestroyDevice(device, nullptr);
  vkDestroyInstance(instance, nullptr);
  return wrong ? 1 : 0;
}
