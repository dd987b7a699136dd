// VK_EXT_tooling_info: emvk names its own tools while they are at work in the process, and only
// then.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "interop/external_buffer.hpp"
#include "tools/scoped_env.hpp"

namespace {

std::vector<VkPhysicalDeviceToolProperties> tools(const test::Instance& instance) {
  auto get = instance.proc<PFN_vkGetPhysicalDeviceToolPropertiesEXT>(
      "vkGetPhysicalDeviceToolPropertiesEXT");
  REQUIRE(get);
  uint32_t count = 0;
  REQUIRE(get(instance.physical, &count, nullptr) == VK_SUCCESS);
  std::vector<VkPhysicalDeviceToolProperties> out(
      count, {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TOOL_PROPERTIES});
  REQUIRE(get(instance.physical, &count, out.data()) == VK_SUCCESS);
  out.resize(count);
  // A layer in between adds itself (the validation layer does); the driver's tools have no layer.
  std::erase_if(out, [](const auto& t) { return t.layer[0] != '\0'; });
  return out;
}

const VkPhysicalDeviceToolProperties* find(const std::vector<VkPhysicalDeviceToolProperties>& all,
                                           const std::string& name) {
  for (const auto& t : all)
    if (name == t.name) return &t;
  return nullptr;
}

}  // namespace

TEST_CASE("tooling info: the extension is offered and nothing is active by default", "[tooling]") {
  test::ScopedEnv noTrace("EMVK_TRACE", std::nullopt);
  test::ScopedEnv noDumps("EMVK_DUMP_SHADERS", std::nullopt);
  test::Instance instance;
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(instance.physical, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(instance.physical, nullptr, &count, extensions.data());
  bool offered = false;
  for (const auto& e : extensions) offered |= std::string(e.extensionName) == "VK_EXT_tooling_info";
  CHECK(offered);
  CHECK(tools(instance).empty());
}

TEST_CASE("tooling info: the trace and shader dumps are named while they write", "[tooling]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("emvk-tooling-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string trace = (dir / "trace.json").string();
  test::ScopedEnv traceOn("EMVK_TRACE", trace);
  test::ScopedEnv dumpsOn("EMVK_DUMP_SHADERS", dir.string());
  test::Instance instance;
  const auto all = tools(instance);
  REQUIRE(all.size() == 2);
  const auto* t = find(all, "emvk trace");
  REQUIRE(t);
  CHECK(t->purposes == VK_TOOL_PURPOSE_TRACING_BIT);
  CHECK(std::string(t->description).find(trace) != std::string::npos);
  CHECK(std::string(t->layer).empty());
  CHECK(std::string(t->version).size() > 0);
  const auto* d = find(all, "emvk shader dumps");
  REQUIRE(d);
  CHECK(std::string(d->description).find(dir.string()) != std::string::npos);

  // The two-call idiom: room for one of two. (The validation layer of 1.3.239 answers this call
  // itself without the driver's VK_INCOMPLETE, so it is checked without a layer.)
  if (instance.validationEnabled) return;
  auto get = instance.proc<PFN_vkGetPhysicalDeviceToolPropertiesEXT>(
      "vkGetPhysicalDeviceToolPropertiesEXT");
  uint32_t one = 1;
  VkPhysicalDeviceToolProperties first{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TOOL_PROPERTIES};
  CHECK(get(instance.physical, &one, &first) == VK_INCOMPLETE);
  CHECK(one == 1);
}

TEST_CASE("tooling info: emvk-inspect is named while the process holds shareable memory",
          "[tooling]") {
  test::ScopedEnv noTrace("EMVK_TRACE", std::nullopt);
  test::ScopedEnv noDumps("EMVK_DUMP_SHADERS", std::nullopt);
  test::Instance instance;
  test::Device device(instance, {.extensions = {VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME,
                                                VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME}});
  CHECK(find(tools(instance), "emvk-inspect") == nullptr);
  external::SharedBuffer shared;
  REQUIRE(external::exportableBuffer(device.handle, 4096, device.hostVisibleMemoryType(), false,
                                     shared) == VK_SUCCESS);
  const auto whileShared = tools(instance);
  const auto* inspect = find(whileShared, "emvk-inspect");
  REQUIRE(inspect);
  CHECK(inspect->purposes == VK_TOOL_PURPOSE_TRACING_BIT);
  vkDestroyBuffer(device.handle, shared.buffer, nullptr);
  vkFreeMemory(device.handle, shared.memory, nullptr);
  CHECK(find(tools(instance), "emvk-inspect") == nullptr);
}

TEST_CASE("tooling info: a capability profile is named as modifying features", "[tooling]") {
  // A profile that keeps VK_EXT_tooling_info (the spec's minimum profiles remove it, and with it
  // this query: the loader then answers with no tools).
  const auto dir =
      std::filesystem::temp_directory_path() / ("emvk-tooling-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "with_tooling.json").string();
  std::ofstream(file) << R"({
    "profiles": {"VP_TEST_tooling": {"version": 1, "api-version": "1.1.0", "label": "tooling",
                                     "description": "a device that only reports its tools",
                                     "capabilities": ["base"]}},
    "capabilities": {"base": {"extensions": {"VK_EXT_tooling_info": 1}}}
  })";
  test::ScopedEnv noTrace("EMVK_TRACE", std::nullopt);
  test::ScopedEnv noDumps("EMVK_DUMP_SHADERS", std::nullopt);
  test::ScopedEnv profile("EMVK_PROFILE", file);
  test::Instance instance;
  const auto all = tools(instance);
  REQUIRE(all.size() == 1);
  CHECK(std::string(all[0].name) == "emvk capability profile");
  CHECK(all[0].purposes == VK_TOOL_PURPOSE_MODIFYING_FEATURES_BIT);
  CHECK(std::string(all[0].description).find("VP_TEST_tooling") != std::string::npos);
}
