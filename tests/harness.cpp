#include "harness.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace test {

bool Messages::contains(const std::string& needle) {
  std::lock_guard lock(mutex);
  for (const auto& m : all)
    if (m.find(needle) != std::string::npos) return true;
  return false;
}

namespace {

VKAPI_ATTR VkBool32 VKAPI_CALL onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                         VkDebugUtilsMessageTypeFlagsEXT types,
                                         const VkDebugUtilsMessengerCallbackDataEXT* data,
                                         void* user) {
  auto* messages = static_cast<Messages*>(user);
  std::string text = data->pMessage ? data->pMessage : "";
  std::lock_guard lock(messages->mutex);
  if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) messages->errors.push_back(text);
  if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT)
    messages->warnings.push_back(text);
  messages->all.push_back(text);
  const bool important = severity & (VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT |
                                     VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT);
  if (important && (types & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT))
    messages->validation.push_back(text);
  return VK_FALSE;
}

VkDebugUtilsMessengerCreateInfoEXT messengerInfo(Messages* messages) {
  VkDebugUtilsMessengerCreateInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_VERBOSE_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_INFO_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  info.pfnUserCallback = onMessage;
  info.pUserData = messages;
  return info;
}

bool validationRequested(const InstanceOptions& options) {
  const char* env = std::getenv("EMVK_TEST_VALIDATION");
  return options.validation || (env && std::strcmp(env, "1") == 0);
}

}  // namespace

Instance::Instance(const InstanceOptions& options) {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "emvk-tests";
  app.apiVersion = options.apiVersion;

  std::vector<const char*> extensions = options.extensions;
  extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  std::vector<const char*> layers = options.layers;
  validationEnabled = validationRequested(options);
  if (validationEnabled) layers.push_back("VK_LAYER_KHRONOS_validation");

  // Chained into creation so messages sent during vkCreateInstance are caught too.
  VkDebugUtilsMessengerCreateInfoEXT debug = messengerInfo(&messages);
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pNext = &debug;
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  VK_CHECK(vkCreateInstance(&info, nullptr, &handle));

  auto create = proc<PFN_vkCreateDebugUtilsMessengerEXT>("vkCreateDebugUtilsMessengerEXT");
  REQUIRE(create != nullptr);
  VK_CHECK(create(handle, &debug, nullptr, &messenger_));

  uint32_t count = 1;
  VkResult r = vkEnumeratePhysicalDevices(handle, &count, &physical);
  REQUIRE((r == VK_SUCCESS || r == VK_INCOMPLETE));
  REQUIRE(count == 1);
}

Instance::~Instance() {
  // With EMVK_TEST_VALIDATION=1 (the "validation:" copy of the suite) every test must be clean.
  if (validationEnabled && !expectInvalidUsage) {
    std::lock_guard lock(messages.mutex);
    for (const auto& m : messages.validation) UNSCOPED_INFO(m);
    CHECK(messages.validation.empty());
  }
  if (messenger_) {
    proc<PFN_vkDestroyDebugUtilsMessengerEXT>("vkDestroyDebugUtilsMessengerEXT")(handle, messenger_,
                                                                                 nullptr);
  }
  if (handle) vkDestroyInstance(handle, nullptr);
}

Device::Device(Instance& instance, const DeviceOptions& options) : instance_(instance) {
  const std::vector<VkQueueFamilyProperties> families = queueFamilies(instance.physical);
  REQUIRE(families.size() >= 1);
  family = 0;
  REQUIRE(families[family].queueCount >= options.queueCount);

  std::vector<float> priorities(options.queueCount, 1.0f);
  VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queueInfo.queueFamilyIndex = family;
  queueInfo.queueCount = options.queueCount;
  queueInfo.pQueuePriorities = priorities.data();

  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = options.pNext;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queueInfo;
  info.enabledExtensionCount = static_cast<uint32_t>(options.extensions.size());
  info.ppEnabledExtensionNames = options.extensions.data();
  VK_CHECK(vkCreateDevice(instance.physical, &info, nullptr, &handle));

  queues.resize(options.queueCount);
  for (uint32_t i = 0; i < options.queueCount; ++i) vkGetDeviceQueue(handle, family, i, &queues[i]);

  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  poolInfo.queueFamilyIndex = family;
  VK_CHECK(vkCreateCommandPool(handle, &poolInfo, nullptr, &pool));

  VkPhysicalDeviceMemoryProperties memory;
  vkGetPhysicalDeviceMemoryProperties(instance.physical, &memory);
  const VkMemoryPropertyFlags wanted =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  memoryType_ = UINT32_MAX;
  for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
    if ((memory.memoryTypes[i].propertyFlags & wanted) == wanted) {
      memoryType_ = i;
      break;
    }
  }
  REQUIRE(memoryType_ != UINT32_MAX);
}

