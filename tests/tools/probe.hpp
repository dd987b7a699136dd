// Helpers for the loader-edge and physical-device tests: which driver is answering, running a
// command and reading its output, locating the built ICD library, counting threads. Header-only
// on purpose: tests/CMakeLists.txt globs tests/*/*.cpp into the suite, and this folder has no
// test cases of its own.
#pragma once
#include <sys/wait.h>
#include <vulkan/vulkan.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace probe {

inline std::string deviceName(VkPhysicalDevice physical) {
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(physical, &properties);
  return properties.deviceName;
}

// emvk-specific values (queue count, apiVersion 1.1, exact extension list) are only asserted when
// emvk answers; the same test code is validated against lavapipe before the driver exists.
inline bool isEmvk(VkPhysicalDevice physical) { return deviceName(physical).rfind("emvk", 0) == 0; }

struct CommandResult {
  int exitCode = -1;  // -1: the command could not be started or did not exit normally
  std::string output;
};

// Runs `command` through /bin/sh and captures its stdout (append 2>&1 to capture stderr too).
inline CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) result.output.append(chunk, n);
  int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
  return result;
}

inline bool haveProgram(const std::string& name) {
  return runCommand("command -v " + name + " >/dev/null 2>&1").exitCode == 0;
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The string value of the first `"key": "value"` pair in a JSON text. Enough for ICD manifests
// and vulkaninfo's output: neither escapes anything in the values we read.
inline std::string jsonString(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\"");
  if (at == std::string::npos) return {};
  at = json.find(':', at);
  if (at == std::string::npos) return {};
  size_t open = json.find('"', at);
  if (open == std::string::npos) return {};
  size_t close = json.find('"', open + 1);
  if (close == std::string::npos) return {};
  return json.substr(open + 1, close - open - 1);
}

// libemvk.so as named by the build-tree manifest, or "" outside a ctest run (no EMVK_BINARY_DIR).
inline std::string emvkLibraryPath() {
  const char* dir = std::getenv("EMVK_BINARY_DIR");
  if (!dir || !*dir) return {};
  std::filesystem::path manifest = std::filesystem::path(dir) / "emvk_icd.json";
  if (!std::filesystem::exists(manifest)) return {};
  std::filesystem::path library = jsonString(readFile(manifest), "library_path");
  if (library.empty()) return {};
  // The loader resolves a relative library_path against the manifest's folder.
  if (library.is_relative()) library = manifest.parent_path() / library;
  return library.string();
}

// Number of threads in this process: driver threads must end with the objects that own them.
inline int threadCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

}  // namespace probe
