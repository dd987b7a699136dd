// Which extensions emvk offers. Adding one is a line in extensions.cpp, once it is implemented
// and tested; its commands then appear in vkGet*ProcAddr by themselves (icd/proc_addr.cpp).
#pragma once
#include <span>

#include "icd/registry.hpp"

namespace emvk {

std::span<const ExtensionId> supportedInstanceExtensions();
std::span<const ExtensionId> supportedDeviceExtensions();
bool isSupportedDeviceExtension(ExtensionId id);

// Parses ppEnabledExtensionNames; false if a name is unknown or not offered at this level.
bool parseEnabledExtensions(const char* const* names, uint32_t count,
                            std::span<const ExtensionId> offered, ExtensionSet& out);

// vkEnumerate*ExtensionProperties: the two-call idiom over `offered`.
VkResult enumerateExtensions(std::span<const ExtensionId> offered, uint32_t* count,
                             VkExtensionProperties* properties);

}  // namespace emvk
