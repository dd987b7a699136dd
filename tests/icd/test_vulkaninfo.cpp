// vulkaninfo is the first program a user runs against a new driver: it walks every query the
// driver offers, so it must finish cleanly and agree with what the API reports.
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "harness.hpp"
#include "tools/probe.hpp"

#define REQUIRE_VULKANINFO()                                            \
  do {                                                                  \
    if (!probe::haveProgram("vulkaninfo")) {                            \
      WARN("vulkaninfo not installed (package vulkan-tools): skipped"); \
      return;                                                           \
    }                                                                   \
  } while (0)

namespace {

// The command that runs vulkaninfo. Under ThreadSanitizer the (uninstrumented) program cannot get
// the TSan runtime when its loader opens libemvk.so ("cannot allocate memory in static TLS
// block"); preloaded, it can. Only vulkaninfo gets it: the shell around it would crash.
std::string vulkaninfo() {
#if defined(__SANITIZE_THREAD__)
  return "env LD_PRELOAD=libtsan.so.2 vulkaninfo";
#else
  return "vulkaninfo";
#endif
}

// Lines that look like errors but come from the window-system probing vulkaninfo does on a
// machine without a display (the same lines appear with lavapipe).
bool isHeadlessNotice(const std::string& line) {
  return line.find("XDG_RUNTIME_DIR") != std::string::npos ||
         line.find("DISPLAY") != std::string::npos;
}

std::string errorLines(const std::string& output) {
  std::istringstream lines(output);
  std::string line, errors;
  while (std::getline(lines, line)) {
    if (isHeadlessNotice(line)) continue;
    if (line.find("ERROR") != std::string::npos || line.find("error:") != std::string::npos)
      errors += line + "\n";
  }
  return errors;
}

// "deviceUUID = 6d657361-3232-..." in vulkaninfo's text, as 32 hex digits.
std::string uuidField(const std::string& output, const std::string& key) {
  size_t at = output.find(key);
  if (at == std::string::npos) return {};
  at = output.find('=', at);
  if (at == std::string::npos) return {};
  std::string hex;
  for (size_t i = at + 1; i < output.size() && output[i] != '\n'; ++i)
    if (std::isxdigit(static_cast<unsigned char>(output[i])))
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(output[i])));
  return hex;
}

std::string hex(const uint8_t (&uuid)[VK_UUID_SIZE]) {
  std::string text;
  char byte[3];
  for (uint8_t b : uuid) {
    std::snprintf(byte, sizeof byte, "%02x", b);
    text += byte;
  }
  return text;
}

// Balanced braces and brackets outside strings: enough to tell a complete JSON document from a
// truncated or interleaved one without a JSON library.
bool looksLikeCompleteJson(const std::string& text) {
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '{' || c == '[')
      ++depth;
    else if (c == '}' || c == ']') {
      if (--depth < 0) return false;
    }
  }
  return depth == 0 && !inString && text.find('{') != std::string::npos;
}

}  // namespace

TEST_CASE("icd: vulkaninfo --summary lists the CPU device", "[icd][vulkaninfo]") {
  REQUIRE_VULKANINFO();
  probe::CommandResult run = probe::runCommand(vulkaninfo() + " --summary 2>&1");
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  CHECK(run.output.find("PHYSICAL_DEVICE_TYPE_CPU") != std::string::npos);

  test::Instance instance;
  CHECK(run.output.find(probe::deviceName(instance.physical)) != std::string::npos);
  if (probe::isEmvk(instance.physical)) CHECK(run.output.find("emvk") != std::string::npos);
}

TEST_CASE("icd: full vulkaninfo runs without errors", "[icd][vulkaninfo]") {
  REQUIRE_VULKANINFO();
  probe::CommandResult run = probe::runCommand(vulkaninfo() + " 2>&1");
  INFO(run.output.substr(0, 20000));
  REQUIRE(run.exitCode == 0);
  CHECK(errorLines(run.output) == "");
}

TEST_CASE("icd: vulkaninfo --json names the device", "[icd][vulkaninfo]") {
  REQUIRE_VULKANINFO();
  // vulkaninfo 1.3.2xx writes VP_VULKANINFO_<device>_<version>.json into the working directory;
  // older versions print the JSON on stdout. Run it in a scratch folder and accept both.
  char scratch[] = "/tmp/emvk-vulkaninfo-XXXXXX";
  REQUIRE(mkdtemp(scratch) != nullptr);
  probe::CommandResult run = probe::runCommand(std::string("cd '") + scratch + "' && " +
                                               vulkaninfo() + " --json 2>/dev/null");
  std::string json = run.output;
  for (const auto& entry : std::filesystem::directory_iterator(scratch))
    if (entry.path().extension() == ".json") json = probe::readFile(entry.path());
  std::filesystem::remove_all(scratch);

  REQUIRE(run.exitCode == 0);
  INFO(json.substr(0, 4000));
  CHECK(looksLikeCompleteJson(json));

  test::Instance instance;
  const std::string name = probe::jsonString(json, "deviceName");
  CHECK(name == probe::deviceName(instance.physical));
  if (probe::isEmvk(instance.physical)) CHECK(name.rfind("emvk", 0) == 0);
}

TEST_CASE("icd: vulkaninfo, another process, reports the same UUIDs", "[icd][vulkaninfo]") {
  REQUIRE_VULKANINFO();
  // The full report: --summary prints the UUIDs only for devices of 1.2 or newer.
  probe::CommandResult run = probe::runCommand(vulkaninfo() + " 2>/dev/null");
  REQUIRE(run.exitCode == 0);

  test::Instance instance;
  VkPhysicalDeviceIDProperties id{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &id};
  vkGetPhysicalDeviceProperties2(instance.physical, &properties);
  INFO(run.output.substr(0, 20000));
  CHECK(uuidField(run.output, "deviceUUID") == hex(id.deviceUUID));
  CHECK(uuidField(run.output, "driverUUID") == hex(id.driverUUID));
}
