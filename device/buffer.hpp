// VkBuffer: a byte range inside a VkDeviceMemory once bound.
#pragma once
#include "device/device_memory.hpp"
#include "device/object.hpp"

namespace emvk {

class Buffer : public Object {
 public:
  // Buffers need no alignment on a CPU, but 16 bytes keeps later shader loads of vec4s aligned.
  static constexpr VkDeviceSize kAlignment = 16;

  explicit Buffer(const VkBufferCreateInfo& info);

  VkDeviceSize size() const { return size_; }
  VkBufferUsageFlags usage() const { return usage_; }
  VkBufferCreateFlags flags() const { return flags_; }
  // From VkExternalMemoryBufferCreateInfo: the handle types its memory may come from.
  VkExternalMemoryHandleTypeFlags externalHandleTypes() const { return externalHandleTypes_; }
  void bind(DeviceMemory* memory, VkDeviceSize offset) {
    memory_ = memory;
    offset_ = offset;
  }
  uint8_t* data() const { return memory_->data() + offset_; }
  VkMemoryRequirements requirements() const;

 private:
  VkDeviceSize size_;
  VkBufferUsageFlags usage_;
  VkBufferCreateFlags flags_;
  VkExternalMemoryHandleTypeFlags externalHandleTypes_ = 0;
  DeviceMemory* memory_ = nullptr;
  VkDeviceSize offset_ = 0;
};
EMVK_DEFINE_HANDLE(Buffer, VkBuffer, VK_OBJECT_TYPE_BUFFER)

// VkBufferView: `range` bytes of a buffer from `offset`, seen as texels of `format` by texel
// buffer descriptors (jit/texel_formats.hpp converts them).
class BufferView : public Object {
 public:
  BufferView(Buffer& buffer, VkFormat format, VkDeviceSize offset, VkDeviceSize range)
      : Object(VK_OBJECT_TYPE_BUFFER_VIEW),
        buffer_(buffer),
        format_(format),
        offset_(offset),
        range_(range) {}
  VkFormat format() const { return format_; }
  VkDeviceSize range() const { return range_; }  // a whole number of texels
  // The first byte, once the buffer is bound: call it at execution time.
  uint8_t* data() const { return buffer_.data() + offset_; }

 private:
  Buffer& buffer_;
  VkFormat format_;
  VkDeviceSize offset_;
  VkDeviceSize range_;
};
EMVK_DEFINE_HANDLE(BufferView, VkBufferView, VK_OBJECT_TYPE_BUFFER_VIEW)

}  // namespace emvk
