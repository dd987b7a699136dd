#include "driver_child.hpp"

#include <unistd.h>
#include <vulkan/vulkan.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "stats.hpp"

namespace emvk::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A fence that has not signalled after this long is a hung driver, not a slow one.
constexpr std::uint64_t kFenceTimeoutNs = 30'000'000'000;
constexpr VkDeviceSize kFillBytes = 4096;
constexpr std::uint32_t kFillPattern = 0x454d564b;  // "EMVK"
constexpr int kExportWarmUps = 5;
constexpr VkExternalMemoryHandleTypeFlagBits kOpaqueFd =
    VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;

// SPIR-V compiled from bench/shaders/*.comp by glslc at build time (bench/CMakeLists.txt).
// clang-format off
constexpr std::uint32_t kSaxpySpirv[] = {
#include "saxpy.spv.inc"
};
constexpr std::uint32_t kCountSpirv[] = {
#include "count.spv.inc"
};
constexpr std::uint32_t kSgemmNaiveSpirv[] = {
#include "sgemm_naive.spv.inc"
};
constexpr std::uint32_t kSgemmTiledSpirv[] = {
#include "sgemm_tiled.spv.inc"
};
// clang-format on
constexpr std::uint32_t kSaxpyLocalSize = 64;  // local_size_x of saxpy.comp
constexpr float kSaxpyA = 2.0f;
constexpr std::uint32_t kFirstDispatchElements = 1u << 16;  // the pipeline workload's dispatches
constexpr int kWarmPipelines = 10;
constexpr int kCachedPipelines = 10;  // pipelines from a warm VkPipelineCache
constexpr int kDiskCacheRuns = 5;     // fresh instances that find the code in the disk cache

// A workload the driver cannot run because it lacks something optional (an extension): reported
// as skipped with the reason, not as an error.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ResultWriter {
 public:
  explicit ResultWriter(int fd) : fd_(fd) {}

  // One write() per line: the parent sees each fact even if the driver crashes right after.
  void line(const std::string& text) const {
    const std::string out = text + "\n";
    for (std::size_t done = 0; done < out.size();) {
      const ssize_t n = ::write(fd_, out.data() + done, out.size() - done);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }

  void metric(const std::string& name, double value) const {
    char number[64];
    std::snprintf(number, sizeof number, "%.10g", value);
    line("metric " + name + " " + number);
  }

  void summary(const std::string& prefix, const Summary& s) const {
    metric(prefix + "_median", s.median);
    metric(prefix + "_p90", s.p90);
    metric(prefix + "_p99", s.p99);
    metric(prefix + "_min", s.min);
    metric(prefix + "_max", s.max);
  }

 private:
  int fd_;
};

const char* resultName(VkResult result) {
  switch (result) {
#define EMVK_BENCH_RESULT(name) \
  case name:                    \
    return #name;
    EMVK_BENCH_RESULT(VK_SUCCESS)
    EMVK_BENCH_RESULT(VK_NOT_READY)
    EMVK_BENCH_RESULT(VK_TIMEOUT)
    EMVK_BENCH_RESULT(VK_INCOMPLETE)
    EMVK_BENCH_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    EMVK_BENCH_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    EMVK_BENCH_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    EMVK_BENCH_RESULT(VK_ERROR_DEVICE_LOST)
    EMVK_BENCH_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    EMVK_BENCH_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    EMVK_BENCH_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    EMVK_BENCH_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    EMVK_BENCH_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    EMVK_BENCH_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    EMVK_BENCH_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    EMVK_BENCH_RESULT(VK_ERROR_UNKNOWN)
#undef EMVK_BENCH_RESULT
    default:
      return "VkResult (unnamed)";
  }
}

void check(VkResult result, const char* call) {
  if (result == VK_SUCCESS) return;
  std::string why =
      std::string(call) + " returned " + resultName(result) + " (" + std::to_string(result) + ")";
  if (result == VK_TIMEOUT) why += ": fence not signalled within 30 s";
  throw std::runtime_error(why);
}

bool offers(const std::vector<VkExtensionProperties>& extensions, const char* name) {
  return std::any_of(extensions.begin(), extensions.end(), [&](const VkExtensionProperties& e) {
    return std::strcmp(e.extensionName, name) == 0;
  });
}

std::string versionString(std::uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) +
         "." + std::to_string(VK_API_VERSION_PATCH(v));
}

// The instance, the first physical device the loader offers, one queue and a reusable fence; and,
// where the driver has them, the extensions for exporting and importing memory as an opaque fd.
class Context {
 public:
  Context() {
    createInstance();
    pickPhysicalDevice();
    createDevice();
  }
  ~Context() {
    if (device_) {
      vkDeviceWaitIdle(device_);
      vkDestroyFence(device_, fence_, nullptr);
      vkDestroyCommandPool(device_, pool_, nullptr);
      vkDestroyDevice(device_, nullptr);
    }
    if (instance_) vkDestroyInstance(instance_, nullptr);
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  VkInstance instance() const { return instance_; }
  VkPhysicalDevice physicalDevice() const { return physical_; }
  VkDevice device() const { return device_; }
  const VkPhysicalDeviceProperties& properties() const { return properties_; }
  const VkPhysicalDeviceMemoryProperties& memory() const { return memory_; }
  std::uint32_t instanceApiVersion() const { return instanceApi_; }
  // Empty when VK_KHR_external_memory_fd is enabled; otherwise what the driver lacks.
  const std::string& externalMemoryFdMissing() const { return externalMemoryFdMissing_; }

  // vkGetPhysicalDeviceExternalBufferProperties: core in 1.1, else from the 1.0 extension.
  PFN_vkGetPhysicalDeviceExternalBufferProperties externalBufferPropertiesQuery() const {
    const char* name = instanceExternalCapabilities_
                           ? "vkGetPhysicalDeviceExternalBufferPropertiesKHR"
                           : "vkGetPhysicalDeviceExternalBufferProperties";
    return reinterpret_cast<PFN_vkGetPhysicalDeviceExternalBufferProperties>(
        vkGetInstanceProcAddr(instance_, name));
  }

  template <typename Pfn>
  Pfn loadDeviceFunction(const char* name) const {
    auto fn = reinterpret_cast<Pfn>(vkGetDeviceProcAddr(device_, name));
    if (!fn) throw std::runtime_error(std::string("vkGetDeviceProcAddr returned NULL for ") + name);
    return fn;
  }

  VkCommandBuffer allocateCommandBuffer() const {
    VkCommandBufferAllocateInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    info.commandPool = pool_;
    info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    info.commandBufferCount = 1;
    VkCommandBuffer cb = VK_NULL_HANDLE;
    check(vkAllocateCommandBuffers(device_, &info, &cb), "vkAllocateCommandBuffers");
    return cb;
  }

  // One submit + fence round trip, the unit every workload times.
  void submitAndWait(const VkSubmitInfo& submit,
                     std::uint64_t fenceTimeoutNs = kFenceTimeoutNs) const {
    check(queueSubmit_(queue_, 1, &submit, fence_), "vkQueueSubmit");
    check(waitForFences_(device_, 1, &fence_, VK_TRUE, fenceTimeoutNs), "vkWaitForFences");
    check(resetFences_(device_, 1, &fence_), "vkResetFences");
  }

 private:
  // Vulkan 1.1 where the loader allows it (external memory queries are core there), else 1.0; the
  // other workloads need nothing newer than 1.0, so any ICD still runs them.
  static std::uint32_t wantedInstanceVersion() {
    auto enumerateVersion = reinterpret_cast<PFN_vkEnumerateInstanceVersion>(
        vkGetInstanceProcAddr(VK_NULL_HANDLE, "vkEnumerateInstanceVersion"));
    std::uint32_t version = VK_API_VERSION_1_0;  // a 1.0 loader has no vkEnumerateInstanceVersion
    if (enumerateVersion && enumerateVersion(&version) != VK_SUCCESS) version = VK_API_VERSION_1_0;
    return version >= VK_API_VERSION_1_1 ? VK_API_VERSION_1_1 : VK_API_VERSION_1_0;
  }

  static std::vector<VkExtensionProperties> instanceExtensions() {
    std::uint32_t count = 0;
    if (vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr) != VK_SUCCESS) return {};
    std::vector<VkExtensionProperties> extensions(count);
    if (vkEnumerateInstanceExtensionProperties(nullptr, &count, extensions.data()) != VK_SUCCESS)
      return {};
    extensions.resize(count);
    return extensions;
  }

