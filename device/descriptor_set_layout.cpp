#include "device/descriptor_set_layout.hpp"

#include <algorithm>

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"

namespace emvk {
namespace {

uint32_t maxPerSetDescriptors(const PhysicalDevice& physical) {
  VkPhysicalDeviceMaintenance3Properties maintenance3{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  physical.fillProperties(reinterpret_cast<VkBaseOutStructure*>(&maintenance3));
  return maintenance3.maxPerSetDescriptors;
}

}  // namespace

std::string descriptorTypeName(VkDescriptorType type) {
  static constexpr const char* kNames[kDescriptorTypeCount] = {
      "SAMPLER",
      "COMBINED_IMAGE_SAMPLER",
      "SAMPLED_IMAGE",
      "STORAGE_IMAGE",
      "UNIFORM_TEXEL_BUFFER",
      "STORAGE_TEXEL_BUFFER",
      "UNIFORM_BUFFER",
      "STORAGE_BUFFER",
      "UNIFORM_BUFFER_DYNAMIC",
      "STORAGE_BUFFER_DYNAMIC",
      "INPUT_ATTACHMENT",
  };
  return isCoreDescriptorType(type) ? kNames[type] : concat("descriptor type ", type);
}

const SlotTable::Binding* SlotTable::find(uint32_t binding) const {
  auto it = std::ranges::lower_bound(bindings, binding, {}, &Binding::binding);
  return it != bindings.end() && it->binding == binding ? &*it : nullptr;
}

Result<uint32_t> SlotTable::span(uint32_t binding, uint32_t element, uint32_t count) const {
  auto first = std::ranges::lower_bound(bindings, binding, {}, &Binding::binding);
  // VUID-VkWriteDescriptorSet-dstBinding-00315 and -00316
  // (VUID-VkCopyDescriptorSet-srcBinding-00345 and -dstBinding-00347 for copies): the binding
  // exists and has descriptors.
  if (first == bindings.end() || first->binding != binding)
    return Error{VK_ERROR_INITIALIZATION_FAILED,
                 concat("binding ", binding, " is not in the layout")};
  if (first->count == 0)
    return Error{VK_ERROR_INITIALIZATION_FAILED,
                 concat("binding ", binding, " has no descriptors (descriptorCount 0)")};
  const uint64_t begin = uint64_t{first->firstSlot} + element;
  const uint64_t end = begin + count;
  // VUID-VkWriteDescriptorSet-dstArrayElement-00321
  // (VUID-VkCopyDescriptorSet-srcArrayElement-00346, -dstArrayElement-00348): the update fits in
  // the binding and the ones it spills into.
  if (end > slotCount)
    return Error{VK_ERROR_INITIALIZATION_FAILED,
                 concat("elements [", element, ", ", uint64_t{element} + count, ") of binding ",
                        binding, " run past the end of the set")};
  // VUID-VkWriteDescriptorSet-descriptorCount-00317: the bindings an update spills into have the
  // type and stages of the first (bindings without descriptors are skipped).
  for (auto next = first + 1; next != bindings.end() && next->firstSlot < end; ++next)
    if (next->count && (next->type != first->type || next->stages != first->stages))
      return Error{VK_ERROR_INITIALIZATION_FAILED,
                   concat("the update spills from binding ", binding, " into binding ",
                          next->binding, ", which differs in descriptor type or stages")};
  return static_cast<uint32_t>(begin);
}

Result<SlotTable> buildSlotTable(const PhysicalDevice& physical,
                                 const VkDescriptorSetLayoutCreateInfo& info) {
  // PUSH_DESCRIPTOR (VK_KHR_push_descriptor) and UPDATE_AFTER_BIND_POOL (descriptor indexing) come
  // from extensions emvk does not offer (VUID-VkDescriptorSetLayoutCreateInfo-flags-parameter).
  if (info.flags)
    return Error{VK_ERROR_FEATURE_NOT_PRESENT,
                 concat("flags 0x", std::hex, info.flags, " need extensions emvk does not offer")};
  SlotTable table;
  table.bindings.reserve(info.bindingCount);
  uint64_t total = 0;
  for (uint32_t i = 0; i < info.bindingCount; ++i) {
    const VkDescriptorSetLayoutBinding& b = info.pBindings[i];
    if (!isCoreDescriptorType(b.descriptorType))
      return Error{VK_ERROR_FEATURE_NOT_PRESENT,
                   concat("binding ", b.binding, ": ", descriptorTypeName(b.descriptorType),
                          " needs an extension emvk does not offer")};
    // VUID-VkDescriptorSetLayoutBinding-descriptorType-00282: immutable samplers are VkSamplers,
    // and emvk cannot make one yet (no vkCreateSampler).
    const bool samplerType = b.descriptorType == VK_DESCRIPTOR_TYPE_SAMPLER ||
                             b.descriptorType == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    if (samplerType && b.descriptorCount && b.pImmutableSamplers)
      return Error{VK_ERROR_FEATURE_NOT_PRESENT,
                   concat("binding ", b.binding,
                          ": immutable samplers need vkCreateSampler, which emvk does not "
                          "implement yet")};
    table.bindings.push_back({b.binding, b.descriptorType, b.descriptorCount, b.stageFlags, 0, 0});
    total += b.descriptorCount;
  }
  std::ranges::sort(table.bindings, {}, &SlotTable::Binding::binding);
  // VUID-VkDescriptorSetLayoutCreateInfo-binding-00279: binding numbers are unique.
  auto twice = std::ranges::adjacent_find(table.bindings, {}, &SlotTable::Binding::binding);
  if (twice != table.bindings.end())
    return Error{VK_ERROR_INITIALIZATION_FAILED,
                 concat("binding ", twice->binding, " appears more than once")};
  // vkGetDescriptorSetLayoutSupport draws the line at maxPerSetDescriptors; creation refuses the
  // same layouts so the two never give different answers.
  if (const uint32_t max = maxPerSetDescriptors(physical); total > max)
    return Error{VK_ERROR_OUT_OF_HOST_MEMORY,
                 concat(total, " descriptors exceed maxPerSetDescriptors (", max, ")")};

  for (SlotTable::Binding& b : table.bindings) {
    b.firstSlot = table.slotCount;
    table.slotCount += b.count;
    if (isDynamicDescriptor(b.type)) {
      b.firstDynamic = table.dynamicCount;
      table.dynamicCount += b.count;
    }
    table.counts[b.type] += b.count;
  }
  return table;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL
emvk_CreateDescriptorSetLayout(VkDevice device, const VkDescriptorSetLayoutCreateInfo* pCreateInfo,
                               const VkAllocationCallbacks*, VkDescriptorSetLayout* pSetLayout) {
  Device* d = fromHandle(device);
  Result<SlotTable> table = buildSlotTable(d->physicalDevice(), *pCreateInfo);
  if (!table) {
    EMVK_LOG(&d->instance(), Error, logObject(d),
             "vkCreateDescriptorSetLayout: ", table.error().why);
    return table.error().code;
  }
  *pSetLayout = release<VkDescriptorSetLayout>(
      std::make_unique<DescriptorSetLayout>(std::make_shared<const SlotTable>(table.take())));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyDescriptorSetLayout(VkDevice,
                                                           VkDescriptorSetLayout setLayout,
                                                           const VkAllocationCallbacks*) {
  reclaim(setLayout);  // sets and pipeline layouts made with it keep its table
}

VKAPI_ATTR void VKAPI_CALL emvk_GetDescriptorSetLayoutSupport(
    VkDevice device, const VkDescriptorSetLayoutCreateInfo* pCreateInfo,
    VkDescriptorSetLayoutSupport* pSupport) {
  Result<SlotTable> table = buildSlotTable(fromHandle(device)->physicalDevice(), *pCreateInfo);
  pSupport->supported = table.ok() ? VK_TRUE : VK_FALSE;
  if (!table)  // not an error: asking is how an application finds out
    EMVK_LOG(&fromHandle(device)->instance(), Info, logObject(fromHandle(device)),
             "vkGetDescriptorSetLayoutSupport: not supported: ", table.error().why);
}
