// Features: what emvk reports in each feature structure, and the check at vkCreateDevice that an
// application asks only for what is there (VK_ERROR_FEATURE_NOT_PRESENT otherwise).
#include <cstring>

#include "device/physical_device.hpp"
#include "icd/registry.hpp"

namespace emvk {
namespace {

// One feature structure emvk fills. How many VkBool32 it holds and their names come from vk.xml
// (icd/gen_registry.py), so the check below can compare them one by one and name what is missing.
struct FeatureStruct {
  VkStructureType sType;
  void (*fill)(const PhysicalDevice&, void*);
};

constexpr size_t kHeader = sizeof(VkBaseOutStructure);

template <class T>
constexpr FeatureStruct allFalse(VkStructureType sType) {
  return {sType, [](const PhysicalDevice&, void* s) {
            std::memset(static_cast<char*>(s) + kHeader, 0, sizeof(T) - kHeader);
          }};
}

const FeatureStruct kFeatureStructs[] = {
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
     [](const PhysicalDevice& pd, void* s) {
       static_cast<VkPhysicalDeviceFeatures2*>(s)->features = pd.features();
     }},
    // Multiview is a property of render passes, which emvk creates (device/render_pass.cpp);
    // without graphics queues there is nothing more to it.
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_FEATURES,
     [](const PhysicalDevice&, void* s) {
       auto* f = static_cast<VkPhysicalDeviceMultiviewFeatures*>(s);
       f->multiview = VK_TRUE;
       f->multiviewGeometryShader = VK_FALSE;
       f->multiviewTessellationShader = VK_FALSE;
     }},
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES,
     [](const PhysicalDevice&, void* s) {
       static_cast<VkPhysicalDeviceTimelineSemaphoreFeatures*>(s)->timelineSemaphore = VK_TRUE;
     }},
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES,
     [](const PhysicalDevice&, void* s) {
       static_cast<VkPhysicalDeviceSynchronization2Features*>(s)->synchronization2 = VK_TRUE;
     }},
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_HOST_QUERY_RESET_FEATURES,
     [](const PhysicalDevice&, void* s) {
       static_cast<VkPhysicalDeviceHostQueryResetFeatures*>(s)->hostQueryReset = VK_TRUE;
     }},
    // 8- and 16-bit types in buffers and push constants: the JIT loads and stores them like any
    // scalar (jit/translator_memory.cpp). Compute shaders have no Input/Output interface.
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
     [](const PhysicalDevice&, void* s) {
       auto* f = static_cast<VkPhysicalDevice16BitStorageFeatures*>(s);
       f->storageBuffer16BitAccess = VK_TRUE;
       f->uniformAndStorageBuffer16BitAccess = VK_TRUE;
       f->storagePushConstant16 = VK_TRUE;
       f->storageInputOutput16 = VK_FALSE;
     }},
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES,
     [](const PhysicalDevice&, void* s) {
       auto* f = static_cast<VkPhysicalDevice8BitStorageFeatures*>(s);
       f->storageBuffer8BitAccess = VK_TRUE;
       f->uniformAndStorageBuffer8BitAccess = VK_TRUE;
       f->storagePushConstant8 = VK_TRUE;
     }},
    // 16-bit float and 8-bit integer arithmetic (half and i8 in the JIT, jit/types.hpp).
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES,
     [](const PhysicalDevice&, void* s) {
       auto* f = static_cast<VkPhysicalDeviceShaderFloat16Int8Features*>(s);
       f->shaderFloat16 = VK_TRUE;
       f->shaderInt8 = VK_TRUE;
     }},
    // Subgroup operations on 8/16/64-bit integers, half and double: the lanes' operations do
    // not care about the element type (jit/translator_subgroup.cpp; tests/jit/subgroup_types.comp).
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_SUBGROUP_EXTENDED_TYPES_FEATURES,
     [](const PhysicalDevice&, void* s) {
       static_cast<VkPhysicalDeviceShaderSubgroupExtendedTypesFeatures*>(s)
           ->shaderSubgroupExtendedTypes = VK_TRUE;
     }},
    // Every buffer access is checked per scalar against the descriptor's exact range, and reads
    // outside it give 0 (jit/translator_memory.cpp), so robustBufferAccess2 costs nothing more;
    // null buffer and texel buffer descriptors have no range. Images in shaders do not exist yet,
    // so robustImageAccess2 is not claimed.
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT,
     [](const PhysicalDevice&, void* s) {
       auto* f = static_cast<VkPhysicalDeviceRobustness2FeaturesEXT*>(s);
       f->robustBufferAccess2 = VK_TRUE;
       f->robustImageAccess2 = VK_FALSE;
       f->nullDescriptor = VK_TRUE;
     }},
    // Core 1.1 structures whose features all need shaders or images.
    allFalse<VkPhysicalDeviceVariablePointersFeatures>(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VARIABLE_POINTERS_FEATURES),
    allFalse<VkPhysicalDeviceProtectedMemoryFeatures>(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROTECTED_MEMORY_FEATURES),
    allFalse<VkPhysicalDeviceSamplerYcbcrConversionFeatures>(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SAMPLER_YCBCR_CONVERSION_FEATURES),
    allFalse<VkPhysicalDeviceShaderDrawParametersFeatures>(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_DRAW_PARAMETERS_FEATURES),
};

