// VK_EXT_debug_utils messengers: how the driver talks back to the application.
#pragma once
#include <shared_mutex>
#include <vector>

#include "device/log.hpp"
#include "device/object.hpp"

namespace emvk {

class DebugMessenger : public Object {
 public:
  explicit DebugMessenger(const VkDebugUtilsMessengerCreateInfoEXT& info)
      : Object(VK_OBJECT_TYPE_DEBUG_UTILS_MESSENGER_EXT), info_(info) {}
  // Calls the application's callback if it asked for messages of this severity and type.
  void send(VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT types,
            const VkDebugUtilsMessengerCallbackDataEXT& data) const;

 private:
  VkDebugUtilsMessengerCreateInfoEXT info_;
};
EMVK_DEFINE_HANDLE(DebugMessenger, VkDebugUtilsMessengerEXT,
                   VK_OBJECT_TYPE_DEBUG_UTILS_MESSENGER_EXT)

// The messengers of one instance.
class MessengerList {
 public:
  void add(const DebugMessenger* m);
  void remove(const DebugMessenger* m);
  void deliver(LogLevel level, LogObject object, const std::string& text) const;
  void submit(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
              VkDebugUtilsMessageTypeFlagsEXT types,
              const VkDebugUtilsMessengerCallbackDataEXT& data) const;

 private:
  mutable std::shared_mutex mutex_;
  std::vector<const DebugMessenger*> messengers_;
};

}  // namespace emvk
