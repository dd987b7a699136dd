// What emvk's one VkPhysicalDevice reports, and that every way of asking (1.0 queries, the
// ...2 queries with their pNext chains) tells the same story.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "harness.hpp"
#include "image/images.hpp"
#include "tools/probe.hpp"

namespace {

bool isPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

bool allZero(const uint8_t (&uuid)[VK_UUID_SIZE]) {
  return std::all_of(std::begin(uuid), std::end(uuid), [](uint8_t b) { return b == 0; });
}

// Offset of the first differing byte, or -1: says which field differs when a memcmp fails.
long firstDifference(const void* a, const void* b, size_t size) {
  auto* x = static_cast<const unsigned char*>(a);
  auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < size; ++i)
    if (x[i] != y[i]) return static_cast<long>(i);
  return -1;
}

std::vector<VkExtensionProperties> deviceExtensions(VkPhysicalDevice physical) {
  uint32_t count = 0;
  VK_CHECK(vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr));
  std::vector<VkExtensionProperties> extensions(count);
  VK_CHECK(vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, extensions.data()));
  extensions.resize(count);
  return extensions;
}

bool hasDeviceExtension(VkPhysicalDevice physical, const char* name) {
  for (const auto& e : deviceExtensions(physical))
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

struct Uuids {
  uint8_t device[VK_UUID_SIZE];
  uint8_t driver[VK_UUID_SIZE];
};

Uuids uuidsOf(VkPhysicalDevice physical) {
  VkPhysicalDeviceIDProperties id{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &id};
  vkGetPhysicalDeviceProperties2(physical, &properties);
  Uuids uuids;
  std::memcpy(uuids.device, id.deviceUUID, VK_UUID_SIZE);
  std::memcpy(uuids.driver, id.driverUUID, VK_UUID_SIZE);
  return uuids;
}

// Plain Vulkan, no Catch2 macros: the forked child reports failure through its exit status.
bool queryUuids(Uuids* out) {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  VkInstance instance;
  if (vkCreateInstance(&info, nullptr, &instance) != VK_SUCCESS) return false;
  uint32_t count = 1;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkResult r = vkEnumeratePhysicalDevices(instance, &count, &physical);
  bool ok = (r == VK_SUCCESS || r == VK_INCOMPLETE) && count == 1;
  if (ok) *out = uuidsOf(physical);
  vkDestroyInstance(instance, nullptr);
  return ok;
}

// Queries the UUIDs in a forked child that has not touched Vulkan: a fresh loader and a fresh
// driver load, as another process of the same application would see them.
bool queryUuidsInChild(Uuids* out) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    close(fds[0]);
    Uuids uuids;
    bool ok = queryUuids(&uuids) && write(fds[1], &uuids, sizeof uuids) == sizeof uuids;
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  // Bounded wait, so a child stuck in the driver fails the test instead of hanging ctest.
  pollfd readable{fds[0], POLLIN, 0};
  bool got = poll(&readable, 1, 20'000) == 1 && read(fds[0], out, sizeof *out) == sizeof *out;
  close(fds[0]);
  if (!got) kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  return got && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

TEST_CASE("physical device: properties", "[physical-device]") {
  test::Instance instance;
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(instance.physical, &properties);
  CAPTURE(properties.deviceName);
  CHECK(properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU);

  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceProperties2 properties2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &driver};
  vkGetPhysicalDeviceProperties2(instance.physical, &properties2);
  CHECK(driver.driverName[0] != '\0');
  CHECK(driver.driverInfo[0] != '\0');

  if (!probe::isEmvk(instance.physical)) return;
  CHECK(VK_API_VERSION_MAJOR(properties.apiVersion) == 1);
  CHECK(VK_API_VERSION_MINOR(properties.apiVersion) == 1);
  CHECK(std::string(driver.driverName) == "emvk");
  // Not conformance-tested yet: 0.0.0.0 says so.
  CHECK(driver.conformanceVersion.major == 0);
  CHECK(driver.conformanceVersion.minor == 0);
  CHECK(driver.conformanceVersion.subminor == 0);
  CHECK(driver.conformanceVersion.patch == 0);
  CHECK(properties.limits.timestampComputeAndGraphics == VK_TRUE);
  CHECK(properties.limits.timestampPeriod == 1.0f);
}

TEST_CASE("physical device: limits are within the spec's required ranges", "[physical-device]") {
  test::Instance instance;
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(instance.physical, &properties);
  const VkPhysicalDeviceLimits& limits = properties.limits;
  // Required limits table ("Limit Requirements"): minimums, maximums, powers of two.
  CHECK(limits.maxMemoryAllocationCount >= 4096);
  CHECK(isPowerOfTwo(limits.nonCoherentAtomSize));
  CHECK(limits.nonCoherentAtomSize <= 256);
  CHECK(limits.minMemoryMapAlignment >= 64);
  CHECK(isPowerOfTwo(limits.minMemoryMapAlignment));
  CHECK(isPowerOfTwo(limits.minUniformBufferOffsetAlignment));
  CHECK(limits.minUniformBufferOffsetAlignment <= 256);
  CHECK(isPowerOfTwo(limits.minStorageBufferOffsetAlignment));
  CHECK(limits.minStorageBufferOffsetAlignment <= 256);
  CHECK(limits.bufferImageGranularity >= 1);
  CHECK(limits.bufferImageGranularity <= 131072);
  CHECK(limits.timestampPeriod > 0.0f);
}

TEST_CASE("physical device: features", "[physical-device]") {
  test::Instance instance;
  VkPhysicalDeviceFeatures features;
  vkGetPhysicalDeviceFeatures(instance.physical, &features);

  VkPhysicalDeviceHostQueryResetFeatures hostQueryReset{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_HOST_QUERY_RESET_FEATURES};
  VkPhysicalDeviceSynchronization2Features sync2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES, &hostQueryReset};
  VkPhysicalDeviceTimelineSemaphoreFeatures timeline{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, &sync2};
  VkPhysicalDeviceMultiviewFeatures multiview{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_FEATURES,
                                              &timeline};
  VkPhysicalDeviceFeatures2 features2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &multiview};
  std::memset(&features2.features, 0xff, sizeof features2.features);  // must be overwritten
  vkGetPhysicalDeviceFeatures2(instance.physical, &features2);

  CAPTURE(firstDifference(&features, &features2.features, sizeof features));
  CHECK(std::memcmp(&features, &features2.features, sizeof features) == 0);
  CHECK(timeline.timelineSemaphore == VK_TRUE);
  CHECK(sync2.synchronization2 == VK_TRUE);
  CHECK(hostQueryReset.hostQueryReset == VK_TRUE);
  CHECK(multiview.multiview == VK_TRUE);

  if (!probe::isEmvk(instance.physical)) return;
  // Every buffer access of a shader is bounds-checked.
  CHECK(features.robustBufferAccess == VK_TRUE);
  // Nothing graphics, shader or image related.
  CHECK(features.geometryShader == VK_FALSE);
  CHECK(features.tessellationShader == VK_FALSE);
  CHECK(features.fragmentStoresAndAtomics == VK_FALSE);
  CHECK(features.vertexPipelineStoresAndAtomics == VK_FALSE);
  CHECK(features.imageCubeArray == VK_FALSE);
  // The JIT compiles 64-bit integers and floats.
  CHECK(features.shaderInt16 == VK_TRUE);
  CHECK(features.shaderInt64 == VK_TRUE);
  CHECK(features.shaderFloat64 == VK_TRUE);
  CHECK(features.samplerAnisotropy == VK_FALSE);
  CHECK(features.textureCompressionBC == VK_FALSE);
  CHECK(features.sparseBinding == VK_FALSE);
  CHECK(multiview.multiviewGeometryShader == VK_FALSE);
  CHECK(multiview.multiviewTessellationShader == VK_FALSE);
}

