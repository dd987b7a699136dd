// VkQueryPool. emvk's queue can write timestamps; other query types need graphics (occlusion) or
// features emvk does not report (pipeline statistics), so pools of them exist but are never
// written.
#pragma once
#include <atomic>
#include <memory>

#include "device/object.hpp"

namespace emvk {

class Device;

class QueryPool : public Object {
 public:
  QueryPool(Device& device, const VkQueryPoolCreateInfo& info);

  VkQueryType queryType() const { return type_; }
  void reset(uint32_t first, uint32_t count);
  void write(uint32_t query, uint64_t value);
  bool available(uint32_t query) const { return available_[query].load(std::memory_order_acquire); }

  // Writes results the way vkGetQueryPoolResults / vkCmdCopyQueryPoolResults define them.
  // Returns VK_NOT_READY if some query was unavailable (and WAIT was not requested).
  VkResult copyResults(uint32_t first, uint32_t count, uint8_t* dst, VkDeviceSize stride,
                       VkQueryResultFlags flags);

 private:
  Device& device_;
  VkQueryType type_;
  uint32_t count_;
  std::unique_ptr<std::atomic<uint64_t>[]> values_;
  std::unique_ptr<std::atomic<bool>[]> available_;
};
EMVK_DEFINE_HANDLE(QueryPool, VkQueryPool, VK_OBJECT_TYPE_QUERY_POOL)

// Now on the device's timestamp clock: CLOCK_MONOTONIC in nanoseconds (timestampPeriod = 1).
uint64_t deviceTimestamp();

}  // namespace emvk
