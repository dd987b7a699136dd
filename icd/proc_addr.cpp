// vkGetInstanceProcAddr / vkGetDeviceProcAddr / vk_icdGetPhysicalDeviceProcAddr.
//
// Every answer comes from the generated table (registry.cpp): a name is returned only if emvk
// implements it *and* the caller may use it — its core version is within the version in use, or
// one of the extensions that provide the name is enabled (for device extensions at the instance
// level: offered by the physical device). Anything else is NULL, as the spec's tables for
// vkGetInstanceProcAddr and vkGetDeviceProcAddr require.
#include "icd/proc_addr.hpp"

#include <cstring>

#include "device/device.hpp"
#include "device/extensions.hpp"
#include "device/instance.hpp"
#include "device/physical_device.hpp"
#include "icd/registry.hpp"

namespace emvk {
namespace {

bool providedByExtension(const CommandInfo& c, const ExtensionSet& enabled) {
  for (uint8_t i = 0; i < c.extensionCount; ++i)
    if (enabled.test(c.extensions[i])) return true;
  return false;
}

// At the instance level a device extension counts if the physical device offers it
// (vkGetInstanceProcAddr may return device-level functions for the loader's trampolines).
bool offeredDeviceExtension(const CommandInfo& c, const PhysicalDevice& physicalDevice) {
  for (uint8_t i = 0; i < c.extensionCount; ++i) {
    auto id = static_cast<ExtensionId>(c.extensions[i]);
    if (extensionInfo(id).deviceLevel && physicalDevice.offers(id)) return true;
  }
  return false;
}

bool coreWithin(const CommandInfo& c, uint32_t version) {
  // Compare major.minor only: the patch number never adds commands.
  constexpr uint32_t kMajorMinor = ~0xFFFu;
  return c.coreVersion != 0 && (c.coreVersion & kMajorMinor) <= (version & kMajorMinor);
}

const CommandInfo* implemented(const char* name) {
  if (!name) return nullptr;
  const CommandInfo* c = findCommand(name);
  return c && c->function ? c : nullptr;
}

// Physical-device and device commands, reached through an instance.
bool usableFromInstance(const CommandInfo& c, const Instance& instance) {
  // The reported version and extensions: a profile (EMVK_PROFILE) may have lowered them.
  const uint32_t deviceVersion = instance.physicalDevice().properties().apiVersion;
  const uint32_t version = c.level == CommandLevel::Instance
                               ? instance.apiVersion()
                               : std::min(instance.apiVersion(), deviceVersion);
  return coreWithin(c, version) || providedByExtension(c, instance.extensions()) ||
         (c.level != CommandLevel::Instance &&
          offeredDeviceExtension(c, instance.physicalDevice()));
}

}  // namespace

PFN_vkVoidFunction instanceProcAddr(const Instance* instance, const char* name) {
  const CommandInfo* c = implemented(name);
  if (!c) return nullptr;
  // vkGetInstanceProcAddr: with a NULL instance only global commands (and itself) are returned.
  if (std::strcmp(name, "vkGetInstanceProcAddr") == 0) return c->function;
  if (!instance) return c->level == CommandLevel::Global ? c->function : nullptr;
  if (c->level == CommandLevel::Global) return nullptr;
  return usableFromInstance(*c, *instance) ? c->function : nullptr;
}

PFN_vkVoidFunction physicalDeviceProcAddr(const Instance* instance, const char* name) {
  const CommandInfo* c = implemented(name);
  if (!c || c->level != CommandLevel::PhysicalDevice) return nullptr;
  return !instance || usableFromInstance(*c, *instance) ? c->function : nullptr;
}

PFN_vkVoidFunction deviceProcAddr(const Device* device, const char* name) {
  const CommandInfo* c = implemented(name);
  if (!c) return nullptr;
  if (std::strcmp(name, "vkGetDeviceProcAddr") == 0) return c->function;
  if (c->level != CommandLevel::Device) return nullptr;
  // Device-level commands of instance extensions (debug utils) follow the instance's extensions.
  const bool enabled = coreWithin(*c, device->apiVersion()) ||
                       providedByExtension(*c, device->extensions()) ||
                       providedByExtension(*c, device->instance().extensions());
  return enabled ? c->function : nullptr;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL emvk_GetInstanceProcAddr(VkInstance instance,
                                                                  const char* pName) {
  return instanceProcAddr(fromHandle(instance), pName);
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL emvk_GetDeviceProcAddr(VkDevice device,
                                                                const char* pName) {
  return deviceProcAddr(fromHandle(device), pName);
}
