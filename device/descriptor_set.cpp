#include "device/descriptor_set.hpp"

#include <algorithm>
#include <cstring>

#include "device/buffer.hpp"
#include "device/descriptor_pool.hpp"
#include "device/device.hpp"
#include "device/image_view.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"

namespace emvk {
namespace {

template <class T>
T read(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof value);  // template data need not be aligned
  return value;
}

Result<Slot> bufferSlot(const VkPhysicalDeviceLimits& limits, bool nullDescriptor,
                        VkDescriptorType type, const VkDescriptorBufferInfo& info) {
  auto refuse = [](auto... why) { return Error{VK_ERROR_UNKNOWN, concat(why...)}; };
  // VUID-VkDescriptorBufferInfo-buffer-02998: null buffers need nullDescriptor (robustness2);
  // then offset and range are ignored and the shader sees an empty range (VUID -02999).
  if (!info.buffer) {
    if (nullDescriptor) return Slot{BufferSlot{}};
    return refuse("the buffer is VK_NULL_HANDLE and the nullDescriptor feature is not enabled");
  }
  Buffer* buffer = fromHandle(info.buffer);
  const bool uniform = type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ||
                       type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
  // VUID-VkWriteDescriptorSet-descriptorType-00330 and -00331.
  const VkBufferUsageFlags usage =
      uniform ? VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT : VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  if (!(buffer->usage() & usage))
    return refuse("the buffer was created without ", uniform ? "UNIFORM" : "STORAGE",
                  "_BUFFER usage");
  // VUID-VkDescriptorBufferInfo-offset-00340.
  if (info.offset >= buffer->size())
    return refuse("offset ", info.offset, " is not inside the buffer's ", buffer->size(), " bytes");
  // VUID-VkWriteDescriptorSet-descriptorType-00327 and -00328.
  const VkDeviceSize alignment =
      uniform ? limits.minUniformBufferOffsetAlignment : limits.minStorageBufferOffsetAlignment;
  if (info.offset % alignment)
    return refuse("offset ", info.offset, " is not a multiple of ",
                  uniform ? "minUniformBufferOffsetAlignment" : "minStorageBufferOffsetAlignment",
                  " (", alignment, ")");
  // VUID-VkDescriptorBufferInfo-range-00341 and -00342. VK_WHOLE_SIZE is resolved now: the
  // effective range is the buffer's size minus the offset at update time (VkDescriptorBufferInfo).
  const VkDeviceSize range =
      info.range == VK_WHOLE_SIZE ? buffer->size() - info.offset : info.range;
  if (range == 0 || range > buffer->size() - info.offset)
    return refuse("range ", info.range, " from offset ", info.offset, " does not fit the buffer's ",
                  buffer->size(), " bytes");
  // VUID-VkWriteDescriptorSet-descriptorType-00332 and -00333: the effective range.
  const VkDeviceSize maxRange =
      uniform ? limits.maxUniformBufferRange : limits.maxStorageBufferRange;
  if (range > maxRange)
    return refuse("range ", range, " exceeds ",
                  uniform ? "maxUniformBufferRange" : "maxStorageBufferRange", " (", maxRange, ")");
  return Slot{BufferSlot{buffer, info.offset, range}};
}

// Descriptor `at` of a write of `type`, checked; VK_ERROR_UNKNOWN and why when it is refused (the
// code is never returned: updates have no result).
Result<Slot> readSlot(const VkPhysicalDeviceLimits& limits, bool nullDescriptor,
                      VkDescriptorType type, const uint8_t* at) {
  if (isBufferDescriptor(type))
    return bufferSlot(limits, nullDescriptor, type, read<VkDescriptorBufferInfo>(at));
  if (isTexelBufferDescriptor(type)) {
    // VUID-VkWriteDescriptorSet-descriptorType-02995: null views need nullDescriptor.
    const auto view = read<VkBufferView>(at);
    if (!view && !nullDescriptor)
      return Error{
          VK_ERROR_UNKNOWN,
          "the buffer view is VK_NULL_HANDLE and the nullDescriptor feature is not enabled"};
    if (!view) return Slot{TexelBufferSlot{}};
    return Slot{TexelBufferSlot{fromHandle(view)}};
  }
  // VUID-VkWriteDescriptorSet-descriptorType-00325: these need a valid VkSampler, and emvk cannot
  // make one yet (no vkCreateSampler; immutable samplers are refused with the layout).
  if (type == VK_DESCRIPTOR_TYPE_SAMPLER || type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER)
    return Error{VK_ERROR_UNKNOWN,
                 concat(descriptorTypeName(type),
                        " needs a sampler, and emvk does not implement vkCreateSampler yet")};
  // SAMPLED_IMAGE, STORAGE_IMAGE, INPUT_ATTACHMENT. VUID-VkWriteDescriptorSet-descriptorType-02997:
  // null views need nullDescriptor.
  const auto info = read<VkDescriptorImageInfo>(at);
  if (!info.imageView && !nullDescriptor)
    return Error{VK_ERROR_UNKNOWN,
                 "the image view is VK_NULL_HANDLE and the nullDescriptor feature is not enabled"};
  if (!info.imageView) return Slot{ImageSlot{nullptr, info.imageLayout}};
  return Slot{ImageSlot{fromHandle(info.imageView), info.imageLayout}};
}

}  // namespace

