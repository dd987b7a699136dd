#include "fuzz_driver.hpp"

#include <dirent.h>
#include <vulkan/vk_icd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace fuzz {
namespace {

template <class Fn>
Fn proc(VkInstance instance, const char* name) {
  auto fn = reinterpret_cast<Fn>(vk_icdGetInstanceProcAddr(instance, name));
  require(fn != nullptr, name);
  return fn;
}

void check(VkResult result, const char* what) { require(result == VK_SUCCESS, what); }

Driver makeDriver() {
  setenv("EMVK_SHADER_CACHE", "0", /*overwrite=*/1);
  setenv("EMVK_LOG", "off", /*overwrite=*/0);
  Driver d;
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "emvk fuzz";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo instanceInfo{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  instanceInfo.pApplicationInfo = &app;
  check(
      proc<PFN_vkCreateInstance>(nullptr, "vkCreateInstance")(&instanceInfo, nullptr, &d.instance),
      "vkCreateInstance");
  uint32_t count = 1;
  const VkResult enumerated = proc<PFN_vkEnumeratePhysicalDevices>(
      d.instance, "vkEnumeratePhysicalDevices")(d.instance, &count, &d.physical);
  require((enumerated == VK_SUCCESS || enumerated == VK_INCOMPLETE) && count == 1,
          "vkEnumeratePhysicalDevices");
  proc<PFN_vkGetPhysicalDeviceMemoryProperties>(d.instance, "vkGetPhysicalDeviceMemoryProperties")(
      d.physical, &d.memory);

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  const char* extensions[] = {"VK_KHR_external_memory_fd", "VK_EXT_external_memory_host",
                              "VK_KHR_8bit_storage", "VK_KHR_shader_float16_int8"};
  // Every shader feature emvk has, so that a module's capabilities never stop it before the JIT
  // (device/shader_features.hpp): the fuzzer is after the compiler.
  VkPhysicalDeviceShaderFloat16Int8Features float16Int8{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
  VkPhysicalDevice8BitStorageFeatures storage8{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES, &float16Int8};
  VkPhysicalDevice16BitStorageFeatures storage16{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES, &storage8};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &storage16};
  proc<PFN_vkGetPhysicalDeviceFeatures2>(d.instance, "vkGetPhysicalDeviceFeatures2")(d.physical,
                                                                                     &features);
  VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, &features};
  deviceInfo.queueCreateInfoCount = 1;
  deviceInfo.pQueueCreateInfos = &queue;
  deviceInfo.enabledExtensionCount = std::size(extensions);
  deviceInfo.ppEnabledExtensionNames = extensions;
  check(proc<PFN_vkCreateDevice>(d.instance, "vkCreateDevice")(d.physical, &deviceInfo, nullptr,
                                                               &d.device),
        "vkCreateDevice");
  // An ICD answers vkGetInstanceProcAddr for device commands too (the loader relies on it).
#define FUZZ_LOAD(name) d.name = proc<PFN_vk##name>(d.instance, "vk" #name);
  FUZZ_DEVICE_FUNCTIONS(FUZZ_LOAD)
#undef FUZZ_LOAD

  VkPipelineLayoutCreateInfo layout{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  check(d.CreatePipelineLayout(d.device, &layout, nullptr, &d.emptyLayout),
        "vkCreatePipelineLayout");
  return d;
}

}  // namespace

const Driver& driver() {
  static const Driver* const d = new Driver(makeDriver());  // never destroyed: see the header
  return *d;
}

VkResult createComputePipeline(const Driver& d, VkShaderModule module, VkPipelineCache cache,
                               VkPipeline* pipeline) {
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module;
  info.stage.pName = "main";
  info.layout = d.emptyLayout;
  return d.CreateComputePipelines(d.device, cache, 1, &info, nullptr, pipeline);
}

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz: check failed: %s\n", what);
  std::abort();
}

int openFdCount() {
  DIR* dir = opendir("/proc/self/fd");
  require(dir != nullptr, "opendir /proc/self/fd");
  int count = 0;
  while (const dirent* entry = readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  closedir(dir);
  return count;  // includes the descriptor of the listing itself, every time alike
}

std::filesystem::path seedFolderRequested() {
  const char* folder = std::getenv("EMVK_FUZZ_WRITE_SEEDS");
  return folder ? std::filesystem::path(folder) : std::filesystem::path();
}

void writeSeed(const std::filesystem::path& folder, const std::string& name,
               std::span<const uint8_t> bytes) {
  std::filesystem::create_directories(folder);
  std::ofstream out(folder / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  require(out.good(), "writing a seed");
}

std::vector<uint8_t> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void InputReader::bytes(void* out, size_t size) {
  const std::span<const uint8_t> got = take(size);
  std::memset(out, 0, size);
  if (!got.empty()) std::memcpy(out, got.data(), got.size());
}

std::span<const uint8_t> InputReader::take(size_t size) {
  const size_t n = std::min(size, data_.size());
  const std::span<const uint8_t> got = data_.first(n);
  data_ = data_.subspan(n);
  return got;
}

}  // namespace fuzz
