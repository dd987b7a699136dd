// vkCreateDevice / vkDestroyDevice as an application uses them: queues, refused extensions and
// features, and no file descriptor or thread outliving the device.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

uint32_t queueCountOfFamily0(VkPhysicalDevice physical) {
  uint32_t count = 1;
  VkQueueFamilyProperties family;
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, &family);
  return family.queueCount;
}

// One queue on family 0 plus whatever the caller puts in `info`.
VkResult createDevice(VkPhysicalDevice physical, VkDeviceCreateInfo info, VkDevice* device) {
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueFamilyIndex = 0;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue;
  *device = VK_NULL_HANDLE;
  return vkCreateDevice(physical, &info, nullptr, device);
}

bool advertises(VkPhysicalDevice physical, const char* extension) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, extensions.data());
  for (const auto& e : extensions)
    if (std::strcmp(e.extensionName, extension) == 0) return true;
  return false;
}

// Names for the VkBool32 members of VkPhysicalDeviceFeatures, in declaration order.
const char* const kFeatureNames[] = {"robustBufferAccess",
                                     "fullDrawIndexUint32",
                                     "imageCubeArray",
                                     "independentBlend",
                                     "geometryShader",
                                     "tessellationShader",
                                     "sampleRateShading",
                                     "dualSrcBlend",
                                     "logicOp",
                                     "multiDrawIndirect",
                                     "drawIndirectFirstInstance",
                                     "depthClamp",
                                     "depthBiasClamp",
                                     "fillModeNonSolid",
                                     "depthBounds",
                                     "wideLines",
                                     "largePoints",
                                     "alphaToOne",
                                     "multiViewport",
                                     "samplerAnisotropy",
                                     "textureCompressionETC2",
                                     "textureCompressionASTC_LDR",
                                     "textureCompressionBC",
                                     "occlusionQueryPrecise",
                                     "pipelineStatisticsQuery",
                                     "vertexPipelineStoresAndAtomics",
                                     "fragmentStoresAndAtomics",
                                     "shaderTessellationAndGeometryPointSize",
                                     "shaderImageGatherExtended",
                                     "shaderStorageImageExtendedFormats",
                                     "shaderStorageImageMultisample",
                                     "shaderStorageImageReadWithoutFormat",
                                     "shaderStorageImageWriteWithoutFormat",
                                     "shaderUniformBufferArrayDynamicIndexing",
                                     "shaderSampledImageArrayDynamicIndexing",
                                     "shaderStorageBufferArrayDynamicIndexing",
                                     "shaderStorageImageArrayDynamicIndexing",
                                     "shaderClipDistance",
                                     "shaderCullDistance",
                                     "shaderFloat64",
                                     "shaderInt64",
                                     "shaderInt16",
                                     "shaderResourceResidency",
                                     "shaderResourceMinLod",
                                     "sparseBinding",
                                     "sparseResidencyBuffer",
                                     "sparseResidencyImage2D",
                                     "sparseResidencyImage3D",
                                     "sparseResidency2Samples",
                                     "sparseResidency4Samples",
                                     "sparseResidency8Samples",
                                     "sparseResidency16Samples",
                                     "sparseResidencyAliased",
                                     "variableMultisampleRate",
                                     "inheritedQueries"};
static_assert(sizeof kFeatureNames / sizeof kFeatureNames[0] ==
              sizeof(VkPhysicalDeviceFeatures) / sizeof(VkBool32));

}  // namespace

TEST_CASE("device creation: 1 to 4 queues, each a distinct handle", "[device-creation]") {
  test::Instance instance;
  const uint32_t available = queueCountOfFamily0(instance.physical);
  if (probe::isEmvk(instance.physical)) REQUIRE(available == 4);

  for (uint32_t count = 1; count <= std::min(4u, available); ++count) {
    CAPTURE(count);
    test::DeviceOptions options;
    options.queueCount = count;
    test::Device device(instance, options);
    std::set<VkQueue> distinct(device.queues.begin(), device.queues.end());
    CHECK(distinct.size() == count);
    CHECK(distinct.count(VK_NULL_HANDLE) == 0);

    for (uint32_t i = 0; i < count; ++i) {
      // Same (family, index), same queue: vkGetDeviceQueue is a lookup, not a creation.
      VkQueue again = VK_NULL_HANDLE;
      vkGetDeviceQueue(device.handle, device.family, i, &again);
      CHECK(again == device.queues[i]);
      // vkGetDeviceQueue2 with flags 0 names the queues created without flags.
      VkDeviceQueueInfo2 info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2};
      info.queueFamilyIndex = device.family;
      info.queueIndex = i;
      VkQueue viaInfo2 = VK_NULL_HANDLE;
      vkGetDeviceQueue2(device.handle, &info, &viaInfo2);
      CHECK(viaInfo2 == device.queues[i]);
      VK_CHECK(vkQueueWaitIdle(device.queues[i]));
    }
  }
}

TEST_CASE("device creation: an unsupported extension is refused without leaks",
          "[device-creation]") {
  const int fdsBeforeInstance = test::openFdCount();
  {
    test::Instance instance;
    // A real device extension the driver does not offer (emvk has no WSI; lavapipe has no ray
    // tracing), so the refusal is about support, not spelling.
    const char* extension = advertises(instance.physical, VK_KHR_SWAPCHAIN_EXTENSION_NAME)
                                ? VK_KHR_RAY_TRACING_PIPELINE_EXTENSION_NAME
                                : VK_KHR_SWAPCHAIN_EXTENSION_NAME;
    REQUIRE_FALSE(advertises(instance.physical, extension));
    CAPTURE(extension);

    const int fdsBefore = test::openFdCount();
    VkDeviceCreateInfo info{};
    info.enabledExtensionCount = 1;
    info.ppEnabledExtensionNames = &extension;
    VkDevice device;
    // "Device Creation": an unsupported extension -> VK_ERROR_EXTENSION_NOT_PRESENT.
    CHECK(createDevice(instance.physical, info, &device) == VK_ERROR_EXTENSION_NOT_PRESENT);
    CHECK(device == VK_NULL_HANDLE);
    CHECK(test::openFdCount() == fdsBefore);
  }
  CHECK(test::openFdCount() == fdsBeforeInstance);
}

