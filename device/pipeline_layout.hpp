// VkPipelineLayout: the set layouts a pipeline's shaders see (set n is sets()[n]) and the push
// constant ranges. It keeps the set layouts' slot tables, so a compute pipeline can map a shader's
// (set, binding) to a slot after the application destroyed the VkDescriptorSetLayouts.
#pragma once
#include <memory>
#include <vector>

#include "device/descriptor_set_layout.hpp"
#include "device/object.hpp"

namespace emvk {

class PipelineLayout : public Object {
 public:
  explicit PipelineLayout(const VkPipelineLayoutCreateInfo& info);

  uint32_t setCount() const { return static_cast<uint32_t>(sets_.size()); }
  const SlotTable& set(uint32_t index) const { return *sets_[index]; }
  const std::vector<VkPushConstantRange>& pushConstantRanges() const { return pushConstants_; }

 private:
  std::vector<std::shared_ptr<const SlotTable>> sets_;
  std::vector<VkPushConstantRange> pushConstants_;
};
EMVK_DEFINE_HANDLE(PipelineLayout, VkPipelineLayout, VK_OBJECT_TYPE_PIPELINE_LAYOUT)

}  // namespace emvk
