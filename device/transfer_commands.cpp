// vkCmdCopyBuffer, vkCmdFillBuffer, vkCmdUpdateBuffer: recording and execution.
// Large copies and fills are split over the device's workers; below ~1 MiB one thread is faster
// than waking others.
#include <algorithm>
#include <cstring>

#include "device/buffer.hpp"
#include "device/command_buffer.hpp"
#include "device/device.hpp"

namespace emvk {
namespace {

constexpr size_t kParallelGrain = 1u << 20;

// One piece per worker, not many small ones: glibc's memcpy switches to non-temporal stores only
// for large copies, and without them every destination line is read before it is written — a
// third more memory traffic (measured: 1 MiB pieces reached 79% of a single-thread memcpy).
size_t pieceSize(Device& device, size_t size) {
  return std::max(kParallelGrain, (size + device.workers().count() - 1) / device.workers().count());
}

void copyBytes(Device& device, uint8_t* dst, const uint8_t* src, size_t size) {
  device.workers().parallelFor(size, pieceSize(device, size), [&](size_t begin, size_t end) {
    std::memcpy(dst + begin, src + begin, end - begin);
  });
}

void fillWords(uint32_t* dst, size_t words, uint32_t value) {
  if (value == 0) {
    std::memset(dst, 0, words * 4);
    return;
  }
  std::fill_n(dst, words, value);
}

}  // namespace

void run(Device& device, const cmd::CopyBuffer& c) {
  for (const VkBufferCopy& r : c.regions) {
    // VUID-vkCmdCopyBuffer-pRegions-00117: regions of one copy never overlap, but src and dst may
    // be the same buffer, so memmove semantics are not needed.
    copyBytes(device, c.dst->data() + r.dstOffset, c.src->data() + r.srcOffset, r.size);
  }
}

void run(Device& device, const cmd::FillBuffer& c) {
  auto* dst = reinterpret_cast<uint32_t*>(c.dst->data() + c.offset);
  device.workers().parallelFor(c.size / 4, kParallelGrain / 4, [&](size_t begin, size_t end) {
    fillWords(dst + begin, end - begin, c.data);
  });
}

void run(Device&, const cmd::UpdateBuffer& c) {
  std::memcpy(c.dst->data() + c.offset, c.data.data(), c.data.size());
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyBuffer(VkCommandBuffer commandBuffer, VkBuffer src,
                                              VkBuffer dst, uint32_t count,
                                              const VkBufferCopy* pRegions) {
  fromHandle(commandBuffer)
      ->record(cmd::CopyBuffer{fromHandle(src), fromHandle(dst), {pRegions, pRegions + count}});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyBuffer2(VkCommandBuffer commandBuffer,
                                               const VkCopyBufferInfo2* pInfo) {
  cmd::CopyBuffer c{fromHandle(pInfo->srcBuffer), fromHandle(pInfo->dstBuffer), {}};
  for (uint32_t i = 0; i < pInfo->regionCount; ++i) {
    const VkBufferCopy2& r = pInfo->pRegions[i];
    c.regions.push_back({r.srcOffset, r.dstOffset, r.size});
  }
  fromHandle(commandBuffer)->record(std::move(c));
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdFillBuffer(VkCommandBuffer commandBuffer, VkBuffer dstBuffer,
                                              VkDeviceSize offset, VkDeviceSize size,
                                              uint32_t data) {
  Buffer* dst = fromHandle(dstBuffer);
  // vkCmdFillBuffer: VK_WHOLE_SIZE fills to the end, rounded down to a multiple of 4 bytes.
  if (size == VK_WHOLE_SIZE) size = (dst->size() - offset) & ~VkDeviceSize(3);
  fromHandle(commandBuffer)->record(cmd::FillBuffer{dst, offset, size, data});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdUpdateBuffer(VkCommandBuffer commandBuffer, VkBuffer dstBuffer,
                                                VkDeviceSize offset, VkDeviceSize size,
                                                const void* pData) {
  // The data is copied now: vkCmdUpdateBuffer's pData need not outlive the call.
  auto* bytes = static_cast<const uint8_t*>(pData);
  fromHandle(commandBuffer)
      ->record(cmd::UpdateBuffer{fromHandle(dstBuffer), offset, {bytes, bytes + size}});
}