TEST_CASE("device creation: every unsupported feature is refused", "[device-creation]") {
  test::Instance instance;
  VkPhysicalDeviceFeatures supported;
  vkGetPhysicalDeviceFeatures(instance.physical, &supported);
  const auto* supportedBits = reinterpret_cast<const VkBool32*>(&supported);

  if (probe::isEmvk(instance.physical)) REQUIRE(supported.geometryShader == VK_FALSE);
  int refused = 0;
  for (size_t i = 0; i < std::size(kFeatureNames); ++i) {
    if (supportedBits[i]) continue;
    CAPTURE(kFeatureNames[i]);
    VkPhysicalDeviceFeatures wanted{};
    reinterpret_cast<VkBool32*>(&wanted)[i] = VK_TRUE;
    VkDeviceCreateInfo info{};
    info.pEnabledFeatures = &wanted;
    VkDevice device;
    // "Device Creation": an unsupported feature -> VK_ERROR_FEATURE_NOT_PRESENT.
    CHECK(createDevice(instance.physical, info, &device) == VK_ERROR_FEATURE_NOT_PRESENT);
    CHECK(device == VK_NULL_HANDLE);
    if (device) vkDestroyDevice(device, nullptr);
    ++refused;
  }
  INFO("the device supports every VkPhysicalDeviceFeatures member");
  CHECK(refused > 0);

  // The same rule for features chained in pNext (core 1.1 VkPhysicalDeviceMultiviewFeatures).
  VkPhysicalDeviceMultiviewFeatures multiview{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_FEATURES};
  VkPhysicalDeviceFeatures2 features2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &multiview};
  vkGetPhysicalDeviceFeatures2(instance.physical, &features2);
  if (!multiview.multiviewGeometryShader) {
    VkPhysicalDeviceMultiviewFeatures wanted{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_FEATURES};
    wanted.multiview = VK_TRUE;
    wanted.multiviewGeometryShader = VK_TRUE;
    VkDeviceCreateInfo info{};
    info.pNext = &wanted;
    VkDevice device;
    CHECK(createDevice(instance.physical, info, &device) == VK_ERROR_FEATURE_NOT_PRESENT);
    if (device) vkDestroyDevice(device, nullptr);
  }
}

TEST_CASE("device creation: 8- and 16-bit shader types are reported and can be enabled",
          "[device-creation]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  VkPhysicalDevice8BitStorageFeatures storage8{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES};
  VkPhysicalDevice16BitStorageFeatures storage16{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES, &storage8};
  VkPhysicalDeviceShaderFloat16Int8Features arithmetic{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES, &storage16};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &arithmetic};
  vkGetPhysicalDeviceFeatures2(instance.physical, &features);
  CHECK(features.features.shaderInt16 == VK_TRUE);
  CHECK(arithmetic.shaderFloat16 == VK_TRUE);
  CHECK(arithmetic.shaderInt8 == VK_TRUE);
  CHECK(storage16.storageBuffer16BitAccess == VK_TRUE);
  CHECK(storage16.uniformAndStorageBuffer16BitAccess == VK_TRUE);
  CHECK(storage16.storagePushConstant16 == VK_TRUE);
  CHECK(storage16.storageInputOutput16 == VK_FALSE);  // compute shaders have no I/O
  CHECK(storage8.storageBuffer8BitAccess == VK_TRUE);
  CHECK(storage8.uniformAndStorageBuffer8BitAccess == VK_TRUE);
  CHECK(storage8.storagePushConstant8 == VK_TRUE);

  // Everything reported, asked for at once, with the extensions that define the structures.
  const char* extensions[] = {VK_KHR_16BIT_STORAGE_EXTENSION_NAME,
                              VK_KHR_8BIT_STORAGE_EXTENSION_NAME,
                              VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME};
  VkDeviceCreateInfo info{};
  info.pNext = &features;
  info.enabledExtensionCount = static_cast<uint32_t>(std::size(extensions));
  info.ppEnabledExtensionNames = extensions;
  VkDevice device;
  REQUIRE(createDevice(instance.physical, info, &device) == VK_SUCCESS);
  vkDestroyDevice(device, nullptr);

  // storageInputOutput16 is not there: "Device Creation" -> VK_ERROR_FEATURE_NOT_PRESENT.
  storage16.storageInputOutput16 = VK_TRUE;
  CHECK(createDevice(instance.physical, info, &device) == VK_ERROR_FEATURE_NOT_PRESENT);
  CHECK(device == VK_NULL_HANDLE);
}

TEST_CASE("device creation: 50 devices leak no file descriptors or threads", "[device-creation]") {
  test::Instance instance;
  // One device first: anything created once per process on first use (a worker pool, a log
  // file) is not a per-device leak.
  { test::Device warmUp(instance); }
  const int fds = test::openFdCount();
  const int threads = probe::threadCount();

  for (int i = 0; i < 50; ++i) {
    test::DeviceOptions options;
    options.queueCount = std::min(2u, queueCountOfFamily0(instance.physical));
    test::Device device(instance, options);
  }
  CHECK(test::openFdCount() == fds);
  CHECK(probe::threadCount() == threads);
}
