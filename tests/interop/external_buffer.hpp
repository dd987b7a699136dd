// Exportable and imported buffers in plain Vulkan, shared by the tests and the peer program (so
// it uses no Catch macros: every step returns its VkResult).
#pragma once
#include <vulkan/vulkan.h>

#include <algorithm>
#include <cstdint>

namespace external {

inline constexpr VkExternalMemoryHandleTypeFlagBits kOpaqueFd =
    VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;

struct SharedBuffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize allocationSize = 0;
  uint32_t memoryType = 0;
  void* data = nullptr;
};

inline VkResult createExternalBuffer(VkDevice device, VkDeviceSize size, VkBuffer* buffer) {
  VkExternalMemoryBufferCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  external.handleTypes = kOpaqueFd;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.pNext = &external;
  info.size = size;
  info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  return vkCreateBuffer(device, &info, nullptr, buffer);
}

// Binds and maps `out.memory` to `out.buffer`.
inline VkResult bindAndMap(VkDevice device, SharedBuffer& out) {
  VkResult r = vkBindBufferMemory(device, out.buffer, out.memory, 0);
  if (r != VK_SUCCESS) return r;
  return vkMapMemory(device, out.memory, 0, VK_WHOLE_SIZE, 0, &out.data);
}

// A buffer in memory allocated exportable as an opaque fd (optionally dedicated to the buffer).
inline VkResult exportableBuffer(VkDevice device, VkDeviceSize size, uint32_t memoryType,
                                 bool dedicated, SharedBuffer& out) {
  VkResult r = createExternalBuffer(device, size, &out.buffer);
  if (r != VK_SUCCESS) return r;
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device, out.buffer, &req);
  VkMemoryDedicatedAllocateInfo dedicatedInfo{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
  dedicatedInfo.buffer = out.buffer;
  VkExportMemoryAllocateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO};
  exportInfo.pNext = dedicated ? &dedicatedInfo : nullptr;
  exportInfo.handleTypes = kOpaqueFd;
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &exportInfo, req.size,
                             memoryType};
  r = vkAllocateMemory(device, &alloc, nullptr, &out.memory);
  if (r != VK_SUCCESS) return r;
  out.allocationSize = req.size;
  out.memoryType = memoryType;
  return bindAndMap(device, out);
}

inline VkResult exportFd(VkDevice device, VkDeviceMemory memory, int* fd) {
  auto getFd =
      reinterpret_cast<PFN_vkGetMemoryFdKHR>(vkGetDeviceProcAddr(device, "vkGetMemoryFdKHR"));
  if (!getFd) return VK_ERROR_EXTENSION_NOT_PRESENT;
  VkMemoryGetFdInfoKHR info{VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR};
  info.memory = memory;
  info.handleType = kOpaqueFd;
  return getFd(device, &info, fd);
}

// Imports `fd` (consumed on success only) as the memory of a new buffer of `size` bytes.
inline VkResult importBuffer(VkDevice device, int fd, VkDeviceSize size,
                             VkDeviceSize allocationSize, uint32_t memoryType, bool dedicated,
                             SharedBuffer& out) {
  VkResult r = createExternalBuffer(device, size, &out.buffer);
  if (r != VK_SUCCESS) return r;
  VkMemoryDedicatedAllocateInfo dedicatedInfo{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
  dedicatedInfo.buffer = out.buffer;
  VkImportMemoryFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
  import.pNext = dedicated ? &dedicatedInfo : nullptr;
  import.handleType = kOpaqueFd;
  import.fd = fd;
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &import, allocationSize,
                             memoryType};
  r = vkAllocateMemory(device, &alloc, nullptr, &out.memory);
  if (r != VK_SUCCESS) {
    vkDestroyBuffer(device, out.buffer, nullptr);
    out.buffer = VK_NULL_HANDLE;
    return r;
  }
  out.allocationSize = allocationSize;
  out.memoryType = memoryType;
  return bindAndMap(device, out);
}

inline void destroy(VkDevice device, SharedBuffer& b) {
  vkDestroyBuffer(device, b.buffer, nullptr);
  vkFreeMemory(device, b.memory, nullptr);
  b = SharedBuffer{};
}

}  // namespace external

namespace external {

// The byte at offset `i` of the pattern `seed`; both processes of a sharing test compute it.
inline uint8_t patternByte(uint64_t i, uint64_t seed) {
  uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ seed * 0xBF58476D1CE4E5B9ull;
  return static_cast<uint8_t>((x ^ (x >> 29)) >> 17);
}

inline void writePattern(void* data, uint64_t size, uint64_t seed) {
  auto* bytes = static_cast<uint8_t*>(data);
  for (uint64_t i = 0; i < size; ++i) bytes[i] = patternByte(i, seed);
}

// Offset of the first byte that differs from the pattern, or -1.
inline int64_t firstMismatch(const void* data, uint64_t size, uint64_t seed) {
  auto* bytes = static_cast<const uint8_t*>(data);
  for (uint64_t i = 0; i < size; ++i)
    if (bytes[i] != patternByte(i, seed)) return static_cast<int64_t>(i);
  return -1;
}

}  // namespace external
