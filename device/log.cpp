#include "device/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "device/instance.hpp"

namespace emvk {
namespace {

LogLevel levelFromEnvironment() {
  const char* env = std::getenv("EMVK_LOG");
  if (!env) return LogLevel::Error;
  static constexpr struct {
    const char* name;
    LogLevel level;
  } kNames[] = {{"debug", LogLevel::Debug}, {"info", LogLevel::Info}, {"warn", LogLevel::Warn},
                {"error", LogLevel::Error}, {"off", LogLevel::Off},   {"none", LogLevel::Off}};
  for (const auto& n : kNames)
    if (std::strcmp(env, n.name) == 0) return n.level;
  return LogLevel::Error;
}

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
    case LogLevel::Off:
      break;
  }
  return "";
}

const char* baseName(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

}  // namespace

void logMessage(const Instance* instance, LogLevel level, LogObject object, const std::string& text,
                const char* file, int line) {
  static const LogLevel threshold = levelFromEnvironment();
  if (level >= threshold)
    std::fprintf(stderr, "emvk %s: %s (%s:%d)\n", levelName(level), text.c_str(), baseName(file),
                 line);
  if (instance) instance->messengers().deliver(level, object, text);
}

}  // namespace emvk