std::span<const Slot> DescriptorSet::slots(uint32_t binding) const {
  const SlotTable::Binding* b = table_->find(binding);
  if (!b) return {};
  return std::span<const Slot>(slots_).subspan(b->firstSlot, b->count);
}

const BufferSlot* DescriptorSet::buffer(uint32_t binding, uint32_t element) const {
  std::span<const Slot> s = slots(binding);
  return element < s.size() ? std::get_if<BufferSlot>(&s[element]) : nullptr;
}

bool DescriptorSet::write(const DescriptorWrite& w, std::string& why) {
  if (w.count == 0) return true;  // only template entries may have none
  Result<uint32_t> first = table_->span(w.binding, w.element, w.count);
  if (!first) {
    why = first.error().why;
    return false;
  }
  // VUID-VkWriteDescriptorSet-descriptorType-00319: the write's type is the binding's (and, by
  // span's check, that of every binding it spills into).
  if (const VkDescriptorType type = table_->find(w.binding)->type; type != w.type) {
    why = concat(descriptorTypeName(w.type), " does not match binding ", w.binding, ", which is ",
                 descriptorTypeName(type));
    return false;
  }
  const VkPhysicalDeviceLimits& limits = pool_.device().physicalDevice().properties().limits;
  std::vector<Slot> written;
  written.reserve(w.count);
  for (uint32_t i = 0; i < w.count; ++i) {
    Result<Slot> slot =
        readSlot(limits, pool_.device().nullDescriptor(), w.type, w.data + i * w.stride);
    if (!slot) {
      why = concat("descriptor ", i, ": ", slot.error().why);
      return false;
    }
    written.push_back(slot.take());
  }
  std::ranges::copy(written, slots_.begin() + first.value());
  return true;
}

bool DescriptorSet::copy(const DescriptorSet& source, const VkCopyDescriptorSet& c,
                         std::string& why) {
  if (c.descriptorCount == 0) return true;
  Result<uint32_t> from = source.table().span(c.srcBinding, c.srcArrayElement, c.descriptorCount);
  Result<uint32_t> to = table_->span(c.dstBinding, c.dstArrayElement, c.descriptorCount);
  if (!from || !to) {
    why = from ? "destination: " + to.error().why : "source: " + from.error().why;
    return false;
  }
  // VUID-VkCopyDescriptorSet-dstBinding-02632 (each side's spill check covers the rest).
  const VkDescriptorType fromType = source.table().find(c.srcBinding)->type;
  const VkDescriptorType toType = table_->find(c.dstBinding)->type;
  if (fromType != toType) {
    why = concat("source binding ", c.srcBinding, " is ", descriptorTypeName(fromType),
                 " and destination binding ", c.dstBinding, " is ", descriptorTypeName(toType));
    return false;
  }
  // VUID-VkCopyDescriptorSet-srcSet-00349: within one set the ranges do not overlap.
  if (&source == this && from.value() < to.value() + c.descriptorCount &&
      to.value() < from.value() + c.descriptorCount) {
    why = "the source and destination ranges of one set overlap";
    return false;
  }
  std::copy_n(source.slots_.begin() + from.value(), c.descriptorCount, slots_.begin() + to.value());
  return true;
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR void VKAPI_CALL emvk_UpdateDescriptorSets(VkDevice device, uint32_t descriptorWriteCount,
                                                     const VkWriteDescriptorSet* pDescriptorWrites,
                                                     uint32_t descriptorCopyCount,
                                                     const VkCopyDescriptorSet* pDescriptorCopies) {
  // Writes first, then copies (section "Descriptor Set Updates"). A refused update changes nothing
  // and is reported; the others still happen.
  std::string why;
  for (uint32_t i = 0; i < descriptorWriteCount; ++i) {
    const VkWriteDescriptorSet& w = pDescriptorWrites[i];
    DescriptorWrite write{w.dstBinding,
                          w.dstArrayElement,
                          w.descriptorCount,
                          w.descriptorType,
                          reinterpret_cast<const uint8_t*>(w.pImageInfo),
                          sizeof(VkDescriptorImageInfo)};
    if (isBufferDescriptor(w.descriptorType)) {
      write.data = reinterpret_cast<const uint8_t*>(w.pBufferInfo);
      write.stride = sizeof(VkDescriptorBufferInfo);
    } else if (isTexelBufferDescriptor(w.descriptorType)) {
      write.data = reinterpret_cast<const uint8_t*>(w.pTexelBufferView);
      write.stride = sizeof(VkBufferView);
    }
    DescriptorSet* set = fromHandle(w.dstSet);
    if (!set->write(write, why))
      EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(set),
               "vkUpdateDescriptorSets: write ", i, " refused: ", why);
  }
  for (uint32_t i = 0; i < descriptorCopyCount; ++i) {
    const VkCopyDescriptorSet& c = pDescriptorCopies[i];
    DescriptorSet* set = fromHandle(c.dstSet);
    if (!set->copy(*fromHandle(c.srcSet), c, why))
      EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(set),
               "vkUpdateDescriptorSets: copy ", i, " refused: ", why);
  }
}
