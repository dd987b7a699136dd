#include "device/pipeline_layout.hpp"

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"

namespace emvk {
namespace {

constexpr uint32_t bit(VkDescriptorType type) { return 1u << type; }

// One limit on the descriptors a pipeline layout may give its shaders: of the types in `types`,
// at most `limit` per shader stage (`perStage`) or over all stages together.
struct DescriptorLimit {
  uint32_t types;
  uint32_t VkPhysicalDeviceLimits::*limit;
  const char* name;
  bool perStage;
};

// VUID-VkPipelineLayoutCreateInfo-descriptorType-03016 to -03021 (per stage) and -03028 to -03035
// (all stages), in that order.
constexpr DescriptorLimit kDescriptorLimits[] = {
    {bit(VK_DESCRIPTOR_TYPE_SAMPLER) | bit(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER),
     &VkPhysicalDeviceLimits::maxPerStageDescriptorSamplers, "maxPerStageDescriptorSamplers", true},
    {bit(VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER) | bit(VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC),
     &VkPhysicalDeviceLimits::maxPerStageDescriptorUniformBuffers,
     "maxPerStageDescriptorUniformBuffers", true},
    {bit(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER) | bit(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC),
     &VkPhysicalDeviceLimits::maxPerStageDescriptorStorageBuffers,
     "maxPerStageDescriptorStorageBuffers", true},
    {bit(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER) | bit(VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE) |
         bit(VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
     &VkPhysicalDeviceLimits::maxPerStageDescriptorSampledImages,
     "maxPerStageDescriptorSampledImages", true},
    {bit(VK_DESCRIPTOR_TYPE_STORAGE_IMAGE) | bit(VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER),
     &VkPhysicalDeviceLimits::maxPerStageDescriptorStorageImages,
     "maxPerStageDescriptorStorageImages", true},
    {bit(VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT),
     &VkPhysicalDeviceLimits::maxPerStageDescriptorInputAttachments,
     "maxPerStageDescriptorInputAttachments", true},
    {bit(VK_DESCRIPTOR_TYPE_SAMPLER) | bit(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER),
     &VkPhysicalDeviceLimits::maxDescriptorSetSamplers, "maxDescriptorSetSamplers", false},
    {bit(VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER),
     &VkPhysicalDeviceLimits::maxDescriptorSetUniformBuffers, "maxDescriptorSetUniformBuffers",
     false},
    {bit(VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC),
     &VkPhysicalDeviceLimits::maxDescriptorSetUniformBuffersDynamic,
     "maxDescriptorSetUniformBuffersDynamic", false},
    {bit(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER),
     &VkPhysicalDeviceLimits::maxDescriptorSetStorageBuffers, "maxDescriptorSetStorageBuffers",
     false},
    {bit(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC),
     &VkPhysicalDeviceLimits::maxDescriptorSetStorageBuffersDynamic,
     "maxDescriptorSetStorageBuffersDynamic", false},
    {bit(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER) | bit(VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE) |
         bit(VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER),
     &VkPhysicalDeviceLimits::maxDescriptorSetSampledImages, "maxDescriptorSetSampledImages",
     false},
    {bit(VK_DESCRIPTOR_TYPE_STORAGE_IMAGE) | bit(VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER),
     &VkPhysicalDeviceLimits::maxDescriptorSetStorageImages, "maxDescriptorSetStorageImages",
     false},
    {bit(VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT),
     &VkPhysicalDeviceLimits::maxDescriptorSetInputAttachments, "maxDescriptorSetInputAttachments",
     false},
};

// Descriptors of `types` visible to any stage in `stages`, over every set layout. Bindings no
// stage can see count for nothing.
uint64_t countDescriptors(const VkPipelineLayoutCreateInfo& info, uint32_t types,
                          VkShaderStageFlags stages) {
  uint64_t n = 0;
  for (uint32_t s = 0; s < info.setLayoutCount; ++s)
    for (const SlotTable::Binding& b : fromHandle(info.pSetLayouts[s])->table().bindings)
      if ((b.stages & stages) && (types & bit(b.type))) n += b.count;
  return n;
}

std::string whyDescriptorsRefused(const VkPhysicalDeviceLimits& limits,
                                  const VkPipelineLayoutCreateInfo& info) {
  for (const DescriptorLimit& l : kDescriptorLimits) {
    const uint32_t max = limits.*l.limit;
    if (!l.perStage) {
      if (uint64_t n = countDescriptors(info, l.types, ~0u); n > max)
        return concat(n, " descriptors exceed ", l.name, " (", max, ")");
      continue;
    }
    for (uint32_t stageBit = 0; stageBit < 32; ++stageBit)
      if (uint64_t n = countDescriptors(info, l.types, 1u << stageBit); n > max)
        return concat(n, " descriptors for shader stage 0x", std::hex, 1u << stageBit, std::dec,
                      " exceed ", l.name, " (", max, ")");
  }
  return {};
}

std::string whyPushConstantsRefused(const VkPhysicalDeviceLimits& limits,
                                    const VkPipelineLayoutCreateInfo& info) {
  VkShaderStageFlags seen = 0;
  for (uint32_t i = 0; i < info.pushConstantRangeCount; ++i) {
    const VkPushConstantRange& r = info.pPushConstantRanges[i];
    // VUID-VkPushConstantRange-offset-00294, -00295, -size-00296, -00297 and -00298.
    if (r.offset % 4 || r.size % 4 || r.size == 0 || r.offset >= limits.maxPushConstantsSize ||
        r.size > limits.maxPushConstantsSize - r.offset)
      return concat("push constant range ", i, " [", r.offset, ", +", r.size,
                    ") is not a non-empty range of whole words inside maxPushConstantsSize (",
                    limits.maxPushConstantsSize, ")");
    // VUID-VkPushConstantRange-stageFlags-requiredbitmask and
    // VUID-VkPipelineLayoutCreateInfo-pPushConstantRanges-00292: each stage in one range at most.
    if (r.stageFlags == 0 || (r.stageFlags & seen))
      return concat("push constant range ", i, " has no stage or shares a stage with another");
    seen |= r.stageFlags;
  }
  return {};
}

// Why emvk cannot make this layout, or "" when it can.
std::string whyRefused(const VkPhysicalDeviceLimits& limits,
                       const VkPipelineLayoutCreateInfo& info) {
  // VUID-VkPipelineLayoutCreateInfo-setLayoutCount-00286.
  if (info.setLayoutCount > limits.maxBoundDescriptorSets)
    return concat(info.setLayoutCount, " set layouts exceed maxBoundDescriptorSets (",
                  limits.maxBoundDescriptorSets, ")");
  // VUID-VkPipelineLayoutCreateInfo-graphicsPipelineLibrary-06753: no null set layouts.
  for (uint32_t s = 0; s < info.setLayoutCount; ++s)
    if (!info.pSetLayouts[s]) return concat("set layout ", s, " is VK_NULL_HANDLE");
  if (std::string why = whyDescriptorsRefused(limits, info); !why.empty()) return why;
  return whyPushConstantsRefused(limits, info);
}

}  // namespace

PipelineLayout::PipelineLayout(const VkPipelineLayoutCreateInfo& info)
    : Object(VK_OBJECT_TYPE_PIPELINE_LAYOUT),
      pushConstants_(info.pPushConstantRanges,
                     info.pPushConstantRanges + info.pushConstantRangeCount) {
  for (uint32_t s = 0; s < info.setLayoutCount; ++s)
    sets_.push_back(fromHandle(info.pSetLayouts[s])->sharedTable());
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL
emvk_CreatePipelineLayout(VkDevice device, const VkPipelineLayoutCreateInfo* pCreateInfo,
                          const VkAllocationCallbacks*, VkPipelineLayout* pPipelineLayout) {
  Device* d = fromHandle(device);
  const VkPhysicalDeviceLimits& limits = d->physicalDevice().properties().limits;
  if (std::string why = whyRefused(limits, *pCreateInfo); !why.empty()) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreatePipelineLayout: ", why);
    return VK_ERROR_INITIALIZATION_FAILED;
  }
  *pPipelineLayout = release<VkPipelineLayout>(std::make_unique<PipelineLayout>(*pCreateInfo));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyPipelineLayout(VkDevice, VkPipelineLayout pipelineLayout,
                                                      const VkAllocationCallbacks*) {
  reclaim(pipelineLayout);
}