const FeatureStruct* findFeatureStruct(VkStructureType sType) {
  for (const auto& f : kFeatureStructs)
    if (f.sType == sType) return &f;
  return nullptr;
}

// The name of the first VkBool32 set in `requested` but not in `supported`, or null.
const char* firstMissing(VkStructureType sType, const void* requested, const void* supported) {
  auto* r = reinterpret_cast<const VkBool32*>(static_cast<const char*>(requested) + kHeader);
  auto* s = reinterpret_cast<const VkBool32*>(static_cast<const char*>(supported) + kHeader);
  auto members = featureMembers(sType);
  for (size_t i = 0; i < members.size(); ++i)
    if (r[i] && !s[i]) return members[i];
  return nullptr;
}

}  // namespace

void PhysicalDevice::fillFeatures(VkBaseOutStructure* chain) const {
  for (auto* s = chain; s; s = s->pNext)
    if (fillFeatureStruct(s) && profile_) profile_->maskFeatures(s);
}

bool PhysicalDevice::fillFeatureStruct(VkBaseOutStructure* s) const {
  const FeatureStruct* f = findFeatureStruct(s->sType);
  if (f) f->fill(*this, s);
  return f != nullptr;
}

bool PhysicalDevice::supportsRequestedFeatures(const VkDeviceCreateInfo& info, std::string& missing,
                                               bool& removedByProfile) const {
  alignas(8) unsigned char supported[512];
  auto check = [&](const void* requested, const FeatureStruct& f) {
    std::memset(supported, 0, sizeof(supported));
    f.fill(*this, supported);
    const char* name = structureTypeName(f.sType);
    const char* member = firstMissing(f.sType, requested, supported);
    removedByProfile = false;
    if (!member && profile_) {
      // Section "Device Creation": a feature the device does not report (here: the profile does
      // not list it) makes vkCreateDevice fail with VK_ERROR_FEATURE_NOT_PRESENT.
      reinterpret_cast<VkBaseOutStructure*>(supported)->sType = f.sType;
      profile_->maskFeatures(reinterpret_cast<VkBaseOutStructure*>(supported));
      member = firstMissing(f.sType, requested, supported);
      removedByProfile = member != nullptr;
    }
    if (!member) return true;
    missing = concat(name ? name : "feature structure", "::", member);
    return false;
  };
  if (info.pEnabledFeatures) {
    VkPhysicalDeviceFeatures2 wrapped{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    wrapped.features = *info.pEnabledFeatures;
    if (!check(&wrapped, *findFeatureStruct(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2)))
      return false;
  }
  for (auto* s = static_cast<const VkBaseInStructure*>(info.pNext); s; s = s->pNext) {
    const FeatureStruct* f = findFeatureStruct(s->sType);
    if (f && !check(s, *f)) return false;
  }
  return true;
}

}  // namespace emvk
