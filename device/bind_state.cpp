// vkCmdBindDescriptorSets and vkCmdPushConstants: they change the command buffer's
// ComputeBindState at record time (device/bind_state.hpp says why nothing is recorded).
#include "device/bind_state.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "device/buffer.hpp"
#include "device/command_buffer.hpp"
#include "device/descriptor_set.hpp"
#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/pipeline_layout.hpp"

namespace emvk {

BufferRange BoundSet::buffer(uint32_t binding, uint32_t element) const {
  if (!set) return {};
  const SlotTable::Binding* b = set->table().find(binding);
  if (!b || element >= b->count) return {};
  const auto* slot = std::get_if<BufferSlot>(&set->slots()[b->firstSlot + element]);
  if (!slot || !slot->buffer) return {};  // a null descriptor (nullDescriptor): an empty range
  VkDeviceSize offset = slot->offset;
  if (isDynamicDescriptor(b->type)) offset += dynamicOffsets[b->firstDynamic + element];
  return {slot->buffer->data() + offset, slot->range};
}

BufferRange BoundSet::texelBuffer(uint32_t binding, uint32_t element) const {
  if (!set) return {};
  const SlotTable::Binding* b = set->table().find(binding);
  if (!b || element >= b->count) return {};
  const auto* slot = std::get_if<TexelBufferSlot>(&set->slots()[b->firstSlot + element]);
  if (!slot || !slot->view) return {};
  return {slot->view->data(), slot->view->range(), slot->view->format()};
}

namespace {

// Why the dynamic offsets of `set` are refused, or "". `offsets` has one per dynamic descriptor.
std::string whyOffsetsRefused(const VkPhysicalDeviceLimits& limits, const DescriptorSet& set,
                              std::span<const uint32_t> offsets) {
  for (const SlotTable::Binding& b : set.table().bindings) {
    if (!isDynamicDescriptor(b.type)) continue;
    const bool uniform = b.type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
    const VkDeviceSize alignment =
        uniform ? limits.minUniformBufferOffsetAlignment : limits.minStorageBufferOffsetAlignment;
    for (uint32_t i = 0; i < b.count; ++i) {
      const uint32_t offset = offsets[b.firstDynamic + i];
      // VUID-vkCmdBindDescriptorSets-pDynamicOffsets-01971 and -01972.
      if (offset % alignment)
        return concat(
            "dynamic offset ", offset, " of binding ", b.binding, "[", i, "] is not a multiple of ",
            uniform ? "minUniformBufferOffsetAlignment" : "minStorageBufferOffsetAlignment", " (",
            alignment, ")");
      // VUID-vkCmdBindDescriptorSets-pDescriptorSets-01979 (and -06715, since a VK_WHOLE_SIZE
      // range already reaches the end): the range stays inside the buffer. An unwritten
      // descriptor has nothing to check; a shader must not use it.
      const auto* slot = std::get_if<BufferSlot>(&set.slots()[b.firstSlot + i]);
      if (slot && slot->buffer && slot->offset + offset + slot->range > slot->buffer->size())
        return concat("binding ", b.binding, "[", i, "]: offset ", slot->offset,
                      " + dynamic offset ", offset, " + range ", slot->range,
                      " runs past the buffer's ", slot->buffer->size(), " bytes");
    }
  }
  return {};
}

// Why the bind is refused, or "". Everything is checked before anything is bound, so a refused
// bind leaves the state as it was.
std::string whyBindRefused(const VkPhysicalDeviceLimits& limits, VkPipelineBindPoint bindPoint,
                           const PipelineLayout& layout, uint32_t firstSet,
                           std::span<const VkDescriptorSet> sets,
                           std::span<const uint32_t> dynamicOffsets) {
  // VUID-vkCmdBindDescriptorSets-pipelineBindPoint-00361: emvk's one queue family has no graphics.
  if (bindPoint != VK_PIPELINE_BIND_POINT_COMPUTE)
    return concat("bind point ", bindPoint, " is not COMPUTE, the only one emvk's queues support");
  // VUID-vkCmdBindDescriptorSets-firstSet-00360 (and the layout holds at most
  // maxBoundDescriptorSets, which the bind state has room for).
  if (uint64_t{firstSet} + sets.size() > layout.setCount() ||
      firstSet + sets.size() > ComputeBindState::kMaxSets)
    return concat("sets [", firstSet, ", ", uint64_t{firstSet} + sets.size(),
                  ") are not all in the pipeline layout's ", layout.setCount());
  size_t needed = 0;
  for (VkDescriptorSet handle : sets)
    if (handle) needed += fromHandle(handle)->table().dynamicCount;
  // VUID-vkCmdBindDescriptorSets-dynamicOffsetCount-00359.
  if (needed != dynamicOffsets.size())
    return concat(dynamicOffsets.size(), " dynamic offsets for ", needed,
                  " dynamic descriptors in the sets");
  size_t consumed = 0;
  for (size_t i = 0; i < sets.size(); ++i) {
    if (!sets[i]) continue;
    const DescriptorSet& set = *fromHandle(sets[i]);
    const uint32_t count = set.table().dynamicCount;
    if (count > BoundSet::kMaxDynamicOffsets)
      return concat("set ", firstSet + i, " has ", count,
                    " dynamic descriptors; the bind state holds ", BoundSet::kMaxDynamicOffsets);
    if (std::string why = whyOffsetsRefused(limits, set, dynamicOffsets.subspan(consumed, count));
        !why.empty())
      return concat("set ", firstSet + i, ": ", why);
    consumed += count;
  }
  return {};
}

}  // namespace
}  // namespace emvk

