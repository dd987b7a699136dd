// VK_EXT_tooling_info: which of emvk's own tools are at work in this process. Debugging tools and
// capture layers ask so that they can warn when something else changes what they see (section
// "Debugging", "Active Tooling Information").
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "device/device_memory.hpp"
#include "device/physical_device.hpp"
#include "device/profile.hpp"
#include "device/trace.hpp"

namespace emvk {
namespace {

struct Tool {
  std::string name;
  VkToolPurposeFlags purposes;
  std::string description;
};

std::vector<Tool> activeTools(const PhysicalDevice& physical) {
  std::vector<Tool> tools;
  if (std::string_view profile = activeProfileName(physical); !profile.empty())
    tools.push_back({"emvk capability profile", VK_TOOL_PURPOSE_MODIFYING_FEATURES_BIT,
                     "EMVK_PROFILE: features, limits, formats and extensions reduced to the "
                     "profile " +
                         std::string(profile) + ", and enforced"});
  if (std::string file = trace::path(); !file.empty())
    tools.push_back({"emvk trace", VK_TOOL_PURPOSE_TRACING_BIT,
                     "EMVK_TRACE: a trace-event timeline of queues, commands, semaphores, "
                     "pipeline builds and memory, written to " +
                         file});
  if (const char* dir = std::getenv("EMVK_DUMP_SHADERS"); dir && *dir)
    tools.push_back({"emvk shader dumps", VK_TOOL_PURPOSE_TRACING_BIT,
                     std::string("EMVK_DUMP_SHADERS: each compiled shader's SPIR-V, LLVM IR and "
                                 "machine code, written to ") +
                         dir});
  if (processHoldsSharedMemory())
    tools.push_back({"emvk-inspect", VK_TOOL_PURPOSE_TRACING_BIT,
                     "this process shares emvk memory: its identity records tell emvk-inspect "
                     "(another program) who exported and who imported it"});
  return tools;
}

template <size_t N>
void copyString(char (&out)[N], const std::string& text) {
  std::strncpy(out, text.c_str(), N - 1);
  out[N - 1] = '\0';
}

}  // namespace
}  // namespace emvk

using namespace emvk;

// Also vkGetPhysicalDeviceToolPropertiesEXT (the generated table maps the alias here).
VKAPI_ATTR VkResult VKAPI_CALL
emvk_GetPhysicalDeviceToolProperties(VkPhysicalDevice physicalDevice, uint32_t* pToolCount,
                                     VkPhysicalDeviceToolProperties* pToolProperties) {
  const std::vector<Tool> tools = activeTools(*fromHandle(physicalDevice));
  if (!pToolProperties) {
    *pToolCount = static_cast<uint32_t>(tools.size());
    return VK_SUCCESS;
  }
  const uint32_t n = std::min<uint32_t>(*pToolCount, static_cast<uint32_t>(tools.size()));
  for (uint32_t i = 0; i < n; ++i) {
    VkPhysicalDeviceToolProperties& p = pToolProperties[i];
    copyString(p.name, tools[i].name);
    copyString(p.version, EMVK_VERSION_STRING);
    p.purposes = tools[i].purposes;
    copyString(p.description, tools[i].description);
    copyString(p.layer, "");  // emvk's tools are in the driver, not in a layer
  }
  *pToolCount = n;
  return n < tools.size() ? VK_INCOMPLETE : VK_SUCCESS;
}