  void createInstance() {
    // VK_KHR_external_memory_capabilities (and what it requires) lets a 1.0 instance, or a 1.0
    // physical device under a 1.1 instance, answer external-memory queries.
    std::vector<const char*> enabled;
    const std::vector<VkExtensionProperties> offered = instanceExtensions();
    if (offers(offered, VK_KHR_GET_PHYSICAL_DEVICE_PROPERTIES_2_EXTENSION_NAME) &&
        offers(offered, VK_KHR_EXTERNAL_MEMORY_CAPABILITIES_EXTENSION_NAME)) {
      enabled = {VK_KHR_GET_PHYSICAL_DEVICE_PROPERTIES_2_EXTENSION_NAME,
                 VK_KHR_EXTERNAL_MEMORY_CAPABILITIES_EXTENSION_NAME};
      instanceExternalCapabilities_ = true;
    }

    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "emvk-bench";
    app.apiVersion = instanceApi_ = wantedInstanceVersion();
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    info.enabledExtensionCount = static_cast<std::uint32_t>(enabled.size());
    info.ppEnabledExtensionNames = enabled.data();
    VkResult result = vkCreateInstance(&info, nullptr, &instance_);
    if (result == VK_ERROR_INCOMPATIBLE_DRIVER && instanceApi_ != VK_API_VERSION_1_0) {
      // A 1.0 driver may refuse any other apiVersion (spec: "vkCreateInstance", 1.0 behaviour).
      app.apiVersion = instanceApi_ = VK_API_VERSION_1_0;
      result = vkCreateInstance(&info, nullptr, &instance_);
    }
    if (result == VK_ERROR_INCOMPATIBLE_DRIVER)
      throw std::runtime_error(
          "vkCreateInstance returned VK_ERROR_INCOMPATIBLE_DRIVER: the loader "
          "could not load the manifest's driver (rerun with "
          "VK_LOADER_DEBUG=error,driver to see why)");
    check(result, "vkCreateInstance");
  }

  void pickPhysicalDevice() {
    std::uint32_t count = 0;
    check(vkEnumeratePhysicalDevices(instance_, &count, nullptr), "vkEnumeratePhysicalDevices");
    if (count == 0) throw std::runtime_error("the loader offers no physical device");
    std::vector<VkPhysicalDevice> devices(count);
    const VkResult result = vkEnumeratePhysicalDevices(instance_, &count, devices.data());
    if (result != VK_INCOMPLETE) check(result, "vkEnumeratePhysicalDevices");
    physical_ = devices.front();
    vkGetPhysicalDeviceProperties(physical_, &properties_);
    vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);
  }

  // vkCmdFillBuffer needs a graphics or compute queue in Vulkan 1.0; both imply transfer.
  std::uint32_t pickQueueFamily() const {
    std::uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, families.data());
    for (std::uint32_t i = 0; i < count; ++i) {
      if (families[i].queueFlags & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT)) return i;
    }
    throw std::runtime_error("no queue family with graphics or compute");
  }

  // Enables VK_KHR_external_memory + VK_KHR_external_memory_fd when the driver offers both and
  // the instance side is there; otherwise records why not, for the workload to report.
  std::vector<const char*> externalMemoryExtensions() {
    std::uint32_t count = 0;
    check(vkEnumerateDeviceExtensionProperties(physical_, nullptr, &count, nullptr),
          "vkEnumerateDeviceExtensionProperties");
    std::vector<VkExtensionProperties> offered(count);
    check(vkEnumerateDeviceExtensionProperties(physical_, nullptr, &count, offered.data()),
          "vkEnumerateDeviceExtensionProperties");
    offered.resize(count);

    const bool core11 =
        instanceApi_ >= VK_API_VERSION_1_1 && properties_.apiVersion >= VK_API_VERSION_1_1;
    const char* missing = nullptr;
    if (!offers(offered, VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME))
      missing = "the device does not offer " VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME;
    else if (!offers(offered, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME))
      missing = "the device does not offer " VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME;
    else if (!core11 && !instanceExternalCapabilities_)
      missing = "neither Vulkan 1.1 nor " VK_KHR_EXTERNAL_MEMORY_CAPABILITIES_EXTENSION_NAME
                " on the instance";
    if (missing) {
      externalMemoryFdMissing_ = missing;
      return {};
    }
    return {VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME};
  }

  void createDevice() {
    const std::uint32_t family = pickQueueFamily();
    const std::vector<const char*> extensions = externalMemoryExtensions();
    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queueInfo.queueFamilyIndex = family;
    queueInfo.queueCount = 1;
    queueInfo.pQueuePriorities = &priority;
    VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queueInfo;
    info.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    check(vkCreateDevice(physical_, &info, nullptr, &device_), "vkCreateDevice");
    vkGetDeviceQueue(device_, family, 0, &queue_);

    // The timed calls go straight to the driver's entry points, past the loader's trampolines,
    // so what is measured is the driver.
    queueSubmit_ = loadDeviceFunction<PFN_vkQueueSubmit>("vkQueueSubmit");
    waitForFences_ = loadDeviceFunction<PFN_vkWaitForFences>("vkWaitForFences");
    resetFences_ = loadDeviceFunction<PFN_vkResetFences>("vkResetFences");

    VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    poolInfo.queueFamilyIndex = family;
    check(vkCreateCommandPool(device_, &poolInfo, nullptr, &pool_), "vkCreateCommandPool");
    VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    check(vkCreateFence(device_, &fenceInfo, nullptr, &fence_), "vkCreateFence");
  }

  VkInstance instance_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties properties_{};
  VkPhysicalDeviceMemoryProperties memory_{};
  std::uint32_t instanceApi_ = VK_API_VERSION_1_0;
  bool instanceExternalCapabilities_ = false;
  std::string externalMemoryFdMissing_;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  PFN_vkQueueSubmit queueSubmit_ = nullptr;
  PFN_vkWaitForFences waitForFences_ = nullptr;
  PFN_vkResetFences resetFences_ = nullptr;
};

