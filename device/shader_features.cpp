#include "device/shader_features.hpp"

#include <spirv_cross/spirv.hpp>

#include "device/physical_device.hpp"

namespace emvk {

ShaderFeatures ShaderFeatures::enabledBy(const VkDeviceCreateInfo& info,
                                         const PhysicalDevice& physical) {
  ShaderFeatures f;
  auto core = [&](const VkPhysicalDeviceFeatures& c) {
    f.float64 |= c.shaderFloat64;
    f.int64 |= c.shaderInt64;
    f.int16 |= c.shaderInt16;
  };
  if (info.pEnabledFeatures) core(*info.pEnabledFeatures);
  for (auto* s = static_cast<const VkBaseInStructure*>(info.pNext); s; s = s->pNext) {
    switch (s->sType) {
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2:
        core(reinterpret_cast<const VkPhysicalDeviceFeatures2*>(s)->features);
        break;
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES: {
        auto* p = reinterpret_cast<const VkPhysicalDevice16BitStorageFeatures*>(s);
        f.storageBuffer16 |= p->storageBuffer16BitAccess;
        f.uniformAndStorageBuffer16 |= p->uniformAndStorageBuffer16BitAccess;
        f.pushConstant16 |= p->storagePushConstant16;
        break;
      }
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES: {
        auto* p = reinterpret_cast<const VkPhysicalDeviceVulkan11Features*>(s);
        f.storageBuffer16 |= p->storageBuffer16BitAccess;
        f.uniformAndStorageBuffer16 |= p->uniformAndStorageBuffer16BitAccess;
        f.pushConstant16 |= p->storagePushConstant16;
        break;
      }
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES: {
        auto* p = reinterpret_cast<const VkPhysicalDevice8BitStorageFeatures*>(s);
        f.storageBuffer8 |= p->storageBuffer8BitAccess;
        f.uniformAndStorageBuffer8 |= p->uniformAndStorageBuffer8BitAccess;
        f.pushConstant8 |= p->storagePushConstant8;
        break;
      }
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES: {
        auto* p = reinterpret_cast<const VkPhysicalDeviceShaderFloat16Int8Features*>(s);
        f.float16 |= p->shaderFloat16;
        f.int8 |= p->shaderInt8;
        break;
      }
      case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES: {
        auto* p = reinterpret_cast<const VkPhysicalDeviceVulkan12Features*>(s);
        f.storageBuffer8 |= p->storageBuffer8BitAccess;
        f.uniformAndStorageBuffer8 |= p->uniformAndStorageBuffer8BitAccess;
        f.pushConstant8 |= p->storagePushConstant8;
        f.float16 |= p->shaderFloat16;
        f.int8 |= p->shaderInt8;
        break;
      }
      default:
        break;
    }
  }
  VkPhysicalDeviceSubgroupProperties subgroup{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  physical.fillProperties(reinterpret_cast<VkBaseOutStructure*>(&subgroup));
  if (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT)
    f.subgroupOperations = subgroup.supportedOperations;
  return f;
}

namespace {

struct Requirement {
  spv::Capability capability;
  const char* capabilityName;
  bool ShaderFeatures::*feature;  // or null: a subgroup operation
  VkSubgroupFeatureFlags operation;
  const char* needs;
};

// The capabilities emvk's JIT accepts that depend on something optional (the rest need nothing).
constexpr Requirement kRequirements[] = {
    {spv::CapabilityFloat64, "Float64", &ShaderFeatures::float64, 0,
     "VkPhysicalDeviceFeatures::shaderFloat64"},
    {spv::CapabilityInt64, "Int64", &ShaderFeatures::int64, 0,
     "VkPhysicalDeviceFeatures::shaderInt64"},
    {spv::CapabilityInt16, "Int16", &ShaderFeatures::int16, 0,
     "VkPhysicalDeviceFeatures::shaderInt16"},
    {spv::CapabilityInt8, "Int8", &ShaderFeatures::int8, 0,
     "VkPhysicalDeviceShaderFloat16Int8Features::shaderInt8"},
    {spv::CapabilityFloat16, "Float16", &ShaderFeatures::float16, 0,
     "VkPhysicalDeviceShaderFloat16Int8Features::shaderFloat16"},
    {spv::CapabilityStorageBuffer16BitAccess, "StorageBuffer16BitAccess",
     &ShaderFeatures::storageBuffer16, 0,
     "VkPhysicalDevice16BitStorageFeatures::storageBuffer16BitAccess"},
    {spv::CapabilityUniformAndStorageBuffer16BitAccess, "UniformAndStorageBuffer16BitAccess",
     &ShaderFeatures::uniformAndStorageBuffer16, 0,
     "VkPhysicalDevice16BitStorageFeatures::uniformAndStorageBuffer16BitAccess"},
    {spv::CapabilityStoragePushConstant16, "StoragePushConstant16", &ShaderFeatures::pushConstant16,
     0, "VkPhysicalDevice16BitStorageFeatures::storagePushConstant16"},
    {spv::CapabilityStorageBuffer8BitAccess, "StorageBuffer8BitAccess",
     &ShaderFeatures::storageBuffer8, 0,
     "VkPhysicalDevice8BitStorageFeatures::storageBuffer8BitAccess"},
    {spv::CapabilityUniformAndStorageBuffer8BitAccess, "UniformAndStorageBuffer8BitAccess",
     &ShaderFeatures::uniformAndStorageBuffer8, 0,
     "VkPhysicalDevice8BitStorageFeatures::uniformAndStorageBuffer8BitAccess"},
    {spv::CapabilityStoragePushConstant8, "StoragePushConstant8", &ShaderFeatures::pushConstant8, 0,
     "VkPhysicalDevice8BitStorageFeatures::storagePushConstant8"},
    {spv::CapabilityGroupNonUniform, "GroupNonUniform", nullptr, VK_SUBGROUP_FEATURE_BASIC_BIT,
     "VK_SUBGROUP_FEATURE_BASIC_BIT in VkPhysicalDeviceSubgroupProperties::supportedOperations"},
    {spv::CapabilityGroupNonUniformVote, "GroupNonUniformVote", nullptr,
     VK_SUBGROUP_FEATURE_VOTE_BIT, "VK_SUBGROUP_FEATURE_VOTE_BIT in supportedOperations"},
    {spv::CapabilityGroupNonUniformArithmetic, "GroupNonUniformArithmetic", nullptr,
     VK_SUBGROUP_FEATURE_ARITHMETIC_BIT,
     "VK_SUBGROUP_FEATURE_ARITHMETIC_BIT in supportedOperations"},
    {spv::CapabilityGroupNonUniformBallot, "GroupNonUniformBallot", nullptr,
     VK_SUBGROUP_FEATURE_BALLOT_BIT, "VK_SUBGROUP_FEATURE_BALLOT_BIT in supportedOperations"},
    {spv::CapabilityGroupNonUniformShuffle, "GroupNonUniformShuffle", nullptr,
     VK_SUBGROUP_FEATURE_SHUFFLE_BIT, "VK_SUBGROUP_FEATURE_SHUFFLE_BIT in supportedOperations"},
    {spv::CapabilityGroupNonUniformShuffleRelative, "GroupNonUniformShuffleRelative", nullptr,
     VK_SUBGROUP_FEATURE_SHUFFLE_RELATIVE_BIT,
     "VK_SUBGROUP_FEATURE_SHUFFLE_RELATIVE_BIT in supportedOperations"},
    {spv::CapabilityGroupNonUniformClustered, "GroupNonUniformClustered", nullptr,
     VK_SUBGROUP_FEATURE_CLUSTERED_BIT, "VK_SUBGROUP_FEATURE_CLUSTERED_BIT in supportedOperations"},
    {spv::CapabilityGroupNonUniformQuad, "GroupNonUniformQuad", nullptr,
     VK_SUBGROUP_FEATURE_QUAD_BIT, "VK_SUBGROUP_FEATURE_QUAD_BIT in supportedOperations"},
};

}  // namespace

std::string missingShaderFeature(std::span<const uint32_t> words, const ShaderFeatures& enabled) {
  // OpCapability instructions come first, right after the 5-word header (section 2.4, "Logical
  // Layout of a Module"); the module was validated when it was created.
  for (size_t at = 5; at < words.size();) {
    const uint32_t count = words[at] >> 16, opcode = words[at] & 0xFFFF;
    if (count == 0 || at + count > words.size()) break;
    if (opcode != spv::OpCapability) {
      if (opcode != spv::OpExtension && opcode != spv::OpExtInstImport) break;
      at += count;
      continue;
    }
    if (count >= 2) {
      for (const Requirement& r : kRequirements) {
        if (words[at + 1] != static_cast<uint32_t>(r.capability)) continue;
        const bool allowed =
            r.feature ? enabled.*(r.feature) : (enabled.subgroupOperations & r.operation) != 0;
        if (!allowed)
          return std::string("capability ") + r.capabilityName + " needs " + r.needs +
                 (r.feature ? " enabled at vkCreateDevice" : " (not reported)");
      }
    }
    at += count;
  }
  return {};
}

}  // namespace emvk
