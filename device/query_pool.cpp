#include "device/query_pool.hpp"

#include <time.h>

#include <cstring>

#include "device/buffer.hpp"
#include "device/command_buffer.hpp"
#include "device/device.hpp"

namespace emvk {

uint64_t deviceTimestamp() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

QueryPool::QueryPool(Device& device, const VkQueryPoolCreateInfo& info)
    : Object(VK_OBJECT_TYPE_QUERY_POOL),
      device_(device),
      type_(info.queryType),
      count_(info.queryCount),
      values_(std::make_unique<std::atomic<uint64_t>[]>(info.queryCount)),
      available_(std::make_unique<std::atomic<bool>[]>(info.queryCount)) {
  reset(0, count_);
}

void QueryPool::reset(uint32_t first, uint32_t count) {
  for (uint32_t i = first; i < first + count; ++i) {
    available_[i].store(false, std::memory_order_relaxed);
    values_[i].store(0, std::memory_order_relaxed);
  }
}

void QueryPool::write(uint32_t query, uint64_t value) {
  // Once the result is visible the pool may be destroyed: the device's board outlives it.
  SignalBoard& board = device_.board();
  values_[query].store(value, std::memory_order_relaxed);
  available_[query].store(true, std::memory_order_release);
  board.notify();
}

VkResult QueryPool::copyResults(uint32_t first, uint32_t count, uint8_t* dst, VkDeviceSize stride,
                                VkQueryResultFlags flags) {
  const bool wide = flags & VK_QUERY_RESULT_64_BIT;
  VkResult result = VK_SUCCESS;
  for (uint32_t i = 0; i < count; ++i, dst += stride) {
    const uint32_t q = first + i;
    if (flags & VK_QUERY_RESULT_WAIT_BIT)
      device_.board().waitUntil([&] { return available(q); }, Clock::time_point::max());
    const bool ready = available(q);
    if (!ready) result = VK_NOT_READY;
    auto put = [&](size_t slot, uint64_t v) {
      if (wide)
        std::memcpy(dst + slot * 8, &v, 8);
      else {
        const auto v32 = static_cast<uint32_t>(v);
        std::memcpy(dst + slot * 4, &v32, 4);
      }
    };
    // vkGetQueryPoolResults: an unavailable result is written only with PARTIAL_BIT.
    if (ready || (flags & VK_QUERY_RESULT_PARTIAL_BIT))
      put(0, values_[q].load(std::memory_order_relaxed));
    if (flags & VK_QUERY_RESULT_WITH_AVAILABILITY_BIT) put(1, ready ? 1 : 0);
  }
  return result;
}

void run(Device&, const cmd::WriteTimestamp& c) { c.pool->write(c.query, deviceTimestamp()); }

void run(Device&, const cmd::ResetQueryPool& c) { c.pool->reset(c.first, c.count); }

void run(Device&, const cmd::CopyQueryPoolResults& c) {
  c.pool->copyResults(c.first, c.count, c.dst->data() + c.offset, c.stride, c.flags);
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateQueryPool(VkDevice device,
                                                    const VkQueryPoolCreateInfo* pCreateInfo,
                                                    const VkAllocationCallbacks*,
                                                    VkQueryPool* pQueryPool) {
  *pQueryPool =
      release<VkQueryPool>(std::make_unique<QueryPool>(*fromHandle(device), *pCreateInfo));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyQueryPool(VkDevice, VkQueryPool pool,
                                                 const VkAllocationCallbacks*) {
  reclaim(pool);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetQueryPoolResults(VkDevice, VkQueryPool pool, uint32_t first,
                                                        uint32_t count, size_t, void* pData,
                                                        VkDeviceSize stride,
                                                        VkQueryResultFlags flags) {
  return fromHandle(pool)->copyResults(first, count, static_cast<uint8_t*>(pData), stride, flags);
}

VKAPI_ATTR void VKAPI_CALL emvk_ResetQueryPool(VkDevice, VkQueryPool pool, uint32_t first,
                                               uint32_t count) {
  fromHandle(pool)->reset(first, count);
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdResetQueryPool(VkCommandBuffer commandBuffer, VkQueryPool pool,
                                                  uint32_t first, uint32_t count) {
  fromHandle(commandBuffer)->record(cmd::ResetQueryPool{fromHandle(pool), first, count});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdWriteTimestamp(VkCommandBuffer commandBuffer,
                                                  VkPipelineStageFlagBits, VkQueryPool pool,
                                                  uint32_t query) {
  // Every earlier command has finished when this runs, so "at stage X" is always "now".
  fromHandle(commandBuffer)->record(cmd::WriteTimestamp{fromHandle(pool), query});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdWriteTimestamp2(VkCommandBuffer commandBuffer,
                                                   VkPipelineStageFlags2, VkQueryPool pool,
                                                   uint32_t query) {
  fromHandle(commandBuffer)->record(cmd::WriteTimestamp{fromHandle(pool), query});
}

VKAPI_ATTR void VKAPI_CALL emvk_CmdCopyQueryPoolResults(VkCommandBuffer commandBuffer,
                                                        VkQueryPool pool, uint32_t first,
                                                        uint32_t count, VkBuffer dst,
                                                        VkDeviceSize offset, VkDeviceSize stride,
                                                        VkQueryResultFlags flags) {
  fromHandle(commandBuffer)
      ->record(cmd::CopyQueryPoolResults{fromHandle(pool), first, count, fromHandle(dst), offset,
                                         stride, flags});
}