using namespace emvk;

VKAPI_ATTR void VKAPI_CALL emvk_CmdBindDescriptorSets(
    VkCommandBuffer commandBuffer, VkPipelineBindPoint pipelineBindPoint, VkPipelineLayout layout,
    uint32_t firstSet, uint32_t descriptorSetCount, const VkDescriptorSet* pDescriptorSets,
    uint32_t dynamicOffsetCount, const uint32_t* pDynamicOffsets) {
  CommandBuffer* cb = fromHandle(commandBuffer);
  const std::span<const VkDescriptorSet> sets(pDescriptorSets, descriptorSetCount);
  const std::span<const uint32_t> offsets(pDynamicOffsets, dynamicOffsetCount);
  const VkPhysicalDeviceLimits& limits = cb->device().physicalDevice().properties().limits;
  if (std::string why =
          whyBindRefused(limits, pipelineBindPoint, *fromHandle(layout), firstSet, sets, offsets);
      !why.empty()) {
    EMVK_LOG(&cb->device().instance(), Error, logObject(cb),
             "vkCmdBindDescriptorSets: refused, nothing bound: ", why);
    return;
  }
  // Dynamic offsets are consumed set by set, each set's in its binding order.
  size_t consumed = 0;
  for (size_t i = 0; i < sets.size(); ++i) {
    BoundSet& bound = cb->computeBindState().sets[firstSet + i];
    bound = {};
    if (!sets[i]) continue;
    bound.set = fromHandle(sets[i]);
    bound.dynamicOffsetCount = bound.set->table().dynamicCount;
    std::ranges::copy(offsets.subspan(consumed, bound.dynamicOffsetCount),
                      bound.dynamicOffsets.begin());
    consumed += bound.dynamicOffsetCount;
  }
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdPushConstants(VkCommandBuffer commandBuffer,
                                                 VkPipelineLayout layout,
                                                 VkShaderStageFlags stageFlags, uint32_t offset,
                                                 uint32_t size, const void* pValues) {
  CommandBuffer* cb = fromHandle(commandBuffer);
  auto refuse = [&](auto... why) {
    EMVK_LOG(&cb->device().instance(), Error, logObject(cb),
             "vkCmdPushConstants: refused, nothing pushed: ", why...);
  };
  // VUID-vkCmdPushConstants-offset-00368, -size-00369, -offset-00370 and -size-00371 (the bind
  // state's size is maxPushConstantsSize).
  if (offset % 4 || size % 4 || offset >= ComputeBindState::kPushConstantSize ||
      size > ComputeBindState::kPushConstantSize - offset)
    return refuse("[", offset, ", +", size, ") is not a range of whole words inside the ",
                  ComputeBindState::kPushConstantSize, " bytes of push constants");
  const uint32_t end = offset + size;
  const std::vector<VkPushConstantRange>& ranges = fromHandle(layout)->pushConstantRanges();
  // VUID-vkCmdPushConstants-offset-01795: each stage pushed to has a range holding the bytes (the
  // layout gives a stage one range at most).
  VkShaderStageFlags covered = 0;
  for (const VkPushConstantRange& r : ranges) {
    if (!(r.stageFlags & stageFlags)) continue;
    if (offset < r.offset || end > r.offset + r.size)
      return refuse("[", offset, ", +", size, ") is not inside the range [", r.offset, ", +",
                    r.size, ") of stages 0x", std::hex, r.stageFlags);
    covered |= r.stageFlags & stageFlags;
  }
  if (covered != stageFlags)
    return refuse("stages 0x", std::hex, stageFlags & ~covered, " have no push constant range");
  // VUID-vkCmdPushConstants-offset-01796: a range the bytes overlap has all its stages pushed.
  for (const VkPushConstantRange& r : ranges)
    if (r.offset < end && offset < r.offset + r.size && (r.stageFlags & ~stageFlags))
      return refuse("[", offset, ", +", size, ") overlaps the range [", r.offset, ", +", r.size,
                    ") of stages 0x", std::hex, r.stageFlags, ", not all of which are pushed");
  // Only compute shaders read emvk's push constants: there is no graphics.
  if (stageFlags & VK_SHADER_STAGE_COMPUTE_BIT)
    std::memcpy(cb->computeBindState().pushConstants.data() + offset, pValues, size);
}