// Host-visible and coherent if `allowed` has such a type, else just host-visible.
std::uint32_t pickHostVisibleType(const VkPhysicalDeviceMemoryProperties& memory,
                                  std::uint32_t allowed) {
  const VkMemoryPropertyFlags preferences[] = {
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT};
  for (VkMemoryPropertyFlags wanted : preferences) {
    for (std::uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
      if ((allowed & (1u << i)) && (memory.memoryTypes[i].propertyFlags & wanted) == wanted)
        return i;
    }
  }
  throw std::runtime_error("no host-visible memory type for the buffer");
}

// A buffer bound to its own host-visible allocation, mapped for its whole life.
class HostBuffer {
 public:
  HostBuffer(const Context& context, VkDeviceSize size, VkBufferUsageFlags usage)
      : device_(context.device()), size_(size) {
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = size;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    check(vkCreateBuffer(device_, &info, nullptr, &buffer_), "vkCreateBuffer");

    VkMemoryRequirements requirements;
    vkGetBufferMemoryRequirements(device_, buffer_, &requirements);
    const std::uint32_t type = pickHostVisibleType(context.memory(), requirements.memoryTypeBits);
    coherent_ =
        context.memory().memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.allocationSize = requirements.size;
    alloc.memoryTypeIndex = type;
    check(vkAllocateMemory(device_, &alloc, nullptr, &memory_), "vkAllocateMemory");
    check(vkBindBufferMemory(device_, buffer_, memory_, 0), "vkBindBufferMemory");
    check(vkMapMemory(device_, memory_, 0, VK_WHOLE_SIZE, 0, &mapped_), "vkMapMemory");
  }
  ~HostBuffer() {
    if (mapped_) vkUnmapMemory(device_, memory_);
    vkDestroyBuffer(device_, buffer_, nullptr);
    vkFreeMemory(device_, memory_, nullptr);
  }
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;

  VkBuffer buffer() const { return buffer_; }
  std::byte* data() const { return static_cast<std::byte*>(mapped_); }
  VkDeviceSize size() const { return size_; }

  // Host writes must be flushed before the device reads non-coherent memory, and device writes
  // invalidated before the host reads them (spec: "Host Access to Device Memory Objects").
  void flush() const {
    if (!coherent_)
      check(vkFlushMappedMemoryRanges(device_, 1, &wholeRange()), "vkFlushMappedMemoryRanges");
  }
  void invalidate() const {
    if (!coherent_)
      check(vkInvalidateMappedMemoryRanges(device_, 1, &wholeRange()),
            "vkInvalidateMappedMemoryRanges");
  }

 private:
  const VkMappedMemoryRange& wholeRange() const {
    range_ = {VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, nullptr, memory_, 0, VK_WHOLE_SIZE};
    return range_;
  }

  VkDevice device_;
  VkDeviceSize size_;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  void* mapped_ = nullptr;
  bool coherent_ = false;
  mutable VkMappedMemoryRange range_{};
};

void recordOnce(VkCommandBuffer cb, const std::function<void(VkCommandBuffer)>& commands) {
  // No ONE_TIME_SUBMIT: the same recording is submitted for every iteration.
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  check(vkBeginCommandBuffer(cb, &begin), "vkBeginCommandBuffer");
  commands(cb);
  check(vkEndCommandBuffer(cb), "vkEndCommandBuffer");
}

// Each sample is one vkQueueSubmit + vkWaitForFences + vkResetFences, in microseconds.
Summary timeRoundTrips(const Context& context, const VkSubmitInfo& submit, int iterations) {
  const int warmUp = std::max(10, iterations / 10);
  for (int i = 0; i < warmUp; ++i) context.submitAndWait(submit);
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    const auto start = Clock::now();
    context.submitAndWait(submit);
    const std::chrono::duration<double, std::micro> elapsed = Clock::now() - start;
    micros.push_back(elapsed.count());
  }
  return summarize(std::move(micros));
}

void emptySubmit(const Context& context, const ChildOptions& options, const ResultWriter& out) {
  const VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};  // no command buffers, no semaphores
  out.summary("empty_us", timeRoundTrips(context, submit, options.iterations));
}

