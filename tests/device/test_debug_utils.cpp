// VK_EXT_debug_utils from the application's side: naming objects, labelling queues and command
// buffers, and the driver explaining its own failures through the messenger.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

struct DebugUtils {
  explicit DebugUtils(const test::Instance& instance)
      : setName(instance.proc<PFN_vkSetDebugUtilsObjectNameEXT>("vkSetDebugUtilsObjectNameEXT")),
        queueBegin(
            instance.proc<PFN_vkQueueBeginDebugUtilsLabelEXT>("vkQueueBeginDebugUtilsLabelEXT")),
        queueEnd(instance.proc<PFN_vkQueueEndDebugUtilsLabelEXT>("vkQueueEndDebugUtilsLabelEXT")),
        queueInsert(
            instance.proc<PFN_vkQueueInsertDebugUtilsLabelEXT>("vkQueueInsertDebugUtilsLabelEXT")),
        cmdBegin(instance.proc<PFN_vkCmdBeginDebugUtilsLabelEXT>("vkCmdBeginDebugUtilsLabelEXT")),
        cmdEnd(instance.proc<PFN_vkCmdEndDebugUtilsLabelEXT>("vkCmdEndDebugUtilsLabelEXT")),
        cmdInsert(
            instance.proc<PFN_vkCmdInsertDebugUtilsLabelEXT>("vkCmdInsertDebugUtilsLabelEXT")) {
    REQUIRE(setName);
    REQUIRE(queueBegin);
    REQUIRE(queueEnd);
    REQUIRE(queueInsert);
    REQUIRE(cmdBegin);
    REQUIRE(cmdEnd);
    REQUIRE(cmdInsert);
  }
  PFN_vkSetDebugUtilsObjectNameEXT setName;
  PFN_vkQueueBeginDebugUtilsLabelEXT queueBegin;
  PFN_vkQueueEndDebugUtilsLabelEXT queueEnd;
  PFN_vkQueueInsertDebugUtilsLabelEXT queueInsert;
  PFN_vkCmdBeginDebugUtilsLabelEXT cmdBegin;
  PFN_vkCmdEndDebugUtilsLabelEXT cmdEnd;
  PFN_vkCmdInsertDebugUtilsLabelEXT cmdInsert;
};

template <class Handle>
VkResult name(const DebugUtils& debug, VkDevice device, VkObjectType type, Handle handle,
              const char* text) {
  VkDebugUtilsObjectNameInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT};
  info.objectType = type;
  info.objectHandle = reinterpret_cast<uint64_t>(handle);
  info.pObjectName = text;
  return debug.setName(device, &info);
}

std::vector<std::string> errorsOf(test::Instance& instance) {
  std::lock_guard lock(instance.messages.mutex);
  return instance.messages.errors;
}

VkDebugUtilsLabelEXT label(const char* text) {
  VkDebugUtilsLabelEXT l{VK_STRUCTURE_TYPE_DEBUG_UTILS_LABEL_EXT};
  l.pLabelName = text;
  l.color[0] = 1.0f;
  return l;
}

}  // namespace

TEST_CASE("debug utils: objects can be named and renamed", "[debug-utils]") {
  test::Instance instance;
  test::Device device(instance);
  DebugUtils debug(instance);
  test::Buffer buffer = device.createBuffer(256);

  CHECK(name(debug, device.handle, VK_OBJECT_TYPE_BUFFER, buffer.buffer, "staging") == VK_SUCCESS);
  CHECK(name(debug, device.handle, VK_OBJECT_TYPE_DEVICE_MEMORY, buffer.memory, "staging memory") ==
        VK_SUCCESS);
  CHECK(name(debug, device.handle, VK_OBJECT_TYPE_DEVICE, device.handle, "the device") ==
        VK_SUCCESS);
  CHECK(name(debug, device.handle, VK_OBJECT_TYPE_QUEUE, device.queues[0], "queue 0") ==
        VK_SUCCESS);
  CHECK(name(debug, device.handle, VK_OBJECT_TYPE_COMMAND_POOL, device.pool, "pool") == VK_SUCCESS);
  // A new name replaces the old; an empty or NULL name removes it (vkSetDebugUtilsObjectNameEXT).
  CHECK(name(debug, device.handle, VK_OBJECT_TYPE_BUFFER, buffer.buffer, "renamed") == VK_SUCCESS);
  CHECK(name(debug, device.handle, VK_OBJECT_TYPE_BUFFER, buffer.buffer, "") == VK_SUCCESS);
  // NULL only on emvk: Mesa 22.3's common runtime (lavapipe) answers it with OUT_OF_HOST_MEMORY.
  if (probe::isEmvk(instance.physical))
    CHECK(name(debug, device.handle, VK_OBJECT_TYPE_BUFFER, buffer.buffer, nullptr) == VK_SUCCESS);

  device.destroy(buffer);
  CHECK(errorsOf(instance).empty());
}

