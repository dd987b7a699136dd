// VkDescriptorUpdateTemplate: a recipe for vkUpdateDescriptorSetWithTemplate, which reads each
// entry's descriptors from the application's data at `offset + i * stride`. Applying one is the
// same DescriptorSet::write that vkUpdateDescriptorSets uses, entry by entry.
#pragma once
#include <vector>

#include "device/object.hpp"

namespace emvk {

class DescriptorUpdateTemplate : public Object {
 public:
  explicit DescriptorUpdateTemplate(const VkDescriptorUpdateTemplateCreateInfo& info)
      : Object(VK_OBJECT_TYPE_DESCRIPTOR_UPDATE_TEMPLATE),
        entries_(info.pDescriptorUpdateEntries,
                 info.pDescriptorUpdateEntries + info.descriptorUpdateEntryCount) {}

  const std::vector<VkDescriptorUpdateTemplateEntry>& entries() const { return entries_; }

 private:
  std::vector<VkDescriptorUpdateTemplateEntry> entries_;
};
EMVK_DEFINE_HANDLE(DescriptorUpdateTemplate, VkDescriptorUpdateTemplate,
                   VK_OBJECT_TYPE_DESCRIPTOR_UPDATE_TEMPLATE)

}  // namespace emvk
