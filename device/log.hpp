// Driver messages. Every message goes to the instance's VK_EXT_debug_utils messengers (with the
// object it concerns) and, at or above EMVK_LOG's level, to stderr.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <sstream>
#include <string>

namespace emvk {

class Instance;

enum class LogLevel : int { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };

// The object a message is about; {VK_OBJECT_TYPE_UNKNOWN, 0} for none.
struct LogObject {
  VkObjectType type = VK_OBJECT_TYPE_UNKNOWN;
  uint64_t handle = 0;
};
template <class T>
LogObject logObject(const T* object) {
  return {object ? object->type : VK_OBJECT_TYPE_UNKNOWN, reinterpret_cast<uint64_t>(object)};
}

template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream s;
  (s << ... << args);
  return s.str();
}

void logMessage(const Instance* instance, LogLevel level, LogObject object, const std::string& text,
                const char* file, int line);

// EMVK_LOG(instance, Error, logObject(buffer), "size ", size, " is too large")
#define EMVK_LOG(instance, level, object, ...)                                                   \
  ::emvk::logMessage((instance), ::emvk::LogLevel::level, (object), ::emvk::concat(__VA_ARGS__), \
                     __FILE__, __LINE__)

}  // namespace emvk
