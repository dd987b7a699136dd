// The ICD library itself, opened the way the loader opens it: what it exports and how it answers
// interface negotiation. Everything else about the driver is reached through these entry points
// (docs: Vulkan-Loader LoaderDriverInterface.md, "Driver Vulkan Entry Point Discovery").
#include <dlfcn.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

using NegotiateFn = VkResult(VKAPI_PTR*)(uint32_t*);
using IcdProcAddrFn = PFN_vkVoidFunction(VKAPI_PTR*)(VkInstance, const char*);

// dlopen()s libemvk.so with RTLD_LOCAL, as the loader does, so nothing it exports leaks into this
// process's global namespace.
class IcdLibrary {
 public:
  IcdLibrary() {
    path = probe::emvkLibraryPath();
    if (path.empty()) return;
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  }
  ~IcdLibrary() {
    if (handle) dlclose(handle);
  }
  IcdLibrary(const IcdLibrary&) = delete;
  IcdLibrary& operator=(const IcdLibrary&) = delete;

  void* symbol(const char* name) const { return dlsym(handle, name); }

  std::string path;
  void* handle = nullptr;
};

// Skips (with a warning) outside a ctest run of the emvk build; fails if the manifest names a
// library that cannot be loaded.
#define REQUIRE_ICD_LIBRARY(library)                                                   \
  do {                                                                                 \
    if ((library).path.empty()) {                                                      \
      WARN("EMVK_BINARY_DIR/emvk_icd.json not found: ICD library checks skipped");     \
      return;                                                                          \
    }                                                                                  \
    INFO("dlopen(" << (library).path << "): " << ((library).handle ? "" : dlerror())); \
    REQUIRE((library).handle != nullptr);                                              \
  } while (0)

uint32_t negotiate(const IcdLibrary& library, uint32_t loaderVersion, VkResult* result) {
  auto fn =
      reinterpret_cast<NegotiateFn>(library.symbol("vk_icdNegotiateLoaderICDInterfaceVersion"));
  REQUIRE(fn != nullptr);
  uint32_t version = loaderVersion;
  *result = fn(&version);
  return version;
}

}  // namespace

TEST_CASE("icd: the library exports only vk_icd* entry points", "[icd][exports]") {
  IcdLibrary library;
  REQUIRE_ICD_LIBRARY(library);

  CHECK(library.symbol("vk_icdNegotiateLoaderICDInterfaceVersion") != nullptr);
  CHECK(library.symbol("vk_icdGetInstanceProcAddr") != nullptr);
  CHECK(library.symbol("vk_icdGetPhysicalDeviceProcAddr") != nullptr);
  // Exported vk* names would shadow the loader's trampolines in applications that link both
  // (LoaderDriverInterface.md: drivers at interface version >= 2 export only vk_icd*).
  for (const char* name : {"vkCreateInstance", "vkGetInstanceProcAddr", "vkGetDeviceProcAddr",
                           "vkEnumerateInstanceExtensionProperties", "vkCreateDevice",
                           "vkQueueSubmit", "vkAllocateMemory", "vkCmdCopyBuffer"}) {
    CAPTURE(name);
    CHECK(library.symbol(name) == nullptr);
  }
}

TEST_CASE("icd: nm lists no dynamic symbol other than vk_icd*", "[icd][exports]") {
  IcdLibrary library;
  REQUIRE_ICD_LIBRARY(library);
  if (!probe::haveProgram("nm")) {
    WARN("nm not installed: dynamic symbol table check skipped");
    return;
  }
  probe::CommandResult nm = probe::runCommand("nm -D --defined-only '" + library.path + "' 2>&1");
  INFO(nm.output);
  REQUIRE(nm.exitCode == 0);

  // Lines are "<address> <type> <name>[@version]". Functions and data of every binding count;
  // 'A' (absolute: version nodes) and other non-code types do not.
  const std::string codeOrData = "TtWwDdBbRrVvGgSsiu";
  std::istringstream lines(nm.output);
  std::string line;
  int exported = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string address, type, name;
    if (!(fields >> address >> type >> name) || type.size() != 1) continue;
    if (codeOrData.find(type[0]) == std::string::npos) continue;
    name = name.substr(0, name.find('@'));
    CAPTURE(line);
    CHECK(name.rfind("vk_icd", 0) == 0);
    ++exported;
  }
  CHECK(exported >= 3);
}