void smallFill(const Context& context, const ChildOptions& options, const ResultWriter& out) {
  HostBuffer target(context, kFillBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
  const VkCommandBuffer cb = context.allocateCommandBuffer();
  recordOnce(cb, [&](VkCommandBuffer c) {
    vkCmdFillBuffer(c, target.buffer(), 0, kFillBytes, kFillPattern);
  });
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;
  const Summary s = timeRoundTrips(context, submit, options.iterations);

  target.invalidate();
  std::uint32_t last = 0;
  std::memcpy(&last, target.data() + kFillBytes - sizeof last, sizeof last);
  if (last != kFillPattern) throw std::runtime_error("the fill did not reach the buffer");
  out.summary("fill_us", s);
}

void fillPattern(std::byte* data, VkDeviceSize bytes) {
  for (VkDeviceSize i = 0; i + sizeof(std::uint32_t) <= bytes; i += sizeof(std::uint32_t)) {
    const auto word = static_cast<std::uint32_t>(i * 2654435761u);
    std::memcpy(data + i, &word, sizeof word);
  }
}

void bufferCopy(const Context& context, const ChildOptions& options, const ResultWriter& out) {
  const VkDeviceSize bytes = options.copyBytes;
  HostBuffer src(context, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
  HostBuffer dst(context, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
  fillPattern(src.data(), bytes);
  std::memset(dst.data(), 0, bytes);  // touch every page now, not inside the timed copy
  src.flush();
  dst.flush();

  const VkCommandBuffer cb = context.allocateCommandBuffer();
  recordOnce(cb, [&](VkCommandBuffer c) {
    const VkBufferCopy region{0, 0, bytes};
    vkCmdCopyBuffer(c, src.buffer(), dst.buffer(), 1, &region);
  });
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;

  for (int i = 0; i < 2; ++i)  // warm-up
    context.submitAndWait(submit);
  dst.invalidate();
  if (std::memcmp(src.data(), dst.data(), bytes) != 0)
    throw std::runtime_error("vkCmdCopyBuffer produced wrong data");

  std::vector<double> gbps;
  for (int i = 0; i < options.copyRepetitions; ++i) {
    const auto start = Clock::now();
    context.submitAndWait(submit);
    const std::chrono::duration<double> seconds = Clock::now() - start;
    gbps.push_back(static_cast<double>(bytes) / seconds.count() / 1e9);
  }
  const Summary s = summarize(std::move(gbps));
  out.metric("copy_bytes", static_cast<double>(bytes));
  out.metric("copy_gbps_median", s.median);
  out.metric("copy_gbps_min", s.min);
  out.metric("copy_gbps_max", s.max);
}

// The entry points the export + import workload times, straight from the driver.
struct ExternalMemoryCalls {
  explicit ExternalMemoryCalls(const Context& context)
      : device(context.device()),
        getMemoryFd(context.loadDeviceFunction<PFN_vkGetMemoryFdKHR>("vkGetMemoryFdKHR")),
        allocateMemory(context.loadDeviceFunction<PFN_vkAllocateMemory>("vkAllocateMemory")),
        freeMemory(context.loadDeviceFunction<PFN_vkFreeMemory>("vkFreeMemory")) {}

  VkDevice device;
  PFN_vkGetMemoryFdKHR getMemoryFd;
  PFN_vkAllocateMemory allocateMemory;
  PFN_vkFreeMemory freeMemory;
};

// An allocation sized for a buffer of `bytes`, exportable as an opaque fd, host-visible and mapped.
// It is the exporter; every import in the workload is of an fd exported from it.
class ExportableMemory {
 public:
  ExportableMemory(const Context& context, const ExternalMemoryCalls& calls, VkDeviceSize bytes)
      : calls_(calls) {
    VkExternalMemoryBufferCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    external.handleTypes = kOpaqueFd;
    VkBufferCreateInfo bufferInfo{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bufferInfo.pNext = &external;
    bufferInfo.size = bytes;
    bufferInfo.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    bufferInfo.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    check(vkCreateBuffer(calls.device, &bufferInfo, nullptr, &buffer), "vkCreateBuffer");
    VkMemoryRequirements requirements;
    vkGetBufferMemoryRequirements(calls.device, buffer, &requirements);
    vkDestroyBuffer(calls.device, buffer, nullptr);  // it only sized the allocation

    size_ = requirements.size;
    type_ = pickHostVisibleType(context.memory(), requirements.memoryTypeBits);
    coherent_ =
        context.memory().memoryTypes[type_].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    VkExportMemoryAllocateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO};
    exportInfo.handleTypes = kOpaqueFd;
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.pNext = &exportInfo;
    alloc.allocationSize = size_;
    alloc.memoryTypeIndex = type_;
    check(vkAllocateMemory(calls.device, &alloc, nullptr, &memory_), "vkAllocateMemory (export)");
    check(vkMapMemory(calls.device, memory_, 0, VK_WHOLE_SIZE, 0, &mapped_), "vkMapMemory");
  }
  ~ExportableMemory() {
    vkUnmapMemory(calls_.device, memory_);
    vkFreeMemory(calls_.device, memory_, nullptr);
  }
  ExportableMemory(const ExportableMemory&) = delete;
  ExportableMemory& operator=(const ExportableMemory&) = delete;

  VkDeviceMemory memory() const { return memory_; }
  std::byte* data() const { return static_cast<std::byte*>(mapped_); }
  VkDeviceSize size() const { return size_; }
  bool coherent() const { return coherent_; }

  // A new fd that refers to this allocation; the caller owns it.
  int exportFd() const {
    const VkMemoryGetFdInfoKHR info{VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR, nullptr, memory_,
                                    kOpaqueFd};
    int fd = -1;
    check(calls_.getMemoryFd(calls_.device, &info, &fd), "vkGetMemoryFdKHR");
    return fd;
  }

  // A second VkDeviceMemory on the same pages. A successful import takes `fd`; a failed one leaves
  // it with the application (spec, VkImportMemoryFdInfoKHR: "The application must not perform any
  // operations on the file descriptor after a successful import"), so it is closed here.
  VkDeviceMemory import(int fd) const {
    VkImportMemoryFdInfoKHR importInfo{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
    importInfo.handleType = kOpaqueFd;
    importInfo.fd = fd;
    // VUID-VkMemoryAllocateInfo-allocationSize-01742: the same size and type as the exporter.
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.pNext = &importInfo;
    alloc.allocationSize = size_;
    alloc.memoryTypeIndex = type_;
    VkDeviceMemory imported = VK_NULL_HANDLE;
    const VkResult result = calls_.allocateMemory(calls_.device, &alloc, nullptr, &imported);
    if (result != VK_SUCCESS) {
      ::close(fd);
      check(result, "vkAllocateMemory (import of an opaque fd)");
    }
    return imported;
  }

 private:
  const ExternalMemoryCalls& calls_;
  VkDeviceSize size_ = 0;
  std::uint32_t type_ = 0;
  bool coherent_ = false;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  void* mapped_ = nullptr;
};

// Opaque-fd export and import of a buffer's memory must be supported without a dedicated
// allocation (spec: VkExternalMemoryProperties), since the workload makes plain ones.
void requireExportAndImport(const Context& context) {
  const auto query = context.externalBufferPropertiesQuery();
  if (!query) throw Unsupported("no vkGetPhysicalDeviceExternalBufferProperties entry point");
  VkPhysicalDeviceExternalBufferInfo info{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO};
  info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.handleType = kOpaqueFd;
  VkExternalBufferProperties properties{VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES};
  query(context.physicalDevice(), &info, &properties);
  const VkExternalMemoryFeatureFlags features =
      properties.externalMemoryProperties.externalMemoryFeatures;
  if (!(features & VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT) ||
      !(features & VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT))
    throw Unsupported("opaque-fd buffers are not both exportable and importable");
  if (features & VK_EXTERNAL_MEMORY_FEATURE_DEDICATED_ONLY_BIT)
    throw Unsupported("opaque-fd buffers need dedicated allocations, which this workload lacks");
}

// For non-coherent memory (spec: "Host Access to Device Memory Objects"); the exporter and the
// importer share one memory type, so both need them.
void flushWhole(VkDevice device, VkDeviceMemory memory) {
  const VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, nullptr, memory, 0,
                                  VK_WHOLE_SIZE};
  check(vkFlushMappedMemoryRanges(device, 1, &range), "vkFlushMappedMemoryRanges");
}
void invalidateWhole(VkDevice device, VkDeviceMemory memory) {
  const VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, nullptr, memory, 0,
                                  VK_WHOLE_SIZE};
  check(vkInvalidateMappedMemoryRanges(device, 1, &range), "vkInvalidateMappedMemoryRanges");
}

// Zero-copy means the importer sees the exporter's pages: import first, then write through the
// exporter's mapping and read through the importer's. A copy made at import would read zeros.
void checkSharedPages(const ExternalMemoryCalls& calls, const ExportableMemory& exporter) {
  std::memset(exporter.data(), 0, exporter.size());
  if (!exporter.coherent()) flushWhole(calls.device, exporter.memory());
  const VkDeviceMemory imported = exporter.import(exporter.exportFd());
  void* view = nullptr;
  const VkResult mapped = vkMapMemory(calls.device, imported, 0, VK_WHOLE_SIZE, 0, &view);
  if (mapped != VK_SUCCESS) {
    calls.freeMemory(calls.device, imported, nullptr);
    check(mapped, "vkMapMemory (imported memory)");
  }
  fillPattern(exporter.data(), exporter.size());
  if (!exporter.coherent()) {
    flushWhole(calls.device, exporter.memory());
    invalidateWhole(calls.device, imported);
  }
  const bool same = std::memcmp(exporter.data(), view, exporter.size()) == 0;
  vkUnmapMemory(calls.device, imported);
  calls.freeMemory(calls.device, imported, nullptr);
  if (!same)
    throw std::runtime_error(
        "the imported memory does not read what was written through the exporter: not shared");
}

struct ExportImportTimes {
  Summary exportUs;
  Summary importUs;
  Summary totalUs;  // of each repetition's export + import, not the sum of the two medians
};

// Each repetition: vkGetMemoryFdKHR, then an importing vkAllocateMemory of that fd (which takes
// the fd); freeing the imported memory afterwards is not timed.
ExportImportTimes timeExportImport(const ExternalMemoryCalls& calls,
                                   const ExportableMemory& exporter, int repetitions) {
  std::vector<double> exportUs, importUs, totalUs;
  for (int i = 0; i < kExportWarmUps + repetitions; ++i) {
    const auto start = Clock::now();
    const int fd = exporter.exportFd();
    const auto exported = Clock::now();
    const VkDeviceMemory imported = exporter.import(fd);
    const auto end = Clock::now();
    calls.freeMemory(calls.device, imported, nullptr);
    if (i < kExportWarmUps) continue;
    const std::chrono::duration<double, std::micro> exportTime = exported - start;
    const std::chrono::duration<double, std::micro> importTime = end - exported;
    exportUs.push_back(exportTime.count());
    importUs.push_back(importTime.count());
    totalUs.push_back(exportTime.count() + importTime.count());
  }
  return {summarize(std::move(exportUs)), summarize(std::move(importUs)),
          summarize(std::move(totalUs))};
}

void exportImport(const Context& context, const ChildOptions& options, const ResultWriter& out) {
  if (!context.externalMemoryFdMissing().empty())
    throw Unsupported(context.externalMemoryFdMissing());
  requireExportAndImport(context);
  const ExternalMemoryCalls calls(context);
  out.metric("extmem_repetitions", options.exportRepetitions);
  for (const std::size_t bytes : {kExportLargeBytes, kExportSmallBytes}) {
    const ExportableMemory exporter(context, calls, bytes);
    checkSharedPages(calls, exporter);  // also leaves every page touched before the timing
    const ExportImportTimes t = timeExportImport(calls, exporter, options.exportRepetitions);
    const std::string prefix = exportMetricPrefix(bytes);
    out.summary(prefix + "_export_us", t.exportUs);
    out.summary(prefix + "_import_us", t.importUs);
    out.summary(prefix + "_total_us", t.totalUs);
  }
}

// A compute shader with `bindings` storage buffers (bindings 0..n-1, set 0) and `pushBytes` of push
// constants: its module, layouts and one descriptor set; pipelines are made on demand.
class ComputeProgram {
 public:
  template <std::size_t N>
  ComputeProgram(const Context& context, const std::uint32_t (&spirv)[N], std::uint32_t bindings,
                 std::uint32_t pushBytes)
      : device_(context.device()),
        createComputePipelines_(
            context.loadDeviceFunction<PFN_vkCreateComputePipelines>("vkCreateComputePipelines")) {
    std::vector<VkDescriptorSetLayoutBinding> slots(bindings);
    for (std::uint32_t i = 0; i < bindings; ++i)
      slots[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    setInfo.bindingCount = bindings;
    setInfo.pBindings = slots.data();
    check(vkCreateDescriptorSetLayout(device_, &setInfo, nullptr, &setLayout_),
          "vkCreateDescriptorSetLayout");
    const VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes};
    VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layoutInfo.setLayoutCount = 1;
    layoutInfo.pSetLayouts = &setLayout_;
    layoutInfo.pushConstantRangeCount = pushBytes ? 1 : 0;
    layoutInfo.pPushConstantRanges = &push;
    check(vkCreatePipelineLayout(device_, &layoutInfo, nullptr, &layout_),
          "vkCreatePipelineLayout");
    VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    moduleInfo.codeSize = sizeof spirv;
    moduleInfo.pCode = spirv;
    check(vkCreateShaderModule(device_, &moduleInfo, nullptr, &module_), "vkCreateShaderModule");
    const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, bindings};
    VkDescriptorPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    poolInfo.maxSets = 1;
    poolInfo.poolSizeCount = 1;
    poolInfo.pPoolSizes = &size;
    check(vkCreateDescriptorPool(device_, &poolInfo, nullptr, &pool_), "vkCreateDescriptorPool");
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    alloc.descriptorPool = pool_;
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &setLayout_;
    check(vkAllocateDescriptorSets(device_, &alloc, &set_), "vkAllocateDescriptorSets");
  }
  ~ComputeProgram() {
    for (VkPipeline p : pipelines_) vkDestroyPipeline(device_, p, nullptr);
    vkDestroyDescriptorPool(device_, pool_, nullptr);
    vkDestroyShaderModule(device_, module_, nullptr);
    vkDestroyPipelineLayout(device_, layout_, nullptr);
    vkDestroyDescriptorSetLayout(device_, setLayout_, nullptr);
  }
  ComputeProgram(const ComputeProgram&) = delete;
  ComputeProgram& operator=(const ComputeProgram&) = delete;

  // One vkCreateComputePipelines of the module (with `cache`, if any), straight from the driver.
  // The pipeline lives as long as the program; `micros` receives the call's duration.
  VkPipeline createPipeline(double* micros = nullptr, VkPipelineCache cache = VK_NULL_HANDLE) {
    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module_;
    info.stage.pName = "main";
    info.layout = layout_;
    VkPipeline pipeline = VK_NULL_HANDLE;
    const auto start = Clock::now();
    const VkResult result = createComputePipelines_(device_, cache, 1, &info, nullptr, &pipeline);
    const std::chrono::duration<double, std::micro> elapsed = Clock::now() - start;
    check(result, "vkCreateComputePipelines");
    pipelines_.push_back(pipeline);
    if (micros) *micros = elapsed.count();
    return pipeline;
  }

  void bindBuffers(std::initializer_list<VkBuffer> buffers) const {
    std::vector<VkDescriptorBufferInfo> infos;
    for (VkBuffer b : buffers) infos.push_back({b, 0, VK_WHOLE_SIZE});
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    write.dstSet = set_;
    write.descriptorCount = static_cast<std::uint32_t>(infos.size());
    write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    write.pBufferInfo = infos.data();
    vkUpdateDescriptorSets(device_, 1, &write, 0, nullptr);
  }

  void bind(VkCommandBuffer cb, VkPipeline pipeline) const {
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout_, 0, 1, &set_, 0, nullptr);
  }
  VkPipelineLayout layout() const { return layout_; }

 private:
  VkDevice device_;
  PFN_vkCreateComputePipelines createComputePipelines_;
  VkDescriptorSetLayout setLayout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkShaderModule module_ = VK_NULL_HANDLE;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
  std::vector<VkPipeline> pipelines_;
};

