// Name -> function lookups for the loader and the application, gated by what is enabled.
#pragma once
#include <vulkan/vulkan.h>

namespace emvk {

class Instance;
class Device;

PFN_vkVoidFunction instanceProcAddr(const Instance* instance, const char* name);
PFN_vkVoidFunction physicalDeviceProcAddr(const Instance* instance, const char* name);
PFN_vkVoidFunction deviceProcAddr(const Device* device, const char* name);

}  // namespace emvk
