// The loader edge as an application sees it: the loader finds emvk through VK_DRIVER_FILES,
// instance-level queries, and which names vkGetInstanceProcAddr / vkGetDeviceProcAddr resolve.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

std::vector<std::string> instanceExtensions() {
  uint32_t count = 0;
  VK_CHECK(vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr));
  std::vector<VkExtensionProperties> properties(count);
  VK_CHECK(vkEnumerateInstanceExtensionProperties(nullptr, &count, properties.data()));
  std::vector<std::string> names;
  for (const auto& p : properties) names.emplace_back(p.extensionName);
  return names;
}

bool contains(const std::vector<std::string>& list, const std::string& name) {
  for (const auto& item : list)
    if (item == name) return true;
  return false;
}

VkResult createInstanceWith(const char* extension) {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = 1;
  info.ppEnabledExtensionNames = &extension;
  VkInstance instance = VK_NULL_HANDLE;
  VkResult result = vkCreateInstance(&info, nullptr, &instance);
  if (result == VK_SUCCESS) vkDestroyInstance(instance, nullptr);
  return result;
}

VkPhysicalDeviceTimelineSemaphoreFeatures timelineFeatures() {
  VkPhysicalDeviceTimelineSemaphoreFeatures features{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES};
  features.timelineSemaphore = VK_TRUE;
  return features;
}

}  // namespace

TEST_CASE("icd: the loader finds exactly one emvk CPU device", "[icd][loader]") {
  test::Instance instance;
  uint32_t count = 0;
  VK_CHECK(vkEnumeratePhysicalDevices(instance.handle, &count, nullptr));
  REQUIRE(count == 1);

  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(instance.physical, &properties);
  CAPTURE(properties.deviceName);
  CHECK(properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU);
  if (!probe::isEmvk(instance.physical)) {
    WARN("not running on emvk (VK_DRIVER_FILES points elsewhere): name check skipped");
    return;
  }
  CHECK(std::string(properties.deviceName).rfind("emvk", 0) == 0);
}

TEST_CASE("icd: instance version and extensions", "[icd][loader]") {
  uint32_t version = 0;
  VK_CHECK(vkEnumerateInstanceVersion(&version));
  CAPTURE(VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
  CHECK(version >= VK_API_VERSION_1_3);

  const std::vector<std::string> extensions = instanceExtensions();
  CHECK(contains(extensions, VK_EXT_DEBUG_UTILS_EXTENSION_NAME));
  CHECK(contains(extensions, VK_KHR_GET_PHYSICAL_DEVICE_PROPERTIES_2_EXTENSION_NAME));
}

TEST_CASE("icd: an unsupported instance extension is refused", "[icd][loader]") {
  // A real extension no Linux driver offers, and a name that is no extension at all.
  CHECK(createInstanceWith("VK_KHR_android_surface") == VK_ERROR_EXTENSION_NOT_PRESENT);
  CHECK(createInstanceWith("VK_EMVK_does_not_exist") == VK_ERROR_EXTENSION_NOT_PRESENT);
}

TEST_CASE("icd: vkGetInstanceProcAddr resolves only what exists and is enabled", "[icd][loader]") {
  SECTION("unknown names are NULL") {
    test::Instance instance;
    CHECK(vkGetInstanceProcAddr(instance.handle, "vkDoesNotExist") == nullptr);
    CHECK(vkGetInstanceProcAddr(VK_NULL_HANDLE, "vkDoesNotExist") == nullptr);
  }
  SECTION("instance-extension commands need their extension enabled") {
    // Not vkGetInstanceProcAddr's core-1.2 device names: for those the loader hands out its own
    // trampolines whatever the driver says, so they tell nothing about emvk.
    {
      test::Instance instance;
      CHECK(vkGetInstanceProcAddr(instance.handle, "vkGetPhysicalDeviceProperties2KHR") == nullptr);
    }
    test::InstanceOptions options;
    options.extensions = {VK_KHR_GET_PHYSICAL_DEVICE_PROPERTIES_2_EXTENSION_NAME};
    test::Instance instance(options);
    auto properties2 =
        instance.proc<PFN_vkGetPhysicalDeviceProperties2KHR>("vkGetPhysicalDeviceProperties2KHR");
    REQUIRE(properties2 != nullptr);
    // The KHR alias reaches the same data as the core 1.0 query.
    VkPhysicalDeviceProperties2 viaExtension{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    properties2(instance.physical, &viaExtension);
    VkPhysicalDeviceProperties core;
    vkGetPhysicalDeviceProperties(instance.physical, &core);
    CHECK(std::string(viaExtension.properties.deviceName) == core.deviceName);
    CHECK(viaExtension.properties.apiVersion == core.apiVersion);
  }
}

TEST_CASE("icd: vkGetDeviceProcAddr hides core 1.2/1.3 and disabled extensions", "[icd][loader]") {
  test::Instance instance;
  SECTION("without extensions") {
    test::Device device(instance);
    CHECK(device.proc<PFN_vkVoidFunction>("vkDoesNotExist") == nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkCmdCopyBuffer") != nullptr);
    // The application asked for 1.1 (and emvk is a 1.1 device): newer core names do not exist.
    CHECK(device.proc<PFN_vkVoidFunction>("vkQueueSubmit2") == nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkWaitSemaphores") == nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkCmdCopyBuffer2") == nullptr);
    // Extension commands only resolve once the extension is enabled at vkCreateDevice.
    CHECK(device.proc<PFN_vkVoidFunction>("vkWaitSemaphoresKHR") == nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkQueueSubmit2KHR") == nullptr);
  }
  SECTION("a 1.3 application on a 1.1 device") {
    // The device's apiVersion bounds the core commands too, not only the application's.
    if (!probe::isEmvk(instance.physical)) return;  // lavapipe is a 1.3 device
    test::InstanceOptions options;
    options.apiVersion = VK_API_VERSION_1_3;
    test::Instance newer(options);
    test::Device device(newer);
    CHECK(device.proc<PFN_vkVoidFunction>("vkQueueSubmit2") == nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkWaitSemaphores") == nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkCmdCopyBuffer2") == nullptr);
  }
  SECTION("with VK_KHR_timeline_semaphore enabled") {
    auto features = timelineFeatures();
    test::DeviceOptions options;
    options.extensions = {VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME};
    options.pNext = &features;
    test::Device device(instance, options);
    CHECK(device.proc<PFN_vkVoidFunction>("vkWaitSemaphoresKHR") != nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkSignalSemaphoreKHR") != nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkGetSemaphoreCounterValueKHR") != nullptr);
    // Enabling the extension does not bring the core 1.2 name along.
    CHECK(device.proc<PFN_vkVoidFunction>("vkWaitSemaphores") == nullptr);
    CHECK(device.proc<PFN_vkVoidFunction>("vkQueueSubmit2KHR") == nullptr);
  }
}