// Shader writes visible to later dispatches (a barrier's second scope reaches later submissions)
// and to the host after the fence.
void computeToHostBarrier(VkCommandBuffer cb) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  barrier.dstAccessMask =
      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &barrier, 0, nullptr, 0, nullptr);
}

struct SaxpyConstants {
  float a;
  std::uint32_t n;
  std::uint32_t offset;
};

// y = a * x + y over `elements`, in dispatches of at most `groupsPerDispatch` workgroups.
void recordSaxpy(VkCommandBuffer cb, const ComputeProgram& program, VkPipeline pipeline,
                 std::uint32_t elements, std::uint32_t groupsPerDispatch) {
  recordOnce(cb, [&](VkCommandBuffer c) {
    program.bind(c, pipeline);
    const std::uint32_t groups = (elements + kSaxpyLocalSize - 1) / kSaxpyLocalSize;
    for (std::uint32_t first = 0; first < groups; first += groupsPerDispatch) {
      const SaxpyConstants constants{kSaxpyA, elements, first * kSaxpyLocalSize};
      vkCmdPushConstants(c, program.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof constants,
                         &constants);
      vkCmdDispatch(c, std::min(groupsPerDispatch, groups - first), 1, 1);
    }
    computeToHostBarrier(c);
  });
}

// x[i] = i mod 256, y[i] = 0: after k saxpys y[i] = k * a * (i mod 256), exact in float.
void initSaxpy(const HostBuffer& x, const HostBuffer& y, std::uint32_t elements) {
  auto* xs = reinterpret_cast<float*>(x.data());
  auto* ys = reinterpret_cast<float*>(y.data());
  for (std::uint32_t i = 0; i < elements; ++i) {
    xs[i] = static_cast<float>(i & 255);
    ys[i] = 0.0f;
  }
  x.flush();
  y.flush();
}

