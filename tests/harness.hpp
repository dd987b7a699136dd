// Test harness: small RAII wrappers over plain Vulkan, used by every test. Everything goes through
// the system loader; nothing here knows emvk's internals.
#pragma once
#include <vulkan/vulkan.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace test {

// Fails the current test with the VkResult's name when a call does not return VK_SUCCESS.
#define VK_CHECK(expr) REQUIRE((expr) == VK_SUCCESS)

// Messages the debug-utils messenger received, from the driver and from validation layers.
struct Messages {
  std::mutex mutex;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::vector<std::string> all;  // every message's text
  // Warnings and errors from validation layers (VALIDATION message type), not from the driver.
  std::vector<std::string> validation;
  bool contains(const std::string& needle);
};

struct InstanceOptions {
  uint32_t apiVersion = VK_API_VERSION_1_1;
  std::vector<const char*> extensions;  // VK_EXT_debug_utils is always added
  std::vector<const char*> layers;
  // Adds VK_LAYER_KHRONOS_validation when EMVK_TEST_VALIDATION=1 or when set here.
  bool validation = false;
};

class Instance {
 public:
  explicit Instance(const InstanceOptions& options = {});
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  VkInstance handle = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;  // the first physical device (emvk in tests)
  Messages messages;
  bool validationEnabled = false;
  // Tests that break a valid-usage rule on purpose (to check emvk's answer) set this; every other
  // test fails if a validation layer complained about it.
  bool expectInvalidUsage = false;

  template <class Fn>
  Fn proc(const char* name) const {
    return reinterpret_cast<Fn>(vkGetInstanceProcAddr(handle, name));
  }

 private:
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
};

struct DeviceOptions {
  uint32_t queueCount = 1;
  std::vector<const char*> extensions;
  const void* pNext = nullptr;  // features chain for VkDeviceCreateInfo
};

// A host-visible, persistently mapped buffer.
struct Buffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize size = 0;
  void* data = nullptr;
  template <class T>
  T* as() const {
    return static_cast<T*>(data);
  }
};

class Device {
 public:
  Device(Instance& instance, const DeviceOptions& options = {});
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  VkDevice handle = VK_NULL_HANDLE;
  uint32_t family = 0;
  std::vector<VkQueue> queues;
  VkCommandPool pool = VK_NULL_HANDLE;  // on `family`, RESET_COMMAND_BUFFER allowed

  template <class Fn>
  Fn proc(const char* name) const {
    return reinterpret_cast<Fn>(vkGetDeviceProcAddr(handle, name));
  }

  Buffer createBuffer(VkDeviceSize size,
                      VkBufferUsageFlags usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                                 VK_BUFFER_USAGE_TRANSFER_DST_BIT);
  void destroy(Buffer& buffer);
  VkCommandBuffer allocateCommandBuffer(
      VkCommandBufferLevel level = VK_COMMAND_BUFFER_LEVEL_PRIMARY);
  // Allocates a primary command buffer from `pool` and begins recording it with `flags`.
  VkCommandBuffer begin(
      VkCommandBufferUsageFlags flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
  // A new fence, unsignaled unless `signaled`; the caller destroys it.
  VkFence createFence(bool signaled = false);
  // Submits `cbs` as one batch to `queue` with a new fence and returns that fence: the caller waits
  // for it and destroys it.
  VkFence submit(const std::vector<VkCommandBuffer>& cbs, uint32_t queue = 0);
  // Submits `cbs` as one batch to `queue` and waits (no timeout) for it to complete. The command
  // buffers are left as they are, for the caller to resubmit or free.
  void submitAndWait(const std::vector<VkCommandBuffer>& cbs, uint32_t queue = 0);
  // Records `record` into a fresh primary command buffer, submits it to `queue` and waits.
  void run(const std::function<void(VkCommandBuffer)>& record, uint32_t queue = 0);
  uint32_t hostVisibleMemoryType() const { return memoryType_; }

 private:
  Instance& instance_;
  uint32_t memoryType_ = 0;
};

// The queue families of `physical`, in order.
std::vector<VkQueueFamilyProperties> queueFamilies(VkPhysicalDevice physical);

// Begins recording an allocated command buffer (primary, or secondary without inheritance).
void beginCommandBuffer(VkCommandBuffer cb, VkCommandBufferUsageFlags flags = 0);

// Makes transfer writes recorded before it available to host reads. Host reads after a fence wait
// still need this: the fence's own memory dependency covers device access only.
void barrierToHost(VkCommandBuffer cb);

// xorshift64*: a byte pattern that differs in every byte, cheap enough to produce 256 MiB in a
// fraction of a second, and a stream that can be regenerated chunk by chunk to check a result
// without keeping a second copy. The seed must not be 0 (xorshift's zero state stays zero).
class Pattern {
 public:
  explicit Pattern(uint64_t seed);
  uint64_t next();
  // `size` must be a multiple of 8 for the stream to continue seamlessly across calls.
  void fill(void* data, size_t size);

 private:
  uint64_t state_;
};

// Fills `size` bytes at `data` with the Pattern stream of `seed`.
void fillPattern(void* data, size_t size, uint64_t seed);

// Number of open file descriptors of this process (for leak checks).
int openFdCount();

}  // namespace test
