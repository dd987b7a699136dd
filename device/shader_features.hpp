// What a shader may declare: SPIR-V capabilities need device features the application enabled,
// and subgroup operations the device reports (appendix "SPIR-V Environment", section
// "Capabilities"; VUID-VkShaderModuleCreateInfo-pCode-08740). emvk checks this when a pipeline is
// built, so that a program tested on emvk under a reduced profile (EMVK_PROFILE) learns that its
// float64 shader would not run on the device it poses as, instead of running anyway.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string>

namespace emvk {

class PhysicalDevice;

// The shader features a device was created with.
struct ShaderFeatures {
  bool float64 = false, int64 = false, int16 = false, int8 = false, float16 = false;
  bool storageBuffer16 = false, uniformAndStorageBuffer16 = false, pushConstant16 = false;
  bool storageBuffer8 = false, uniformAndStorageBuffer8 = false, pushConstant8 = false;
  VkSubgroupFeatureFlags subgroupOperations = 0;  // reported, so narrowed by a profile

  static ShaderFeatures enabledBy(const VkDeviceCreateInfo& info, const PhysicalDevice& physical);
};

// "" when every capability `words` declares is allowed; otherwise which capability needs which
// feature, e.g. "capability Float64 needs VkPhysicalDeviceFeatures::shaderFloat64".
std::string missingShaderFeature(std::span<const uint32_t> words, const ShaderFeatures& enabled);

}  // namespace emvk
