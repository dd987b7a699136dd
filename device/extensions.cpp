#include "device/extensions.hpp"

#include <algorithm>
#include <cstring>

namespace emvk {
namespace {

// One extension per line, sorted, so a diff shows exactly what was added.
// clang-format off
constexpr ExtensionId kInstanceExtensions[] = {
    ExtensionId::EXT_debug_utils,
    ExtensionId::KHR_external_fence_capabilities,
    ExtensionId::KHR_external_memory_capabilities,
    ExtensionId::KHR_external_semaphore_capabilities,
    ExtensionId::KHR_get_physical_device_properties2,
    ExtensionId::NV_external_memory_capabilities,
};

constexpr ExtensionId kDeviceExtensions[] = {
    ExtensionId::EXT_external_memory_host,
    ExtensionId::EXT_host_query_reset,
    ExtensionId::EXT_memory_budget,
    ExtensionId::EXT_robustness2,
    ExtensionId::EXT_tooling_info,
    ExtensionId::KHR_16bit_storage,
    ExtensionId::KHR_8bit_storage,
    ExtensionId::KHR_bind_memory2,
    ExtensionId::KHR_dedicated_allocation,
    ExtensionId::KHR_driver_properties,
    ExtensionId::KHR_external_fence,
    ExtensionId::KHR_external_fence_fd,
    ExtensionId::KHR_external_memory,
    ExtensionId::KHR_external_memory_fd,
    ExtensionId::KHR_external_semaphore,
    ExtensionId::KHR_external_semaphore_fd,
    ExtensionId::KHR_get_memory_requirements2,
    ExtensionId::KHR_shader_float16_int8,
    ExtensionId::KHR_shader_subgroup_extended_types,
    ExtensionId::KHR_synchronization2,
    ExtensionId::KHR_timeline_semaphore,
    ExtensionId::NV_external_memory,
};
// clang-format on

}  // namespace

std::span<const ExtensionId> supportedInstanceExtensions() { return kInstanceExtensions; }
std::span<const ExtensionId> supportedDeviceExtensions() { return kDeviceExtensions; }

bool isSupportedDeviceExtension(ExtensionId id) {
  return std::find(std::begin(kDeviceExtensions), std::end(kDeviceExtensions), id) !=
         std::end(kDeviceExtensions);
}

bool parseEnabledExtensions(const char* const* names, uint32_t count,
                            std::span<const ExtensionId> offered, ExtensionSet& out) {
  for (uint32_t i = 0; i < count; ++i) {
    auto id = findExtension(names[i]);
    if (!id || std::find(offered.begin(), offered.end(), *id) == offered.end()) return false;
    out.set(static_cast<size_t>(*id));
  }
  return true;
}

VkResult enumerateExtensions(std::span<const ExtensionId> offered, uint32_t* count,
                             VkExtensionProperties* properties) {
  if (!properties) {
    *count = static_cast<uint32_t>(offered.size());
    return VK_SUCCESS;
  }
  const uint32_t n = std::min<uint32_t>(*count, static_cast<uint32_t>(offered.size()));
  for (uint32_t i = 0; i < n; ++i) {
    const ExtensionInfo& info = extensionInfo(offered[i]);
    properties[i] = {};
    std::strncpy(properties[i].extensionName, info.name, VK_MAX_EXTENSION_NAME_SIZE - 1);
    properties[i].specVersion = info.specVersion;
  }
  *count = n;
  return n < offered.size() ? VK_INCOMPLETE : VK_SUCCESS;
}

}  // namespace emvk