TEST_CASE("icd: interface version negotiation", "[icd][exports]") {
  IcdLibrary library;
  REQUIRE_ICD_LIBRARY(library);
  VkResult result;

  // The loader offers its newest version; the driver answers the newest both support.
  uint32_t agreed = negotiate(library, 7, &result);
  CHECK(result == VK_SUCCESS);
  CHECK(agreed >= 5);
  CHECK(agreed <= 7);

  // A newer loader than the driver knows is fine: the loader decides whether it can go down.
  uint32_t fromNewer = negotiate(library, 100, &result);
  CHECK(result == VK_SUCCESS);
  CHECK(fromNewer >= agreed);
  CHECK(fromNewer <= 100);

  // emvk needs interface >= 5 (the loader checks apiVersion for it). A loader offering at most 4
  // cannot drive it: "no longer supports the interface version provided by the loader" ->
  // VK_ERROR_INCOMPATIBLE_DRIVER (LoaderDriverInterface.md, Version Negotiation).
  negotiate(library, 4, &result);
  CHECK(result == VK_ERROR_INCOMPATIBLE_DRIVER);

  // Interface 7: the vk_icd* functions are also reachable through vk_icdGetInstanceProcAddr.
  if (negotiate(library, 7, &result) >= 7) {
    auto gipa = reinterpret_cast<IcdProcAddrFn>(library.symbol("vk_icdGetInstanceProcAddr"));
    REQUIRE(gipa != nullptr);
    CHECK(gipa(VK_NULL_HANDLE, "vk_icdNegotiateLoaderICDInterfaceVersion") != nullptr);
    CHECK(gipa(VK_NULL_HANDLE, "vk_icdGetPhysicalDeviceProcAddr") != nullptr);
  }
}

TEST_CASE("icd: vk_icdGetPhysicalDeviceProcAddr answers physical-device commands only",
          "[icd][exports]") {
  IcdLibrary library;
  REQUIRE_ICD_LIBRARY(library);
  VkResult result;
  negotiate(library, 7, &result);  // the loader's first call, before any other
  REQUIRE(result == VK_SUCCESS);

  auto gipa = reinterpret_cast<IcdProcAddrFn>(library.symbol("vk_icdGetInstanceProcAddr"));
  auto gpdpa = reinterpret_cast<IcdProcAddrFn>(library.symbol("vk_icdGetPhysicalDeviceProcAddr"));
  REQUIRE(gipa != nullptr);
  REQUIRE(gpdpa != nullptr);

  // The driver's own VkInstance, created without the loader in between.
  auto createInstance =
      reinterpret_cast<PFN_vkCreateInstance>(gipa(VK_NULL_HANDLE, "vkCreateInstance"));
  REQUIRE(createInstance != nullptr);
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  VkInstance instance = VK_NULL_HANDLE;
  VK_CHECK(createInstance(&info, nullptr, &instance));
  auto destroyInstance =
      reinterpret_cast<PFN_vkDestroyInstance>(gipa(instance, "vkDestroyInstance"));
  REQUIRE(destroyInstance != nullptr);

  CHECK(gpdpa(instance, "vkGetPhysicalDeviceProperties") != nullptr);
  CHECK(gpdpa(instance, "vkGetPhysicalDeviceMemoryProperties") != nullptr);
  // Not physical-device commands: instance/device level, or no command at all. (vkCreateDevice
  // is left out: it is dispatched from a VkPhysicalDevice, so the spec's glossary makes it
  // physical-device-level, and the loader never asks this entry point for it anyway.)
  CHECK(gpdpa(instance, "vkDestroyInstance") == nullptr);
  CHECK(gpdpa(instance, "vkCmdCopyBuffer") == nullptr);
  CHECK(gpdpa(instance, "vkQueueSubmit") == nullptr);
  CHECK(gpdpa(instance, "vkDoesNotExist") == nullptr);

  destroyInstance(instance, nullptr);
}
