// VkEvent: a flag set and reset by the host or by a queue, waited on by a queue.
#pragma once
#include <atomic>

#include "device/object.hpp"

namespace emvk {

class Device;

class Event : public Object {
 public:
  explicit Event(Device& device) : Object(VK_OBJECT_TYPE_EVENT), device_(device) {}
  bool isSet() const { return set_.load(std::memory_order_acquire); }
  void set(bool value);

 private:
  Device& device_;
  std::atomic<bool> set_{false};
};
EMVK_DEFINE_HANDLE(Event, VkEvent, VK_OBJECT_TYPE_EVENT)

}  // namespace emvk