TEST_CASE("physical device: ...2 property chains agree with the 1.0 queries", "[physical-device]") {
  test::Instance instance;
  VkPhysicalDeviceProperties properties;
  std::memset(&properties, 0, sizeof properties);
  vkGetPhysicalDeviceProperties(instance.physical, &properties);

  VkPhysicalDeviceTimelineSemaphoreProperties timeline{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_PROPERTIES};
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
                                          &timeline};
  VkPhysicalDeviceMultiviewProperties multiview{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_PROPERTIES, &driver};
  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
                                              &multiview};
  VkPhysicalDeviceMaintenance3Properties maintenance3{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES, &subgroup};
  VkPhysicalDeviceIDProperties id{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES, &maintenance3};
  VkPhysicalDeviceProperties2 properties2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &id};
  std::memset(&properties2.properties, 0, sizeof properties2.properties);
  vkGetPhysicalDeviceProperties2(instance.physical, &properties2);

  CAPTURE(firstDifference(&properties, &properties2.properties, sizeof properties));
  CHECK(std::memcmp(&properties, &properties2.properties, sizeof properties) == 0);

  // The pNext chain itself is the application's and stays as it was built.
  CHECK(properties2.pNext == &id);
  CHECK(id.pNext == &maintenance3);
  CHECK(timeline.pNext == nullptr);

  CHECK_FALSE(allZero(id.deviceUUID));
  CHECK_FALSE(allZero(id.driverUUID));
  CHECK(std::memcmp(id.deviceUUID, id.driverUUID, VK_UUID_SIZE) != 0);

  // Spec minimums (Limit Requirements table) for the 1.1 limits; the multiview ones apply because
  // multiview is supported.
  CHECK(maintenance3.maxPerSetDescriptors >= 1024);
  CHECK(maintenance3.maxMemoryAllocationSize >= (VkDeviceSize{1} << 30));
  // VkPhysicalDeviceSubgroupProperties: size a power of two; a compute queue implies the compute
  // stage and the basic operations.
  CHECK(isPowerOfTwo(subgroup.subgroupSize));
  CHECK((subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0);
  CHECK((subgroup.supportedOperations & VK_SUBGROUP_FEATURE_BASIC_BIT) != 0);
  CHECK(multiview.maxMultiviewViewCount >= 6);
  CHECK(multiview.maxMultiviewInstanceIndex >= (1u << 27) - 1);
  CHECK(timeline.maxTimelineSemaphoreValueDifference >= (1ull << 31) - 1);

  if (!probe::isEmvk(instance.physical)) return;
  CHECK(id.deviceLUIDValid == VK_FALSE);
  VkPhysicalDeviceMemoryProperties memory;
  vkGetPhysicalDeviceMemoryProperties(instance.physical, &memory);
  CHECK(maintenance3.maxMemoryAllocationSize == memory.memoryHeaps[0].size);
}