TEST_CASE("debug utils: queue and command buffer labels", "[debug-utils]") {
  test::Instance instance;
  test::Device device(instance);
  DebugUtils debug(instance);
  test::Buffer buffer = device.createBuffer(1024);

  VkDebugUtilsLabelEXT frame = label("frame");
  debug.queueBegin(device.queues[0], &frame);
  VkDebugUtilsLabelEXT marker = label("between submissions");
  debug.queueInsert(device.queues[0], &marker);

  // Labels may nest and surround real work; they must not change what the work does.
  device.run([&](VkCommandBuffer cb) {
    VkDebugUtilsLabelEXT outer = label("clear");
    VkDebugUtilsLabelEXT inner = label("fill");
    VkDebugUtilsLabelEXT point = label("filled");
    debug.cmdBegin(cb, &outer);
    debug.cmdBegin(cb, &inner);
    vkCmdFillBuffer(cb, buffer.buffer, 0, VK_WHOLE_SIZE, 0x01020304);
    debug.cmdInsert(cb, &point);
    debug.cmdEnd(cb);
    debug.cmdEnd(cb);
  });
  debug.queueEnd(device.queues[0]);
  VK_CHECK(vkQueueWaitIdle(device.queues[0]));

  const uint32_t* words = buffer.as<uint32_t>();
  CHECK(words[0] == 0x01020304u);
  CHECK(words[255] == 0x01020304u);
  device.destroy(buffer);
  CHECK(errorsOf(instance).empty());
}

TEST_CASE("debug utils: a failed allocation is explained to the messenger", "[debug-utils]") {
  test::Instance instance;
  instance.expectInvalidUsage =
      true;  // a size beyond the heap (VUID-vkAllocateMemory-pAllocateInfo-01713)
  test::Device device(instance);
  {
    std::lock_guard lock(instance.messages.mutex);
    instance.messages.all.clear();  // only what the failing call sends counts
    instance.messages.errors.clear();
    instance.messages.warnings.clear();
  }

  // Far beyond the heap and maxMemoryAllocationSize. Strictly this is invalid usage
  // (VUID-vkAllocateMemory-pAllocateInfo-01713: allocationSize <= heap size); drivers answer it
  // with VK_ERROR_OUT_OF_DEVICE_MEMORY rather than crash, and emvk's contract says so.
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  info.allocationSize = VkDeviceSize{1} << 62;
  info.memoryTypeIndex = device.hostVisibleMemoryType();
  VkDeviceMemory memory = VK_NULL_HANDLE;
  CHECK(vkAllocateMemory(device.handle, &info, nullptr, &memory) == VK_ERROR_OUT_OF_DEVICE_MEMORY);
  CHECK(memory == VK_NULL_HANDLE);

  if (!probe::isEmvk(instance.physical)) {
    WARN("not running on emvk: the driver's own message is not checked");
    return;
  }
  // STYLE.md: every error the driver returns on bad input also says why, through the messenger.
  std::lock_guard lock(instance.messages.mutex);
  std::string received;
  for (const auto& m : instance.messages.all) received += m + "\n";
  INFO("messages:\n" << received);
  CHECK(instance.messages.errors.size() + instance.messages.warnings.size() > 0);
  bool explained = false;
  for (const auto* list : {&instance.messages.errors, &instance.messages.warnings})
    for (const auto& m : *list)
      if (m.find("emvk") != std::string::npos) explained = true;
  CHECK(explained);
}

namespace {

struct CreationMessages {
  int afterCreate = 0;  // messages that arrived after vkCreateInstance returned
  bool created = false;
};

VKAPI_ATTR VkBool32 VKAPI_CALL countAfterCreate(VkDebugUtilsMessageSeverityFlagBitsEXT,
                                                VkDebugUtilsMessageTypeFlagsEXT,
                                                const VkDebugUtilsMessengerCallbackDataEXT*,
                                                void* user) {
  auto* counts = static_cast<CreationMessages*>(user);
  if (counts->created) ++counts->afterCreate;
  return VK_FALSE;
}

}  // namespace

TEST_CASE("debug utils: a messenger chained to vkCreateInstance only hears creation",
          "[debug-utils]") {
  // Plain Vulkan: test::Instance also registers a lasting messenger, which is what this must
  // tell apart from the creation-time one.
  CreationMessages counts;
  VkDebugUtilsMessengerCreateInfoEXT creation{
      VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  creation.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_VERBOSE_BIT_EXT |
                             VK_DEBUG_UTILS_MESSAGE_SEVERITY_INFO_BIT_EXT |
                             VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                             VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  creation.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  creation.pfnUserCallback = countAfterCreate;
  creation.pUserData = &counts;
  const char* extension = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, &creation};
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = 1;
  info.ppEnabledExtensionNames = &extension;
  VkInstance instance;
  VK_CHECK(vkCreateInstance(&info, nullptr, &instance));
  counts.created = true;

  uint32_t count = 1;
  VkPhysicalDevice physical;
  VkResult enumerated = vkEnumeratePhysicalDevices(instance, &count, &physical);
  REQUIRE((enumerated == VK_SUCCESS || enumerated == VK_INCOMPLETE));
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  deviceInfo.queueCreateInfoCount = 1;
  deviceInfo.pQueueCreateInfos = &queue;
  VkDevice device;
  VK_CHECK(vkCreateDevice(physical, &deviceInfo, nullptr, &device));
  // A failure the driver explains (see the test above) once the instance exists.
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = VkDeviceSize{1} << 62;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  CHECK(vkAllocateMemory(device, &alloc, nullptr, &memory) != VK_SUCCESS);
  vkDestroyDevice(device, nullptr);

  // VkInstanceCreateInfo: a messenger in pNext covers vkCreateInstance and vkDestroyInstance
  // only; its pUserData need not outlive them. Messages in between belong to messengers made
  // with vkCreateDebugUtilsMessengerEXT.
  CHECK(counts.afterCreate == 0);
  vkDestroyInstance(instance, nullptr);
}
