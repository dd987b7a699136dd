#include "device/descriptor_update_template.hpp"

#include "device/descriptor_set.hpp"
#include "device/descriptor_set_layout.hpp"
#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"

namespace emvk {
namespace {

// Why emvk cannot make this template, or "" when it can. The entries are checked against the
// layout now, so that applying the template later can only fail on the data it is given.
std::string whyRefused(const VkDescriptorUpdateTemplateCreateInfo& info) {
  // PUSH_DESCRIPTORS_KHR needs VK_KHR_push_descriptor, which emvk does not offer
  // (VUID-VkDescriptorUpdateTemplateCreateInfo-templateType-parameter).
  if (info.templateType != VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET)
    return concat("template type ", info.templateType, " needs an extension emvk does not offer");
  const SlotTable& table = fromHandle(info.descriptorSetLayout)->table();
  for (uint32_t i = 0; i < info.descriptorUpdateEntryCount; ++i) {
    const VkDescriptorUpdateTemplateEntry& e = info.pDescriptorUpdateEntries[i];
    if (e.descriptorCount == 0) continue;
    // VUID-VkDescriptorUpdateTemplateEntry-dstBinding-00354 and -dstArrayElement-00355.
    Result<uint32_t> first = table.span(e.dstBinding, e.dstArrayElement, e.descriptorCount);
    if (!first) return concat("entry ", i, ": ", first.error().why);
    // The entry writes descriptors, so VUID-VkWriteDescriptorSet-descriptorType-00319 holds too.
    if (const VkDescriptorType type = table.find(e.dstBinding)->type; type != e.descriptorType)
      return concat("entry ", i, ": ", descriptorTypeName(e.descriptorType),
                    " does not match binding ", e.dstBinding, ", which is ",
                    descriptorTypeName(type));
  }
  return {};
}

}  // namespace
}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateDescriptorUpdateTemplate(
    VkDevice device, const VkDescriptorUpdateTemplateCreateInfo* pCreateInfo,
    const VkAllocationCallbacks*, VkDescriptorUpdateTemplate* pDescriptorUpdateTemplate) {
  if (std::string why = whyRefused(*pCreateInfo); !why.empty()) {
    EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(fromHandle(device)),
             "vkCreateDescriptorUpdateTemplate: ", why);
    return VK_ERROR_INITIALIZATION_FAILED;
  }
  *pDescriptorUpdateTemplate =
      release<VkDescriptorUpdateTemplate>(std::make_unique<DescriptorUpdateTemplate>(*pCreateInfo));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyDescriptorUpdateTemplate(
    VkDevice, VkDescriptorUpdateTemplate descriptorUpdateTemplate, const VkAllocationCallbacks*) {
  reclaim(descriptorUpdateTemplate);
}

VKAPI_ATTR void VKAPI_CALL emvk_UpdateDescriptorSetWithTemplate(
    VkDevice device, VkDescriptorSet descriptorSet,
    VkDescriptorUpdateTemplate descriptorUpdateTemplate, const void* pData) {
  DescriptorSet* set = fromHandle(descriptorSet);
  const auto* data = static_cast<const uint8_t*>(pData);
  std::string why;
  const std::vector<VkDescriptorUpdateTemplateEntry>& entries =
      fromHandle(descriptorUpdateTemplate)->entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    const VkDescriptorUpdateTemplateEntry& e = entries[i];
    const DescriptorWrite write{e.dstBinding,     e.dstArrayElement, e.descriptorCount,
                                e.descriptorType, data + e.offset,   e.stride};
    if (!set->write(write, why))
      EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(set),
               "vkUpdateDescriptorSetWithTemplate: entry ", i, " refused: ", why);
  }
}