void checkSaxpy(const HostBuffer& y, std::uint32_t elements, int runs) {
  y.invalidate();
  const auto* ys = reinterpret_cast<const float*>(y.data());
  for (std::uint32_t i = 0; i < elements; ++i) {
    if (ys[i] != static_cast<float>(runs) * kSaxpyA * static_cast<float>(i & 255))
      throw std::runtime_error("saxpy produced wrong data at element " + std::to_string(i));
  }
}

double elapsedUs(Clock::time_point start) {
  const std::chrono::duration<double, std::micro> elapsed = Clock::now() - start;
  return elapsed.count();
}

// The first compute pipeline of the process (cold), then fresh pipelines of the same module
// (warm); each followed by its first dispatch, a saxpy of kFirstDispatchElements, submit to fence.
void pipelineCreation(const Context& context, const ChildOptions&, const ResultWriter& out) {
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  HostBuffer x(context, kFirstDispatchElements * sizeof(float), usage);
  HostBuffer y(context, kFirstDispatchElements * sizeof(float), usage);
  initSaxpy(x, y, kFirstDispatchElements);
  ComputeProgram program(context, kSaxpySpirv, 2, sizeof(SaxpyConstants));
  program.bindBuffers({x.buffer(), y.buffer()});

  int runs = 0;
  // The pool has no RESET_COMMAND_BUFFER flag, so every pipeline gets a new command buffer.
  auto createAndDispatch = [&](double& createUs, double& dispatchUs) {
    const VkPipeline pipeline = program.createPipeline(&createUs);
    const VkCommandBuffer cb = context.allocateCommandBuffer();
    recordSaxpy(cb, program, pipeline, kFirstDispatchElements, kFirstDispatchElements);
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cb;
    const auto start = Clock::now();
    context.submitAndWait(submit);
    dispatchUs = elapsedUs(start);
    checkSaxpy(y, kFirstDispatchElements, ++runs);
  };

  double coldCreate = 0, coldDispatch = 0;
  createAndDispatch(coldCreate, coldDispatch);
  out.metric("pipeline_cold_create_us", coldCreate);
  out.metric("pipeline_cold_first_dispatch_us", coldDispatch);
  out.metric("pipeline_cold_total_us", coldCreate + coldDispatch);

  std::vector<double> warmCreate, warmDispatch, warmTotal;
  for (int i = 0; i < kWarmPipelines; ++i) {
    double create = 0, dispatch = 0;
    createAndDispatch(create, dispatch);
    warmCreate.push_back(create);
    warmDispatch.push_back(dispatch);
    warmTotal.push_back(create + dispatch);
  }
  out.metric("pipeline_warm_count", kWarmPipelines);
  out.summary("pipeline_warm_create_us", summarize(std::move(warmCreate)));
  out.summary("pipeline_warm_first_dispatch_us", summarize(std::move(warmDispatch)));
  out.summary("pipeline_warm_total_us", summarize(std::move(warmTotal)));
}

VkPipelineCache createPipelineCache(VkDevice device, const std::vector<char>& data) {
  VkPipelineCacheCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  info.initialDataSize = data.size();
  info.pInitialData = data.empty() ? nullptr : data.data();
  VkPipelineCache cache = VK_NULL_HANDLE;
  check(vkCreatePipelineCache(device, &info, nullptr, &cache), "vkCreatePipelineCache");
  return cache;
}

std::vector<char> pipelineCacheData(VkDevice device, VkPipelineCache cache) {
  std::size_t size = 0;
  check(vkGetPipelineCacheData(device, cache, &size, nullptr), "vkGetPipelineCacheData");
  std::vector<char> data(size);
  check(vkGetPipelineCacheData(device, cache, &size, data.data()), "vkGetPipelineCacheData");
  data.resize(size);
  return data;
}

// The saxpy pipeline's first dispatch, checked: cached code must compute what compiled code does.
void checkFirstDispatch(const Context& context, ComputeProgram& program, VkPipeline pipeline) {
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  HostBuffer x(context, kFirstDispatchElements * sizeof(float), usage);
  HostBuffer y(context, kFirstDispatchElements * sizeof(float), usage);
  initSaxpy(x, y, kFirstDispatchElements);
  program.bindBuffers({x.buffer(), y.buffer()});
  const VkCommandBuffer cb = context.allocateCommandBuffer();
  recordSaxpy(cb, program, pipeline, kFirstDispatchElements, kFirstDispatchElements);
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;
  context.submitAndWait(submit);
  checkSaxpy(y, kFirstDispatchElements, 1);
}

// Sets the disk cache switches of both drivers for the lifetime of this object, in a fresh
// folder: emvk's EMVK_SHADER_CACHE_DIR, Mesa's MESA_SHADER_CACHE_DIR (with its cache enabled).
// The parent turned both off for the child (child_process.cpp); the destructor does so again.
class DiskCacheFolder {
 public:
  DiskCacheFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "emvk-bench-cache-XXXXXX");
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder");
    path_ = pattern;
    setenv("EMVK_SHADER_CACHE", "1", 1);
    setenv("EMVK_SHADER_CACHE_DIR", (path_ / "emvk").c_str(), 1);
    setenv("MESA_SHADER_CACHE_DISABLE", "false", 1);
    setenv("MESA_SHADER_CACHE_DIR", (path_ / "mesa").c_str(), 1);
  }
  ~DiskCacheFolder() {
    setenv("EMVK_SHADER_CACHE", "0", 1);
    setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  DiskCacheFolder(const DiskCacheFolder&) = delete;
  DiskCacheFolder& operator=(const DiskCacheFolder&) = delete;

 private:
  std::filesystem::path path_;
};