Device::~Device() {
  if (!handle) return;
  vkDeviceWaitIdle(handle);
  vkDestroyCommandPool(handle, pool, nullptr);
  vkDestroyDevice(handle, nullptr);
}

Buffer Device::createBuffer(VkDeviceSize size, VkBufferUsageFlags usage) {
  Buffer b;
  b.size = size;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = usage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VK_CHECK(vkCreateBuffer(handle, &info, nullptr, &b.buffer));

  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(handle, b.buffer, &req);
  REQUIRE((req.memoryTypeBits & (1u << memoryType_)) != 0);
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = memoryType_;
  VK_CHECK(vkAllocateMemory(handle, &alloc, nullptr, &b.memory));
  VK_CHECK(vkBindBufferMemory(handle, b.buffer, b.memory, 0));
  VK_CHECK(vkMapMemory(handle, b.memory, 0, VK_WHOLE_SIZE, 0, &b.data));
  return b;
}

void Device::destroy(Buffer& b) {
  vkDestroyBuffer(handle, b.buffer, nullptr);
  vkFreeMemory(handle, b.memory, nullptr);  // implicitly unmaps
  b = Buffer{};
}

VkCommandBuffer Device::allocateCommandBuffer(VkCommandBufferLevel level) {
  VkCommandBufferAllocateInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  info.commandPool = pool;
  info.level = level;
  info.commandBufferCount = 1;
  VkCommandBuffer cb = VK_NULL_HANDLE;
  VK_CHECK(vkAllocateCommandBuffers(handle, &info, &cb));
  return cb;
}

VkCommandBuffer Device::begin(VkCommandBufferUsageFlags flags) {
  VkCommandBuffer cb = allocateCommandBuffer();
  beginCommandBuffer(cb, flags);
  return cb;
}

VkFence Device::createFence(bool signaled) {
  VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  info.flags = signaled ? VK_FENCE_CREATE_SIGNALED_BIT : 0;
  VkFence fence;
  VK_CHECK(vkCreateFence(handle, &info, nullptr, &fence));
  return fence;
}

VkFence Device::submit(const std::vector<VkCommandBuffer>& cbs, uint32_t queue) {
  VkFence fence = createFence();
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = static_cast<uint32_t>(cbs.size());
  submit.pCommandBuffers = cbs.data();
  VK_CHECK(vkQueueSubmit(queues.at(queue), 1, &submit, fence));
  return fence;
}

void Device::submitAndWait(const std::vector<VkCommandBuffer>& cbs, uint32_t queue) {
  VkFence fence = submit(cbs, queue);
  VK_CHECK(vkWaitForFences(handle, 1, &fence, VK_TRUE, UINT64_MAX));
  vkDestroyFence(handle, fence, nullptr);
}

void Device::run(const std::function<void(VkCommandBuffer)>& record, uint32_t queue) {
  VkCommandBuffer cb = begin();
  record(cb);
  VK_CHECK(vkEndCommandBuffer(cb));
  submitAndWait({cb}, queue);
  vkFreeCommandBuffers(handle, pool, 1, &cb);
}

std::vector<VkQueueFamilyProperties> queueFamilies(VkPhysicalDevice physical) {
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families.data());
  return families;
}

void beginCommandBuffer(VkCommandBuffer cb, VkCommandBufferUsageFlags flags) {
  VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  info.flags = flags;
  VK_CHECK(vkBeginCommandBuffer(cb, &info));
}

void barrierToHost(VkCommandBuffer cb) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT,
                          VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &barrier, 0, nullptr, 0, nullptr);
}

Pattern::Pattern(uint64_t seed) : state_(seed) {
  if (seed == 0) FAIL("test::Pattern needs a non-zero seed");
}

uint64_t Pattern::next() {
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1Dull;
}

void Pattern::fill(void* data, size_t size) {
  auto* bytes = static_cast<uint8_t*>(data);
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t word = next();
    std::memcpy(bytes + i, &word, size - i < 8 ? size - i : 8);
  }
}

void fillPattern(void* data, size_t size, uint64_t seed) { Pattern(seed).fill(data, size); }

int openFdCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

}  // namespace test
