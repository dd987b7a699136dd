// Features: what emvk reports in each feature structure, and the check at vkCreateDevice that an
// application asks only for what is there (VK_ERROR_FEATURE_NOT_PRESENT otherwise).
#include <cstring>

#include "device/physical_device.hpp"
#include "icd/registry.hpp"

namespace emvk {
namespace {

// One feature structure emvk knows: its size and how to fill it. Every feature structure is a
// header (sType, pNext) followed only by VkBool32 members, which is what the check relies on.
struct FeatureStruct {
  VkStructureType sType;
  size_t size;
  void (*fill)(const PhysicalDevice&, void*);
};

constexpr size_t kHeader = sizeof(VkBaseOutStructure);

template <class T> constexpr FeatureStruct allFalse(VkStructureType sType) {
  return {sType, sizeof(T), [](const PhysicalDevice&, void* s) {
            std::memset(static_cast<char*>(s) + kHeader, 0, sizeof(T) - kHeader);
          }};
}

const FeatureStruct kFeatureStructs[] = {
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, sizeof(VkPhysicalDeviceFeatures2),
     [](const PhysicalDevice& pd, void* s) {
       static_cast<VkPhysicalDeviceFeatures2*>(s)->features = pd.features();
     }},
    // Multiview is a property of render passes, which emvk creates (device/render_pass.cpp);
    // without graphics queues there is nothing more to it.
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_FEATURES, sizeof(VkPhysicalDeviceMultiviewFeatures),
     [](const PhysicalDevice&, void* s) {
       auto* f = static_cast<VkPhysicalDeviceMultiviewFeatures*>(s);
       f->multiview = VK_TRUE;
       f->multiviewGeometryShader = VK_FALSE;
       f->multiviewTessellationShader = VK_FALSE;
     }},
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES,
     sizeof(VkPhysicalDeviceTimelineSemaphoreFeatures),
     [](const PhysicalDevice&, void* s) {
       static_cast<VkPhysicalDeviceTimelineSemaphoreFeatures*>(s)->timelineSemaphore = VK_TRUE;
     }},
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYNCHRONIZATION_2_FEATURES,
     sizeof(VkPhysicalDeviceSynchronization2Features),
     [](const PhysicalDevice&, void* s) {
       static_cast<VkPhysicalDeviceSynchronization2Features*>(s)->synchronization2 = VK_TRUE;
     }},
    {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_HOST_QUERY_RESET_FEATURES,
     sizeof(VkPhysicalDeviceHostQueryResetFeatures),
     [](const PhysicalDevice&, void* s) {
       static_cast<VkPhysicalDeviceHostQueryResetFeatures*>(s)->hostQueryReset = VK_TRUE;
     }},
    // Core 1.1 structures whose features all need shaders or images.
    allFalse<VkPhysicalDevice16BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES),
    allFalse<VkPhysicalDeviceVariablePointersFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VARIABLE_POINTERS_FEATURES),
    allFalse<VkPhysicalDeviceProtectedMemoryFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROTECTED_MEMORY_FEATURES),
    allFalse<VkPhysicalDeviceSamplerYcbcrConversionFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SAMPLER_YCBCR_CONVERSION_FEATURES),
    allFalse<VkPhysicalDeviceShaderDrawParametersFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_DRAW_PARAMETERS_FEATURES),
};

const FeatureStruct* findFeatureStruct(VkStructureType sType) {
  for (const auto& f : kFeatureStructs)
    if (f.sType == sType) return &f;
  return nullptr;
}

// Index of the first VkBool32 set in `requested` but not in `supported`, or -1.
int firstMissing(const void* requested, const void* supported, size_t size) {
  auto* r = reinterpret_cast<const VkBool32*>(static_cast<const char*>(requested) + kHeader);
  auto* s = reinterpret_cast<const VkBool32*>(static_cast<const char*>(supported) + kHeader);
  for (size_t i = 0; i < (size - kHeader) / sizeof(VkBool32); ++i)
    if (r[i] && !s[i]) return static_cast<int>(i);
  return -1;
}

}  // namespace

void PhysicalDevice::fillFeatures(VkBaseOutStructure* chain) const {
  for (auto* s = chain; s; s = s->pNext)
    if (const FeatureStruct* f = findFeatureStruct(s->sType)) f->fill(*this, s);
}

bool PhysicalDevice::supportsRequestedFeatures(const VkDeviceCreateInfo& info,
                                               std::string& missing) const {
  alignas(8) unsigned char supported[512];
  auto check = [&](const void* requested, const FeatureStruct& f) {
    std::memset(supported, 0, sizeof(supported));
    f.fill(*this, supported);
    int i = firstMissing(requested, supported, f.size);
    if (i < 0) return true;
    const char* name = structureTypeName(f.sType);
    missing = concat(name ? name : "feature structure", " member #", i);
    return false;
  };
  if (info.pEnabledFeatures) {
    VkPhysicalDeviceFeatures2 wrapped{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    wrapped.features = *info.pEnabledFeatures;
    if (!check(&wrapped, *findFeatureStruct(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2))) return false;
  }
  for (auto* s = static_cast<const VkBaseInStructure*>(info.pNext); s; s = s->pNext) {
    const FeatureStruct* f = findFeatureStruct(s->sType);
    if (f && !check(s, *f)) return false;
  }
  return true;
}

}  // namespace emvk