// Pipeline creation when the code is already known: from a VkPipelineCache made with the data of
// a first compile, and, in a fresh instance and device (as a second run of the program would
// make), from the drivers' disk caches, which a first instance filled.
void pipelineCaches(const Context& context, const ChildOptions&, const ResultWriter& out) {
  const VkDevice device = context.device();
  std::vector<char> data;
  {
    ComputeProgram program(context, kSaxpySpirv, 2, sizeof(SaxpyConstants));
    const VkPipelineCache first = createPipelineCache(device, {});
    program.createPipeline(nullptr, first);
    data = pipelineCacheData(device, first);
    vkDestroyPipelineCache(device, first, nullptr);
  }
  out.metric("pipeline_cache_data_bytes", static_cast<double>(data.size()));
  std::vector<double> cached;
  {
    ComputeProgram program(context, kSaxpySpirv, 2, sizeof(SaxpyConstants));
    VkPipeline pipeline = VK_NULL_HANDLE;
    for (int i = 0; i < kCachedPipelines; ++i) {
      // A fresh cache each time, as a program starting up makes it from the data it saved.
      const VkPipelineCache warm = createPipelineCache(device, data);
      double us = 0;
      pipeline = program.createPipeline(&us, warm);
      vkDestroyPipelineCache(device, warm, nullptr);
      cached.push_back(us);
    }
    checkFirstDispatch(context, program, pipeline);
  }
  out.metric("pipeline_cache_warm_count", kCachedPipelines);
  out.summary("pipeline_cache_warm_create_us", summarize(std::move(cached)));

  const DiskCacheFolder folder;
  {
    const Context filler;
    ComputeProgram program(filler, kSaxpySpirv, 2, sizeof(SaxpyConstants));
    program.createPipeline();
  }
  std::vector<double> disk;
  for (int i = 0; i < kDiskCacheRuns; ++i) {
    const Context fresh;
    ComputeProgram program(fresh, kSaxpySpirv, 2, sizeof(SaxpyConstants));
    double us = 0;
    const VkPipeline pipeline = program.createPipeline(&us);
    disk.push_back(us);
    if (i == 0) checkFirstDispatch(fresh, program, pipeline);
  }
  out.metric("pipeline_disk_warm_count", kDiskCacheRuns);
  out.summary("pipeline_disk_warm_create_us", summarize(std::move(disk)));
}

// One invocation adding 1 to a counter: dispatch(1,1,1) + barrier, submit + fence round trip.
void dispatchRoundTrip(const Context& context, const ChildOptions& options,
                       const ResultWriter& out) {
  HostBuffer counter(context, 64, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  std::memset(counter.data(), 0, 64);
  counter.flush();
  ComputeProgram program(context, kCountSpirv, 1, 0);
  program.bindBuffers({counter.buffer()});
  const VkPipeline pipeline = program.createPipeline();
  const VkCommandBuffer cb = context.allocateCommandBuffer();
  recordOnce(cb, [&](VkCommandBuffer c) {
    program.bind(c, pipeline);
    vkCmdDispatch(c, 1, 1, 1);
    computeToHostBarrier(c);
  });
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;
  const Summary s = timeRoundTrips(context, submit, options.iterations);

  counter.invalidate();
  std::uint32_t count = 0;
  std::memcpy(&count, counter.data(), sizeof count);
  const auto expected = static_cast<std::uint32_t>(std::max(10, options.iterations / 10) +
                                                   options.iterations);  // warm-ups + timed
  if (count != expected)
    throw std::runtime_error("the counter reads " + std::to_string(count) + ", not " +
                             std::to_string(expected) + ": not every dispatch ran");
  out.summary("dispatch_us", s);
}

// y = a * x + y over kSaxpyElements floats in host-visible buffers, submit to fence.
void saxpy(const Context& context, const ChildOptions& options, const ResultWriter& out) {
  const std::uint32_t elements = kSaxpyElements;
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  HostBuffer x(context, std::size_t{elements} * sizeof(float), usage);
  HostBuffer y(context, std::size_t{elements} * sizeof(float), usage);
  initSaxpy(x, y, elements);  // also touches every page before the timing
  ComputeProgram program(context, kSaxpySpirv, 2, sizeof(SaxpyConstants));
  program.bindBuffers({x.buffer(), y.buffer()});
  const VkPipeline pipeline = program.createPipeline();

  // The largest power of two within maxComputeWorkGroupCount[0], at most 2^15: 8 dispatches.
  const std::uint32_t limit =
      std::min<std::uint32_t>(context.properties().limits.maxComputeWorkGroupCount[0], 1u << 15);
  std::uint32_t groupsPerDispatch = 1;
  while (groupsPerDispatch * 2 <= limit) groupsPerDispatch *= 2;
  const std::uint32_t groups = elements / kSaxpyLocalSize;
  const VkCommandBuffer cb = context.allocateCommandBuffer();
  recordSaxpy(cb, program, pipeline, elements, groupsPerDispatch);
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;

  constexpr int kWarmUps = 2;
  for (int i = 0; i < kWarmUps; ++i) context.submitAndWait(submit);
  checkSaxpy(y, elements, kWarmUps);
  std::vector<double> gbps;
  for (int i = 0; i < options.saxpyRepetitions; ++i) {
    const auto start = Clock::now();
    context.submitAndWait(submit);
    const double seconds = elapsedUs(start) / 1e6;
    gbps.push_back(static_cast<double>(kSaxpyBytesPerElement) * elements / seconds / 1e9);
  }
  checkSaxpy(y, elements, kWarmUps + options.saxpyRepetitions);
  const Summary s = summarize(std::move(gbps));
  out.metric("saxpy_elements", elements);
  out.metric("saxpy_dispatches", (groups + groupsPerDispatch - 1) / groupsPerDispatch);
  out.metric("saxpy_gbps_median", s.median);
  out.metric("saxpy_gbps_min", s.min);
  out.metric("saxpy_gbps_max", s.max);
}

// sgemm: C = A * B, row-major N×N floats, one dispatch of (N/16)² workgroups of 16×16.
constexpr std::uint32_t kSgemmWarmUpN = 256;  // 1/64 of the work of N = 1024
constexpr int kSgemmMaxRepetitions = 5;
// Timed repetitions stop once they have taken this long: lavapipe needs 10-20 s for one 1024³
// product, emvk well under a second, so a slow driver is measured once and a fast one 5 times.
constexpr double kSgemmBudgetSeconds = 20;
// One 1024³ product on a slow driver approaches the 30 s every other fence wait allows.
constexpr std::uint64_t kSgemmFenceTimeoutNs = 240'000'000'000;
constexpr int kSgemmSamples = 64;  // random elements of C checked against a double reference

// Small values (multiples of 1/8 in [-1, 1]) from a hash of the index, so no row or column repeats.
float sgemmInput(std::uint32_t index, std::uint32_t seed) {
  std::uint32_t h = (index + seed) * 2654435761u;
  h ^= h >> 15;
  h *= 2246822519u;
  h ^= h >> 13;
  return static_cast<float>(static_cast<int>(h % 17u) - 8) / 8.0f;
}

void initSgemm(const HostBuffer& a, const HostBuffer& b, std::uint32_t n) {
  auto* as = reinterpret_cast<float*>(a.data());
  auto* bs = reinterpret_cast<float*>(b.data());
  for (std::uint32_t i = 0; i < n * n; ++i) {
    as[i] = sgemmInput(i, 1);
    bs[i] = sgemmInput(i, 0x5eed);
  }
  a.flush();
  b.flush();
}

// NaN everywhere: an element the dispatch did not write fails the check.
void poisonSgemm(const HostBuffer& c, std::uint32_t n) {
  auto* cs = reinterpret_cast<float*>(c.data());
  std::fill(cs, cs + std::size_t{n} * n, std::numeric_limits<float>::quiet_NaN());
  c.flush();
}

// kSgemmSamples elements of C (the corners and pseudo-random ones) against the product computed in
// double; the tolerance is relative to the sum of the terms' magnitudes, 1e-3.
void checkSgemm(const HostBuffer& a, const HostBuffer& b, const HostBuffer& c, std::uint32_t n) {
  c.invalidate();
  const auto* as = reinterpret_cast<const float*>(a.data());
  const auto* bs = reinterpret_cast<const float*>(b.data());
  const auto* cs = reinterpret_cast<const float*>(c.data());
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  for (int s = 0; s < kSgemmSamples; ++s) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    std::uint32_t i = static_cast<std::uint32_t>(state >> 33) % n;
    std::uint32_t j = static_cast<std::uint32_t>(state >> 13) % n;
    if (s < 2) i = j = s == 0 ? 0 : n - 1;
    double sum = 0, magnitude = 0;
    for (std::uint32_t k = 0; k < n; ++k) {
      const double term = double{as[i * n + k]} * double{bs[k * n + j]};
      sum += term;
      magnitude += std::fabs(term);
    }
    const double got = cs[std::size_t{i} * n + j];
    if (!(std::fabs(got - sum) <= 1e-3 * std::max(magnitude, 1.0))) {
      char why[160];
      std::snprintf(why, sizeof why, "verification failed: C[%u][%u] = %.9g, expected %.9g (N=%u)",
                    i, j, got, sum, n);
      throw std::runtime_error(why);
    }
  }
}