TEST_CASE("physical device: memory heaps and types", "[physical-device]") {
  test::Instance instance;
  VkPhysicalDeviceMemoryProperties memory;
  std::memset(&memory, 0, sizeof memory);
  vkGetPhysicalDeviceMemoryProperties(instance.physical, &memory);
  REQUIRE(memory.memoryHeapCount >= 1);
  REQUIRE(memory.memoryTypeCount >= 1);

  // "Memory Types": X comes before Y when X's flags are a strict subset of Y's.
  for (uint32_t x = 0; x < memory.memoryTypeCount; ++x) {
    for (uint32_t y = 0; y < memory.memoryTypeCount; ++y) {
      VkMemoryPropertyFlags fx = memory.memoryTypes[x].propertyFlags;
      VkMemoryPropertyFlags fy = memory.memoryTypes[y].propertyFlags;
      bool strictSubset = (fx & fy) == fx && fx != fy;
      CAPTURE(x, y, fx, fy);
      if (strictSubset) CHECK(x < y);
    }
    CHECK(memory.memoryTypes[x].heapIndex < memory.memoryHeapCount);
  }
  // "Memory Heaps": at least one host-visible + host-coherent type, and a device-local heap.
  const VkMemoryPropertyFlags mappable =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  CHECK(
      std::any_of(memory.memoryTypes, memory.memoryTypes + memory.memoryTypeCount,
                  [&](const VkMemoryType& t) { return (t.propertyFlags & mappable) == mappable; }));
  CHECK(std::any_of(
      memory.memoryHeaps, memory.memoryHeaps + memory.memoryHeapCount,
      [](const VkMemoryHeap& h) { return (h.flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0; }));

  VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
  VkPhysicalDeviceMemoryProperties2 memory2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2,
                                            &budget};
  std::memset(&memory2.memoryProperties, 0, sizeof memory2.memoryProperties);
  vkGetPhysicalDeviceMemoryProperties2(instance.physical, &memory2);
  CAPTURE(firstDifference(&memory, &memory2.memoryProperties, sizeof memory));
  CHECK(std::memcmp(&memory, &memory2.memoryProperties, sizeof memory) == 0);
  // VkPhysicalDeviceMemoryBudgetPropertiesEXT: a non-zero budget no larger than the heap for each
  // heap, zeros past memoryHeapCount.
  const bool budgetSupported =
      hasDeviceExtension(instance.physical, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
  if (probe::isEmvk(instance.physical)) CHECK(budgetSupported);
  for (uint32_t h = 0; budgetSupported && h < VK_MAX_MEMORY_HEAPS; ++h) {
    CAPTURE(h);
    if (h < memory.memoryHeapCount) {
      CHECK(budget.heapBudget[h] > 0);
      CHECK(budget.heapBudget[h] <= memory.memoryHeaps[h].size);
    } else {
      CHECK(budget.heapBudget[h] == 0);
      CHECK(budget.heapUsage[h] == 0);
    }
  }

  if (!probe::isEmvk(instance.physical)) return;
  REQUIRE(memory.memoryHeapCount == 1);
  REQUIRE(memory.memoryTypeCount == 2);
  CHECK(memory.memoryHeaps[0].flags == VK_MEMORY_HEAP_DEVICE_LOCAL_BIT);
  CHECK(memory.memoryHeaps[0].size > 0);
  const VkMemoryPropertyFlags coherent = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | mappable;
  CHECK(memory.memoryTypes[0].propertyFlags == coherent);
  CHECK(memory.memoryTypes[1].propertyFlags == (coherent | VK_MEMORY_PROPERTY_HOST_CACHED_BIT));
  CHECK(memory.memoryTypes[0].heapIndex == 0);
  CHECK(memory.memoryTypes[1].heapIndex == 0);
}

TEST_CASE("physical device: queue family", "[physical-device]") {
  test::Instance instance;
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(instance.physical, &count, nullptr);
  REQUIRE(count >= 1);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(instance.physical, &count, families.data());

  uint32_t count2 = 0;
  vkGetPhysicalDeviceQueueFamilyProperties2(instance.physical, &count2, nullptr);
  REQUIRE(count2 == count);
  std::vector<VkQueueFamilyProperties2> families2(count2,
                                                  {VK_STRUCTURE_TYPE_QUEUE_FAMILY_PROPERTIES_2});
  vkGetPhysicalDeviceQueueFamilyProperties2(instance.physical, &count2, families2.data());
  for (uint32_t i = 0; i < count; ++i) {
    CAPTURE(i);
    const VkQueueFamilyProperties& a = families[i];
    const VkQueueFamilyProperties& b = families2[i].queueFamilyProperties;
    CHECK(a.queueFlags == b.queueFlags);
    CHECK(a.queueCount == b.queueCount);
    CHECK(a.timestampValidBits == b.timestampValidBits);
    CHECK(a.queueCount >= 1);
    // "timestampValidBits ... valid values are 36 to 64 bits, or 0".
    CHECK(
        (a.timestampValidBits == 0 || (a.timestampValidBits >= 36 && a.timestampValidBits <= 64)));
  }

  // Asking for fewer families than exist writes only that many (no VkResult to say so).
  uint32_t none = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(instance.physical, &none, families.data());
  CHECK(none == 0);

  if (!probe::isEmvk(instance.physical)) return;
  REQUIRE(count == 1);
  CHECK(families[0].queueFlags == (VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT));
  CHECK(families[0].queueCount == 4);
  CHECK(families[0].timestampValidBits == 64);
}

TEST_CASE("physical device: device extensions and VK_INCOMPLETE", "[physical-device]") {
  test::Instance instance;
  const std::vector<VkExtensionProperties> all = deviceExtensions(instance.physical);
  REQUIRE(!all.empty());
  std::set<std::string> names;
  for (const auto& e : all) {
    CAPTURE(e.extensionName);
    CHECK(e.specVersion > 0);
    CHECK(names.insert(e.extensionName).second);  // no duplicates
  }

  // Too small an array: VK_INCOMPLETE, the count says how many were written, and they are the
  // same first entries a full query returns.
  uint32_t count = static_cast<uint32_t>(all.size()) - 1;
  std::vector<VkExtensionProperties> some(all.size());
  CHECK(vkEnumerateDeviceExtensionProperties(instance.physical, nullptr, &count, some.data()) ==
        VK_INCOMPLETE);
  CHECK(count == all.size() - 1);
  for (uint32_t i = 0; i < count; ++i)
    CHECK(std::string(some[i].extensionName) == all[i].extensionName);
  count = 0;
  CHECK(vkEnumerateDeviceExtensionProperties(instance.physical, nullptr, &count, some.data()) ==
        VK_INCOMPLETE);
  CHECK(count == 0);

  if (!probe::isEmvk(instance.physical)) return;
  // VK_KHR_map_memory2 is not offered: the installed headers (1.3.239) predate it.
  const std::set<std::string> expected = {VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME,
                                          VK_EXT_HOST_QUERY_RESET_EXTENSION_NAME,
                                          VK_EXT_MEMORY_BUDGET_EXTENSION_NAME,
                                          VK_EXT_ROBUSTNESS_2_EXTENSION_NAME,
                                          VK_EXT_TOOLING_INFO_EXTENSION_NAME,
                                          VK_KHR_16BIT_STORAGE_EXTENSION_NAME,
                                          VK_KHR_8BIT_STORAGE_EXTENSION_NAME,
                                          VK_KHR_BIND_MEMORY_2_EXTENSION_NAME,
                                          VK_KHR_DEDICATED_ALLOCATION_EXTENSION_NAME,
                                          VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME,
                                          VK_KHR_EXTERNAL_FENCE_EXTENSION_NAME,
                                          VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME,
                                          VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME,
                                          VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
                                          VK_KHR_EXTERNAL_SEMAPHORE_EXTENSION_NAME,
                                          VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME,
                                          VK_KHR_GET_MEMORY_REQUIREMENTS_2_EXTENSION_NAME,
                                          VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME,
                                          VK_KHR_SHADER_SUBGROUP_EXTENDED_TYPES_EXTENSION_NAME,
                                          VK_KHR_SYNCHRONIZATION_2_EXTENSION_NAME,
                                          VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME,
                                          VK_NV_EXTERNAL_MEMORY_EXTENSION_NAME};
  CHECK(names == expected);
}

TEST_CASE("physical device: formats report transfer features only", "[physical-device]") {
  test::Instance instance;
  // emvk can copy and clear images but has no shaders, attachments or texel buffers yet, so the
  // formats of its table claim exactly TRANSFER_SRC | TRANSFER_DST and every other format nothing.
  // (The spec's mandatory format table asks for more; emvk is not conformant yet.)
  if (probe::isEmvk(instance.physical)) {
    std::set<VkFormat> supported;
    for (const auto& f : images::supportedFormats()) supported.insert(f.format);
    const VkFormatFeatureFlags transfer =
        VK_FORMAT_FEATURE_TRANSFER_SRC_BIT | VK_FORMAT_FEATURE_TRANSFER_DST_BIT;
    for (int f = VK_FORMAT_UNDEFINED + 1; f <= VK_FORMAT_ASTC_12x12_SRGB_BLOCK; ++f) {
      VkFormatProperties properties;
      vkGetPhysicalDeviceFormatProperties(instance.physical, static_cast<VkFormat>(f), &properties);
      CAPTURE(f);
      const VkFormatFeatureFlags expected = supported.count(VkFormat(f)) ? transfer : 0;
      // bufferFeatures: tests/compute/texel_buffers.cpp checks them against what it tests.
      CHECK(properties.linearTilingFeatures == expected);
      CHECK(properties.optimalTilingFeatures == expected);
    }
  }

  VkFormatProperties rgba;
  vkGetPhysicalDeviceFormatProperties(instance.physical, VK_FORMAT_R8G8B8A8_UNORM, &rgba);
  VkFormatProperties2 rgba2{VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_2};
  vkGetPhysicalDeviceFormatProperties2(instance.physical, VK_FORMAT_R8G8B8A8_UNORM, &rgba2);
  CHECK(rgba.bufferFeatures == rgba2.formatProperties.bufferFeatures);
  CHECK(rgba.linearTilingFeatures == rgba2.formatProperties.linearTilingFeatures);
  CHECK(rgba.optimalTilingFeatures == rgba2.formatProperties.optimalTilingFeatures);

  if (!probe::isEmvk(instance.physical)) return;
  // Sampling needs shaders: refused. Transfers alone: supported (tests/image/image_create.cpp).
  VkImageFormatProperties image;
  CHECK(vkGetPhysicalDeviceImageFormatProperties(
            instance.physical, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_TYPE_2D, VK_IMAGE_TILING_OPTIMAL,
            VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_SAMPLED_BIT, 0,
            &image) == VK_ERROR_FORMAT_NOT_SUPPORTED);
  VkPhysicalDeviceImageFormatInfo2 info{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2};
  info.format = VK_FORMAT_R8G8B8A8_UNORM;
  info.type = VK_IMAGE_TYPE_2D;
  info.tiling = VK_IMAGE_TILING_LINEAR;
  info.usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  VkImageFormatProperties2 image2{VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2};
  CHECK(vkGetPhysicalDeviceImageFormatProperties2(instance.physical, &info, &image2) == VK_SUCCESS);
}

TEST_CASE("physical device: UUIDs are stable across instances and processes", "[physical-device]") {
  // The child is forked before this process creates its instance.
  Uuids child;
  const bool childOk = queryUuidsInChild(&child);

  Uuids first, second, third;
  {
    test::Instance instance;
    first = uuidsOf(instance.physical);
  }
  {
    test::Instance a;  // a new instance after the first was destroyed, and two live at once
    test::Instance b;
    second = uuidsOf(a.physical);
    third = uuidsOf(b.physical);
  }
  CHECK(std::memcmp(first.device, second.device, VK_UUID_SIZE) == 0);
  CHECK(std::memcmp(first.driver, second.driver, VK_UUID_SIZE) == 0);
  CHECK(std::memcmp(first.device, third.device, VK_UUID_SIZE) == 0);
  CHECK(std::memcmp(first.driver, third.driver, VK_UUID_SIZE) == 0);

  REQUIRE(childOk);
  // VkPhysicalDeviceIDProperties: the UUIDs identify the device and driver build across
  // processes, which is what lets processes share memory and pipeline caches.
  CHECK(std::memcmp(first.device, child.device, VK_UUID_SIZE) == 0);
  CHECK(std::memcmp(first.driver, child.driver, VK_UUID_SIZE) == 0);

  CHECK_FALSE(allZero(first.device));
  CHECK_FALSE(allZero(first.driver));
  CHECK(std::memcmp(first.device, first.driver, VK_UUID_SIZE) != 0);
}
