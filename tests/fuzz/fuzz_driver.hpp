// What every fuzz target shares: one emvk instance and device for the whole process, reached
// without the loader (the driver's objects are linked in, so libFuzzer sees their coverage), and
// the small helpers the targets check their inputs with.
//
// The device is made once, on first use, and lives until the process ends: per-input cost must
// stay that of the call under test. It is left alive on purpose (reachable through a static, so
// LeakSanitizer does not count it).
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace fuzz {

struct Driver {
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties memory{};
  VkPipelineLayout emptyLayout = VK_NULL_HANDLE;  // no sets, no push constants

  // The device commands the targets call, loaded by makeDriver().
  // clang-format off
#define FUZZ_DEVICE_FUNCTIONS(X)                                                    \
  X(CreateShaderModule) X(DestroyShaderModule) X(CreatePipelineLayout)              \
  X(CreateComputePipelines) X(DestroyPipeline)                                      \
  X(CreatePipelineCache) X(DestroyPipelineCache) X(GetPipelineCacheData)            \
  X(MergePipelineCaches)                                                            \
  X(AllocateMemory) X(FreeMemory) X(MapMemory) X(UnmapMemory) X(GetMemoryFdKHR)     \
  X(CreateBuffer)
  // clang-format on
#define FUZZ_DECLARE(name) PFN_vk##name name = nullptr;
  FUZZ_DEVICE_FUNCTIONS(FUZZ_DECLARE)
#undef FUZZ_DECLARE
};

// The process's device (created on the first call). Also sets the environment the fuzz targets
// run in: no disk shader cache (EMVK_SHADER_CACHE=0, so every input sees the same driver), and
// EMVK_LOG=off unless the caller chose a level (a refused input is the common case; its message
// would cost more than the call).
const Driver& driver();

// vkCreateComputePipelines of `module`'s "main" with the empty layout, through `cache` (may be
// VK_NULL_HANDLE). *pipeline is only written by the driver.
VkResult createComputePipeline(const Driver& d, VkShaderModule module, VkPipelineCache cache,
                               VkPipeline* pipeline);

// Aborts with `what` when `condition` is false: libFuzzer reports it as a crash with the input.
void require(bool condition, const char* what);

// How many descriptors this process has open (/proc/self/fd).
int openFdCount();

// The folder named by EMVK_FUZZ_WRITE_SEEDS, or empty: a target asked to write its generated seed
// inputs there (and exit) instead of fuzzing.
std::filesystem::path seedFolderRequested();
void writeSeed(const std::filesystem::path& folder, const std::string& name,
               std::span<const uint8_t> bytes);
std::vector<uint8_t> readFile(const std::filesystem::path& path);

// Reads an input front to back; past its end every read gives zeros, so any input is a valid
// (if short) description and a seed can be written field by field in the same order.
class InputReader {
 public:
  explicit InputReader(std::span<const uint8_t> data) : data_(data) {}
  template <class T>
  T get() {
    T value{};
    bytes(&value, sizeof(T));
    return value;
  }
  void bytes(void* out, size_t size);
  std::span<const uint8_t> take(size_t size);  // up to `size` bytes, fewer at the end
  std::span<const uint8_t> rest() { return take(data_.size()); }
  size_t left() const { return data_.size(); }

 private:
  std::span<const uint8_t> data_;
};

// The counterpart of InputReader, for writing seeds.
class InputWriter {
 public:
  template <class T>
  InputWriter& put(T value) {
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
    return *this;
  }
  InputWriter& append(std::span<const uint8_t> data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace fuzz