// One warm-up at kSgemmWarmUpN (checked; it also triggers a lazy compiler's first-dispatch
// compile), then up to kSgemmMaxRepetitions timed products at N within kSgemmBudgetSeconds, each
// from submit to fence and each checked. Reports the median GFLOP/s, 2·N³ per product.
template <std::size_t Words>
void sgemm(const Context& context, const ChildOptions& options, const ResultWriter& out,
           const char* name, const std::uint32_t (&spirv)[Words]) {
  const std::uint32_t n = options.sgemmN;
  if (n == 0 || n % kSgemmTile != 0)
    throw std::runtime_error("N = " + std::to_string(n) + " is not a multiple of 16");
  const std::size_t bytes = std::size_t{n} * n * sizeof(float);
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  HostBuffer a(context, bytes, usage), b(context, bytes, usage), c(context, bytes, usage);
  ComputeProgram program(context, spirv, 3, sizeof(std::uint32_t));
  program.bindBuffers({a.buffer(), b.buffer(), c.buffer()});
  const VkPipeline pipeline = program.createPipeline();

  // The matrices of the warm-up are the leading n0² elements of the same buffers.
  auto run = [&](std::uint32_t size) {
    poisonSgemm(c, size);
    const VkCommandBuffer cb = context.allocateCommandBuffer();
    recordOnce(cb, [&](VkCommandBuffer cmd) {
      program.bind(cmd, pipeline);
      vkCmdPushConstants(cmd, program.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof size, &size);
      vkCmdDispatch(cmd, size / kSgemmTile, size / kSgemmTile, 1);
      computeToHostBarrier(cmd);
    });
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cb;
    const auto start = Clock::now();
    context.submitAndWait(submit, kSgemmFenceTimeoutNs);
    const double seconds = elapsedUs(start) / 1e6;
    checkSgemm(a, b, c, size);
    return seconds;
  };

  const std::uint32_t warmUpN = std::min(n, kSgemmWarmUpN);
  initSgemm(a, b, warmUpN);
  run(warmUpN);
  initSgemm(a, b, n);
  std::vector<double> gflops;
  double spent = 0;
  while (gflops.size() < kSgemmMaxRepetitions && spent < kSgemmBudgetSeconds) {
    const double seconds = run(n);
    spent += seconds;
    gflops.push_back(2.0 * n * n * static_cast<double>(n) / seconds / 1e9);
  }
  const std::string prefix = std::string("sgemm_") + name;
  out.metric(prefix + "_repetitions", static_cast<double>(gflops.size()));
  out.metric(prefix + "_seconds", spent);
  const Summary s = summarize(std::move(gflops));
  out.metric(prefix + "_gflops_median", s.median);
  out.metric(prefix + "_gflops_min", s.min);
  out.metric(prefix + "_gflops_max", s.max);
}

void sgemmNaive(const Context& context, const ChildOptions& options, const ResultWriter& out) {
  sgemm(context, options, out, "naive", kSgemmNaiveSpirv);
}

void sgemmTiled(const Context& context, const ChildOptions& options, const ResultWriter& out) {
  sgemm(context, options, out, "tiled", kSgemmTiledSpirv);
}

}  // namespace

int runDriverChild(const ChildOptions& options) {
  const ResultWriter out(options.resultFd);
  std::optional<Context> context;
  try {
    context.emplace();
  } catch (const std::exception& e) {
    out.line(std::string("error setup: ") + e.what());
    return 1;
  }
  out.line(std::string("device ") + context->properties().deviceName);
  out.line("api " + versionString(context->properties().apiVersion));
  out.metric("iterations", options.iterations);
  out.metric("copy_repetitions", options.copyRepetitions);
  out.metric("saxpy_repetitions", options.saxpyRepetitions);
  out.metric("sgemm_n", options.sgemmN);

  // Cheapest first: if a young driver falls over on 512 MiB of buffers, the latencies are in.
  // Export + import came after them so that adding it left the three before it as they were; the
  // compute workloads come last for the same reason, pipeline creation first among them so that
  // its cold pipeline is the first compute pipeline this process creates.
  struct Workload {
    const char* name;
    void (*run)(const Context&, const ChildOptions&, const ResultWriter&);
  };
  const Workload workloads[] = {{"empty", emptySubmit},
                                {"fill", smallFill},
                                {"copy", bufferCopy},
                                {"export", exportImport},
                                {"pipeline", pipelineCreation},
                                {"dispatch", dispatchRoundTrip},
                                {"saxpy", saxpy},
                                {"sgemm_naive", sgemmNaive},
                                {"sgemm_tiled", sgemmTiled},
                                {"pipeline_cache", pipelineCaches}};
  int status = 0;
  for (const Workload& w : workloads) {
    try {
      w.run(*context, options, out);
    } catch (const Unsupported& e) {
      out.line(std::string("skipped ") + w.name + ": " + e.what());
    } catch (const std::exception& e) {
      out.line(std::string("error ") + w.name + ": " + e.what());
      status = 1;
    }
  }
  return status;
}

}  // namespace emvk::bench
