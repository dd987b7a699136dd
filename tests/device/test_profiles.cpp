// Capability profiles (EMVK_PROFILE, docs/PROFILES.md): a user picks a profile and emvk reports
// only what the profile lists and emvk has, refuses what the profile removed, and says so; a
// profile that cannot be read stops vkCreateInstance instead of running unprofiled.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compute/pipeline.hpp"
#include "device/json.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"
#include "tools/scoped_env.hpp"

namespace {

// Sets (or, with nullptr, unsets) an environment variable for one scope, then puts back what was
// there: the driver reads EMVK_PROFILE at each vkCreateInstance, so nothing leaks into the next
// instance or test.
using test::ScopedEnv;

// A scratch folder, removed with everything in it at the end of the scope.
class ScratchDir {
 public:
  ScratchDir() {
    char name[] = "/tmp/emvk-profiles-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path = name;
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& file, const std::string& text) const {
    std::ofstream(path / file) << text;
    return (path / file).string();
  }
  std::filesystem::path path;
};

// As tests/icd/test_vulkaninfo.cpp: under TSan vulkaninfo needs the runtime preloaded.
std::string vulkaninfo() {
#if defined(__SANITIZE_THREAD__)
  return "env LD_PRELOAD=libtsan.so.2 vulkaninfo";
#else
  return "vulkaninfo";
#endif
}

VkPhysicalDeviceFeatures features(VkPhysicalDevice physical) {
  VkPhysicalDeviceFeatures f;
  vkGetPhysicalDeviceFeatures(physical, &f);
  return f;
}

std::set<std::string> deviceExtensions(VkPhysicalDevice physical) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> list(count);
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, list.data());
  std::set<std::string> names;
  for (const auto& e : list) names.insert(e.extensionName);
  return names;
}

// vkCreateDevice with one queue, the features and extensions given; the device is destroyed.
VkResult tryCreateDevice(VkPhysicalDevice physical, const VkPhysicalDeviceFeatures* features,
                         std::vector<const char*> extensions = {}) {
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue;
  info.pEnabledFeatures = features;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VkDevice device = VK_NULL_HANDLE;
  const VkResult r = vkCreateDevice(physical, &info, nullptr, &device);
  if (r == VK_SUCCESS) vkDestroyDevice(device, nullptr);
  return r;
}

// A user's profile file: emvk less shaderFloat64, with Vulkan 1.1's minimum shared memory and
// workgroup invocations, without VK_EXT_robustness2, and R8G8B8A8_UNORM without storage texel
// buffers.
constexpr const char* kSmallProfile = R"({
  "profiles": {
    "VP_EMVK_test_small": {
      "version": 1, "api-version": "1.1.0", "label": "small", "description": "a test profile",
      "capabilities": ["small"]
    }
  },
  "capabilities": {
    "small": {
      "extensions": {"VK_KHR_timeline_semaphore": 2, "VK_KHR_synchronization2": 1},
      "features": {
        "VkPhysicalDeviceFeatures": {"robustBufferAccess": true, "shaderInt16": true,
                                     "shaderInt64": true, "shaderFloat64": false},
        "VkPhysicalDeviceTimelineSemaphoreFeatures": {"timelineSemaphore": true}
      },
      "properties": {
        "VkPhysicalDeviceProperties": {
          "limits": {"maxComputeSharedMemorySize": 16384, "maxComputeWorkGroupInvocations": 128}
        }
      },
      "formats": {
        "VK_FORMAT_R8G8B8A8_UNORM": {
          "VkFormatProperties": {
            "linearTilingFeatures": ["VK_FORMAT_FEATURE_TRANSFER_SRC_BIT", "VK_FORMAT_FEATURE_TRANSFER_DST_BIT"],
            "optimalTilingFeatures": ["VK_FORMAT_FEATURE_TRANSFER_SRC_BIT", "VK_FORMAT_FEATURE_TRANSFER_DST_BIT"],
            "bufferFeatures": ["VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT"]
          }
        }
      }
    }
  }
})";

// The spec's "Required Limits" table (Vulkan 1.1, section "Limit Requirements"), typed by hand:
// the value a Vulkan 1.1 device without optional features must at least offer. Independent of
// device/profiles/*.json on purpose, so a wrong data file fails here.
struct RequiredLimit {
  const char* name;
  std::vector<double> value;  // one element per array element
};
const std::vector<RequiredLimit> kRequiredLimits = {
    {"maxImageDimension1D", {4096}},
    {"maxImageDimension2D", {4096}},
    {"maxImageDimension3D", {256}},
    {"maxImageDimensionCube", {4096}},
    {"maxImageArrayLayers", {256}},
    {"maxTexelBufferElements", {65536}},
    {"maxUniformBufferRange", {16384}},
    {"maxStorageBufferRange", {134217728}},
    {"maxPushConstantsSize", {128}},
    {"maxMemoryAllocationCount", {4096}},
    {"maxSamplerAllocationCount", {4000}},
    {"bufferImageGranularity", {131072}},
    {"sparseAddressSpaceSize", {0}},
    {"maxBoundDescriptorSets", {4}},
    {"maxPerStageDescriptorSamplers", {16}},
    {"maxPerStageDescriptorUniformBuffers", {12}},
    {"maxPerStageDescriptorStorageBuffers", {4}},
    {"maxPerStageDescriptorSampledImages", {16}},
    {"maxPerStageDescriptorStorageImages", {4}},
    {"maxPerStageDescriptorInputAttachments", {4}},
    {"maxPerStageResources", {128}},
    {"maxDescriptorSetSamplers", {96}},
    {"maxDescriptorSetUniformBuffers", {72}},
    {"maxDescriptorSetUniformBuffersDynamic", {8}},
    {"maxDescriptorSetStorageBuffers", {24}},
    {"maxDescriptorSetStorageBuffersDynamic", {4}},
    {"maxDescriptorSetSampledImages", {96}},
    {"maxDescriptorSetStorageImages", {24}},
    {"maxDescriptorSetInputAttachments", {4}},
    {"maxVertexInputAttributes", {16}},
    {"maxVertexInputBindings", {16}},
    {"maxVertexInputAttributeOffset", {2047}},
    {"maxVertexInputBindingStride", {2048}},
    {"maxVertexOutputComponents", {64}},
    {"maxTessellationGenerationLevel", {0}},
    {"maxTessellationPatchSize", {0}},
    {"maxTessellationControlPerVertexInputComponents", {0}},
    {"maxTessellationControlPerVertexOutputComponents", {0}},
    {"maxTessellationControlPerPatchOutputComponents", {0}},
    {"maxTessellationControlTotalOutputComponents", {0}},
    {"maxTessellationEvaluationInputComponents", {0}},
    {"maxTessellationEvaluationOutputComponents", {0}},
    {"maxGeometryShaderInvocations", {0}},
    {"maxGeometryInputComponents", {0}},
    {"maxGeometryOutputComponents", {0}},
    {"maxGeometryOutputVertices", {0}},
    {"maxGeometryTotalOutputComponents", {0}},
    {"maxFragmentInputComponents", {64}},
    {"maxFragmentOutputAttachments", {4}},
    {"maxFragmentDualSrcAttachments", {0}},
    {"maxFragmentCombinedOutputResources", {4}},
    {"maxComputeSharedMemorySize", {16384}},
    {"maxComputeWorkGroupCount", {65535, 65535, 65535}},
    {"maxComputeWorkGroupInvocations", {128}},
    {"maxComputeWorkGroupSize", {128, 128, 64}},
    {"subPixelPrecisionBits", {4}},
    {"subTexelPrecisionBits", {4}},
    {"mipmapPrecisionBits", {4}},
    {"maxDrawIndexedIndexValue", {16777215}},
    {"maxDrawIndirectCount", {1}},
    {"maxSamplerLodBias", {2}},
    {"maxSamplerAnisotropy", {1}},
    {"maxViewports", {1}},
    {"maxViewportDimensions", {4096, 4096}},
    {"viewportBoundsRange", {-8192, 8191}},
    {"viewportSubPixelBits", {0}},
    {"minMemoryMapAlignment", {64}},
    {"minTexelBufferOffsetAlignment", {256}},
    {"minUniformBufferOffsetAlignment", {256}},
    {"minStorageBufferOffsetAlignment", {256}},
    {"minTexelOffset", {-8}},
    {"maxTexelOffset", {7}},
    {"minTexelGatherOffset", {0}},
    {"maxTexelGatherOffset", {0}},
    {"minInterpolationOffset", {0}},
    {"maxInterpolationOffset", {0}},
    {"subPixelInterpolationOffsetBits", {0}},
    {"maxFramebufferWidth", {4096}},
    {"maxFramebufferHeight", {4096}},
    {"maxFramebufferLayers", {256}},
    {"maxColorAttachments", {4}},
    {"maxSampleMaskWords", {1}},
    {"maxClipDistances", {0}},
    {"maxCullDistances", {0}},
    {"maxCombinedClipAndCullDistances", {0}},
    {"discreteQueuePriorities", {2}},
    {"pointSizeRange", {1, 1}},
    {"lineWidthRange", {1, 1}},
    {"pointSizeGranularity", {0}},
    {"lineWidthGranularity", {0}},
    {"nonCoherentAtomSize", {256}},
};
// The sample-count limits of the same table, as flag names.
const std::map<std::string, std::set<std::string>> kRequiredSampleCounts = {
    {"framebufferColorSampleCounts", {"VK_SAMPLE_COUNT_1_BIT", "VK_SAMPLE_COUNT_4_BIT"}},
    {"framebufferDepthSampleCounts", {"VK_SAMPLE_COUNT_1_BIT", "VK_SAMPLE_COUNT_4_BIT"}},
    {"framebufferStencilSampleCounts", {"VK_SAMPLE_COUNT_1_BIT", "VK_SAMPLE_COUNT_4_BIT"}},
    {"framebufferNoAttachmentsSampleCounts", {"VK_SAMPLE_COUNT_1_BIT", "VK_SAMPLE_COUNT_4_BIT"}},
    {"sampledImageColorSampleCounts", {"VK_SAMPLE_COUNT_1_BIT", "VK_SAMPLE_COUNT_4_BIT"}},
    {"sampledImageIntegerSampleCounts", {"VK_SAMPLE_COUNT_1_BIT"}},
    {"sampledImageDepthSampleCounts", {"VK_SAMPLE_COUNT_1_BIT", "VK_SAMPLE_COUNT_4_BIT"}},
    {"sampledImageStencilSampleCounts", {"VK_SAMPLE_COUNT_1_BIT", "VK_SAMPLE_COUNT_4_BIT"}},
    {"storageImageSampleCounts", {"VK_SAMPLE_COUNT_1_BIT"}},
};
// Core 1.1 properties with required limits (the same table, 1.1 rows).
const std::map<std::string, std::map<std::string, double>> kRequired11Properties = {
    {"VkPhysicalDeviceMultiviewProperties",
     {{"maxMultiviewViewCount", 6}, {"maxMultiviewInstanceIndex", 134217727}}},
    {"VkPhysicalDeviceMaintenance3Properties",
     {{"maxPerSetDescriptors", 1024}, {"maxMemoryAllocationSize", 1073741824}}},
};
// Section "Feature Requirements": all a Vulkan 1.1 device must support.
const std::set<std::string> kRequired11Features = {"VkPhysicalDeviceFeatures.robustBufferAccess",
                                                   "VkPhysicalDeviceMultiviewFeatures.multiview"};
// The extensions promoted to core in Vulkan 1.1 (appendix "Core Revisions", Version 1.1): a 1.1
// device may list them, and a 1.1 minimum device nothing else.
const std::set<std::string> kPromotedTo11 = {
    "VK_KHR_16bit_storage",
    "VK_KHR_bind_memory2",
    "VK_KHR_dedicated_allocation",
    "VK_KHR_descriptor_update_template",
    "VK_KHR_device_group",
    "VK_KHR_external_fence",
    "VK_KHR_external_memory",
    "VK_KHR_external_semaphore",
    "VK_KHR_get_memory_requirements2",
    "VK_KHR_maintenance1",
    "VK_KHR_maintenance2",
    "VK_KHR_maintenance3",
    "VK_KHR_multiview",
    "VK_KHR_relaxed_block_layout",
    "VK_KHR_sampler_ycbcr_conversion",
    "VK_KHR_shader_draw_parameters",
    "VK_KHR_storage_buffer_storage_class",
    "VK_KHR_variable_pointers",
};

// A compute pipeline of `words` with `bindings` storage buffers, specialised to a workgroup of
// `width` x 1 x 1 (local_size_x_id 0, y and z ids 1 and 2 when the shader has them).
VkResult tryCreatePipeline(VkDevice device, const std::vector<uint32_t>& words, uint32_t bindings,
                           uint32_t width) {
  std::vector<VkDescriptorSetLayoutBinding> slots(bindings);
  for (uint32_t i = 0; i < bindings; ++i)
    slots[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          nullptr, 0, bindings, slots.data()};
  VkDescriptorSetLayout setLayout;
  REQUIRE(vkCreateDescriptorSetLayout(device, &setInfo, nullptr, &setLayout) == VK_SUCCESS);
  VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layoutInfo.setLayoutCount = 1;
  layoutInfo.pSetLayouts = &setLayout;
  VkPipelineLayout layout;
  REQUIRE(vkCreatePipelineLayout(device, &layoutInfo, nullptr, &layout) == VK_SUCCESS);
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, nullptr, 0,
                                      words.size() * 4, words.data()};
  VkShaderModule module;
  REQUIRE(vkCreateShaderModule(device, &moduleInfo, nullptr, &module) == VK_SUCCESS);
  compute_test::Specialization spec;
  spec.set(0, width).set(1, 1u).set(2, 1u);
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                nullptr,
                0,
                VK_SHADER_STAGE_COMPUTE_BIT,
                module,
                "main",
                spec.info()};
  info.layout = layout;
  VkPipeline pipeline = VK_NULL_HANDLE;
  const VkResult r = vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline);
  vkDestroyPipeline(device, pipeline, nullptr);
  vkDestroyShaderModule(device, module, nullptr);
  vkDestroyPipelineLayout(device, layout, nullptr);
  vkDestroyDescriptorSetLayout(device, setLayout, nullptr);
  return r;
}

// vkCreateInstance with a messenger chained in, as an application that wants to hear why.
struct CreationAttempt {
  VkResult result;
  test::Messages messages;
};

VKAPI_ATTR VkBool32 VKAPI_CALL collect(VkDebugUtilsMessageSeverityFlagBitsEXT,
                                       VkDebugUtilsMessageTypeFlagsEXT,
                                       const VkDebugUtilsMessengerCallbackDataEXT* data,
                                       void* user) {
  auto* messages = static_cast<test::Messages*>(user);
  std::lock_guard lock(messages->mutex);
  messages->all.push_back(data->pMessage ? data->pMessage : "");
  return VK_FALSE;
}

void createInstance(CreationAttempt& attempt) {
  VkDebugUtilsMessengerCreateInfoEXT debug{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  debug.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                          VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  debug.messageType =
      VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT;
  debug.pfnUserCallback = collect;
  debug.pUserData = &attempt.messages;
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_1;
  const char* extension = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, &debug};
  info.pApplicationInfo = &app;
  info.enabledExtensionCount = 1;
  info.ppEnabledExtensionNames = &extension;
  VkInstance instance = VK_NULL_HANDLE;
  attempt.result = vkCreateInstance(&info, nullptr, &instance);
  if (instance) vkDestroyInstance(instance, nullptr);
}

// Runs `vulkaninfo --json` with EMVK_PROFILE=`profile` in `scratch` and returns the file it wrote
// (vulkaninfo 1.3.2xx writes VP_VULKANINFO_<device>_<version>.json into the working directory).
std::string vulkaninfoJson(const ScratchDir& scratch, const std::string& profile) {
  const probe::CommandResult run =
      probe::runCommand("cd '" + scratch.path.string() + "' && EMVK_PROFILE='" + profile + "' " +
                        vulkaninfo() + " --json 2>/dev/null");
  REQUIRE(run.exitCode == 0);
  std::string file;
  for (const auto& entry : std::filesystem::directory_iterator(scratch.path))
    if (entry.path().extension() == ".json") file = entry.path().string();
  REQUIRE(!file.empty());
  return file;
}

}  // namespace

TEST_CASE("profile: vulkan-1.1-minimum, read back by vulkaninfo --json, is the spec's table",
          "[profile][vulkaninfo]") {
  if (!probe::haveProgram("vulkaninfo")) {
    WARN("vulkaninfo not installed (package vulkan-tools): skipped");
    return;
  }
  ScratchDir scratch;
  emvk::json::ParseResult parsed =
      emvk::json::parse(probe::readFile(vulkaninfoJson(scratch, "vulkan-1.1-minimum")));
  INFO(parsed.error);
  REQUIRE(parsed.value);
  const emvk::json::Value* device = parsed.value->at({"capabilities", "device"});
  REQUIRE(device);

  const emvk::json::Value* core = device->at({"properties", "VkPhysicalDeviceProperties"});
  REQUIRE(core);
  CHECK(core->find("deviceName")->string().find("(profile ") != std::string::npos);
  CHECK(VK_API_VERSION_MINOR(core->find("apiVersion")->unsignedInteger().value_or(0)) == 1);
  const emvk::json::Value* limits = core->find("limits");
  REQUIRE(limits);
  for (const RequiredLimit& limit : kRequiredLimits) {
    INFO(limit.name);
    const emvk::json::Value* v = limits->find(limit.name);
    REQUIRE(v);
    if (limit.value.size() == 1) {
      REQUIRE(v->isNumber());
      CHECK(v->number() == limit.value[0]);
      continue;
    }
    REQUIRE(v->isArray());
    REQUIRE(v->array().size() == limit.value.size());
    for (size_t i = 0; i < limit.value.size(); ++i) CHECK(v->array()[i].number() == limit.value[i]);
  }
  for (const auto& [name, flags] : kRequiredSampleCounts) {
    INFO(name);
    const emvk::json::Value* v = limits->find(name);
    REQUIRE(v);
    REQUIRE(v->isArray());
    std::set<std::string> reported;
    for (const auto& flag : v->array()) reported.insert(flag.string());
    CHECK(reported == flags);
  }
  for (const auto& [structName, members] : kRequired11Properties) {
    for (const auto& [member, value] : members) {
      INFO(structName << "::" << member);
      const emvk::json::Value* v = device->at({"properties", structName, member});
      REQUIRE(v);
      CHECK(v->number() == value);
    }
  }

  // Only the features 1.1 requires are true, and those are.
  const emvk::json::Value* features = device->find("features");
  REQUIRE(features);
  std::set<std::string> enabled;
  for (const auto& [structName, members] : features->members())
    for (const auto& [member, value] : members.members())
      if (value.isBool() && value.boolean()) enabled.insert(structName + "." + member);
  CHECK(enabled == kRequired11Features);

  const emvk::json::Value* extensions = device->find("extensions");
  REQUIRE(extensions);
  for (const auto& [name, version] : extensions->members()) {
    INFO(name);
    CHECK(kPromotedTo11.count(name) == 1);
  }
}

TEST_CASE("profile: emvk's own vulkaninfo --json, read back as a profile, changes nothing",
          "[profile][vulkaninfo]") {
  if (!probe::haveProgram("vulkaninfo")) {
    WARN("vulkaninfo not installed (package vulkan-tools): skipped");
    return;
  }
  ScratchDir scratch;
  const std::string file = vulkaninfoJson(scratch, "");

  VkPhysicalDeviceProperties plain;
  VkPhysicalDeviceFeatures plainFeatures;
  std::set<std::string> plainExtensions;
  {
    ScopedEnv none("EMVK_PROFILE", std::nullopt);
    test::Instance instance;
    if (!probe::isEmvk(instance.physical)) return;
    vkGetPhysicalDeviceProperties(instance.physical, &plain);
    plainFeatures = features(instance.physical);
    plainExtensions = deviceExtensions(instance.physical);
  }
  // Every structure, member, enumerant and flag name vulkaninfo writes is one the reader knows:
  // otherwise this vkCreateInstance fails.
  ScopedEnv profile("EMVK_PROFILE", file);
  test::Instance instance;
  VkPhysicalDeviceProperties p;
  vkGetPhysicalDeviceProperties(instance.physical, &p);
  CHECK(std::memcmp(&p.limits, &plain.limits, sizeof(p.limits)) == 0);
  CHECK(p.apiVersion == plain.apiVersion);
  const VkPhysicalDeviceFeatures f = features(instance.physical);
  CHECK(std::memcmp(&f, &plainFeatures, sizeof(f)) == 0);
  CHECK(deviceExtensions(instance.physical) == plainExtensions);
  CHECK_FALSE(instance.messages.contains("does not fully satisfy"));
}

TEST_CASE("profile: a user's file removes a feature, limits, an extension and format features",
          "[profile]") {
  ScratchDir scratch;
  const std::string file = scratch.write("small.json", kSmallProfile);

  // emvk as it is, for comparison: the file removes things emvk has.
  VkPhysicalDeviceIDProperties id{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceProperties2 plain{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &id};
  {
    ScopedEnv none("EMVK_PROFILE", std::nullopt);
    test::Instance instance;
    if (!probe::isEmvk(instance.physical)) return;
    vkGetPhysicalDeviceProperties2(instance.physical, &plain);
    REQUIRE(features(instance.physical).shaderFloat64);
    REQUIRE(deviceExtensions(instance.physical).count("VK_EXT_robustness2") == 1);
    VkFormatProperties rgba8;
    vkGetPhysicalDeviceFormatProperties(instance.physical, VK_FORMAT_R8G8B8A8_UNORM, &rgba8);
    REQUIRE((rgba8.bufferFeatures & VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT));
    REQUIRE(plain.properties.limits.maxComputeWorkGroupInvocations > 128);
  }

  ScopedEnv profile("EMVK_PROFILE", file);
  test::Instance instance;
  const VkPhysicalDeviceFeatures f = features(instance.physical);
  CHECK_FALSE(f.shaderFloat64);
  CHECK(f.shaderInt64);
  CHECK(f.robustBufferAccess);

  VkPhysicalDeviceIDProperties profiledId{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceProperties2 p{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &profiledId};
  vkGetPhysicalDeviceProperties2(instance.physical, &p);
  CHECK(p.properties.limits.maxComputeSharedMemorySize == 16384);
  CHECK(p.properties.limits.maxComputeWorkGroupInvocations == 128);
  // What the file does not name stays emvk's.
  CHECK(p.properties.limits.maxComputeWorkGroupSize[0] ==
        plain.properties.limits.maxComputeWorkGroupSize[0]);
  CHECK(std::string(p.properties.deviceName).find("(profile VP_EMVK_test_small)") !=
        std::string::npos);
  // Interop and caches match on these: a profile never changes them.
  CHECK(std::memcmp(profiledId.deviceUUID, id.deviceUUID, VK_UUID_SIZE) == 0);
  CHECK(std::memcmp(profiledId.driverUUID, id.driverUUID, VK_UUID_SIZE) == 0);
  CHECK(std::memcmp(p.properties.pipelineCacheUUID, plain.properties.pipelineCacheUUID,
                    VK_UUID_SIZE) == 0);

  const std::set<std::string> extensions = deviceExtensions(instance.physical);
  CHECK(extensions.count("VK_EXT_robustness2") == 0);
  CHECK(extensions.count("VK_KHR_timeline_semaphore") == 1);
  VkPhysicalDeviceRobustness2FeaturesEXT robustness2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT};
  VkPhysicalDeviceTimelineSemaphoreFeatures timeline{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, &robustness2};
  VkPhysicalDeviceFeatures2 chain{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &timeline};
  vkGetPhysicalDeviceFeatures2(instance.physical, &chain);
  CHECK(timeline.timelineSemaphore);
  CHECK_FALSE(robustness2.nullDescriptor);

  VkFormatProperties rgba8;
  vkGetPhysicalDeviceFormatProperties(instance.physical, VK_FORMAT_R8G8B8A8_UNORM, &rgba8);
  CHECK(rgba8.bufferFeatures == VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT);
  CHECK((rgba8.optimalTilingFeatures & VK_FORMAT_FEATURE_TRANSFER_DST_BIT));
}

TEST_CASE("profile: vkCreateDevice refuses what the profile removed, naming the profile",
          "[profile]") {
  ScratchDir scratch;
  ScopedEnv profile("EMVK_PROFILE", scratch.write("small.json", kSmallProfile));
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // asks for a feature and an extension not reported

  VkPhysicalDeviceFeatures wanted{};
  wanted.shaderFloat64 = VK_TRUE;
  CHECK(tryCreateDevice(instance.physical, &wanted) == VK_ERROR_FEATURE_NOT_PRESENT);
  CHECK(instance.messages.contains("shaderFloat64 is removed by the profile VP_EMVK_test_small"));

  // The loader checks extensions against vkEnumerateDeviceExtensionProperties before emvk sees
  // the call, so the refusal may come from either; the code is the same.
  CHECK(tryCreateDevice(instance.physical, nullptr, {"VK_EXT_robustness2"}) ==
        VK_ERROR_EXTENSION_NOT_PRESENT);

  // What the profile keeps still works.
  wanted = {};
  wanted.shaderInt64 = VK_TRUE;
  CHECK(tryCreateDevice(instance.physical, &wanted, {"VK_KHR_timeline_semaphore"}) == VK_SUCCESS);
}

TEST_CASE("profile: pipelines and buffer views beyond the profile's limits are refused",
          "[profile]") {
  ScratchDir scratch;
  ScopedEnv profile("EMVK_PROFILE", scratch.write("small.json", kSmallProfile));
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // each refused object breaks a limit on purpose
  test::Device device(instance);
  using compute_test::spirv;
  using compute_test::Variant;

  // 4 KiB of shared memory, 128 invocations: inside the profile.
  CHECK(tryCreatePipeline(device.handle, spirv("barriers", Variant::Plain), 4, 128) == VK_SUCCESS);
  // 256 invocations: VUID-RuntimeSpirv-x-06432 against the profile's 128.
  CHECK(tryCreatePipeline(device.handle, spirv("barriers", Variant::Plain), 4, 256) != VK_SUCCESS);
  CHECK(instance.messages.contains("exceed maxComputeWorkGroupInvocations = 128"));
  // 32 KiB of Workgroup memory: VUID-RuntimeSpirv-Workgroup-06530 against the profile's 16 KiB.
  CHECK(tryCreatePipeline(device.handle, spirv("profile_shared", Variant::Plain), 1, 64) !=
        VK_SUCCESS);
  CHECK(instance.messages.contains("exceed maxComputeSharedMemorySize = 16384"));

  // R8G8B8A8_UNORM lost STORAGE_TEXEL_BUFFER: a storage texel view of it is refused like any
  // format without the feature (VUID-VkBufferViewCreateInfo-buffer-00934).
  test::Buffer buffer = device.createBuffer(
      4096, VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT);
  VkBufferViewCreateInfo view{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  view.buffer = buffer.buffer;
  view.format = VK_FORMAT_R8G8B8A8_UNORM;
  view.range = VK_WHOLE_SIZE;
  VkBufferView handle = VK_NULL_HANDLE;
  CHECK(vkCreateBufferView(device.handle, &view, nullptr, &handle) ==
        VK_ERROR_FORMAT_NOT_SUPPORTED);
  CHECK(instance.messages.contains("has no STORAGE_TEXEL_BUFFER feature"));
  device.destroy(buffer);
}

TEST_CASE("profile: lower limits bound allocations and dispatches, fewer format features images",
          "[profile]") {
  ScratchDir scratch;
  const std::string file = scratch.write("tight.json", R"({
    "profiles": {"VP_EMVK_test_tight": {"version": 1, "api-version": "1.1.0", "label": "tight",
                                        "description": "tight limits", "capabilities": ["tight"]}},
    "capabilities": {"tight": {
      "features": {"VkPhysicalDeviceFeatures": {"robustBufferAccess": true}},
      "properties": {"VkPhysicalDeviceProperties": {"limits": {
        "maxMemoryAllocationCount": 2, "maxComputeWorkGroupCount": [4, 65535, 65535]}}},
      "formats": {"VK_FORMAT_R8_UNORM": {"VkFormatProperties": {
        "linearTilingFeatures": ["VK_FORMAT_FEATURE_TRANSFER_SRC_BIT", "VK_FORMAT_FEATURE_TRANSFER_DST_BIT"],
        "optimalTilingFeatures": ["VK_FORMAT_FEATURE_TRANSFER_SRC_BIT"]}}}
    }}
  })");
  ScopedEnv profile("EMVK_PROFILE", file);
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // each refusal below breaks a limit on purpose
  test::Device device(instance);

  // VUID-vkAllocateMemory-maxMemoryAllocationCount-04101: two live allocations, no third.
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, nullptr, 4096,
                            device.hostVisibleMemoryType()};
  VkDeviceMemory memory[3] = {};
  REQUIRE(vkAllocateMemory(device.handle, &info, nullptr, &memory[0]) == VK_SUCCESS);
  REQUIRE(vkAllocateMemory(device.handle, &info, nullptr, &memory[1]) == VK_SUCCESS);
  CHECK(vkAllocateMemory(device.handle, &info, nullptr, &memory[2]) == VK_ERROR_TOO_MANY_OBJECTS);
  CHECK(instance.messages.contains("maxMemoryAllocationCount"));
  vkFreeMemory(device.handle, memory[0], nullptr);
  CHECK(vkAllocateMemory(device.handle, &info, nullptr, &memory[2]) == VK_SUCCESS);
  vkFreeMemory(device.handle, memory[1], nullptr);
  vkFreeMemory(device.handle, memory[2], nullptr);

  // VUID-vkCmdDispatch-groupCountX-00386: 5 groups along x against the profile's 4 are not
  // recorded.
  VkCommandBuffer cb = device.begin();
  vkCmdDispatch(cb, 5, 1, 1);
  REQUIRE(vkEndCommandBuffer(cb) == VK_SUCCESS);
  CHECK(instance.messages.contains("exceed maxComputeWorkGroupCount[0] = 4"));

  // R8_UNORM lost TRANSFER_DST in optimal tiling: the image-format query and vkCreateImage agree.
  VkImageFormatProperties properties;
  auto query = [&](VkImageTiling tiling, VkImageUsageFlags usage) {
    return vkGetPhysicalDeviceImageFormatProperties(
        instance.physical, VK_FORMAT_R8_UNORM, VK_IMAGE_TYPE_2D, tiling, usage, 0, &properties);
  };
  CHECK(query(VK_IMAGE_TILING_OPTIMAL, VK_IMAGE_USAGE_TRANSFER_DST_BIT) ==
        VK_ERROR_FORMAT_NOT_SUPPORTED);
  CHECK(query(VK_IMAGE_TILING_OPTIMAL, VK_IMAGE_USAGE_TRANSFER_SRC_BIT) == VK_SUCCESS);
  CHECK(query(VK_IMAGE_TILING_LINEAR, VK_IMAGE_USAGE_TRANSFER_DST_BIT) == VK_SUCCESS);
  VkImageCreateInfo image{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  image.imageType = VK_IMAGE_TYPE_2D;
  image.format = VK_FORMAT_R8_UNORM;
  image.extent = {16, 16, 1};
  image.mipLevels = 1;
  image.arrayLayers = 1;
  image.samples = VK_SAMPLE_COUNT_1_BIT;
  image.tiling = VK_IMAGE_TILING_OPTIMAL;
  image.usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  VkImage handle = VK_NULL_HANDLE;
  CHECK(vkCreateImage(device.handle, &image, nullptr, &handle) == VK_ERROR_FORMAT_NOT_SUPPORTED);
  CHECK(instance.messages.contains("removed by the profile VP_EMVK_test_tight"));
}

TEST_CASE("profile: asking for more than emvk has adds nothing and warns", "[profile]") {
  ScratchDir scratch;
  const std::string file = scratch.write("big.json", R"({
    "profiles": {"VP_EMVK_test_big": {"version": 1, "api-version": "1.3.0", "label": "big",
                                      "description": "more than emvk", "capabilities": ["big"]}},
    "capabilities": {"big": {
      "extensions": {"VK_KHR_maintenance4": 2},
      "features": {"VkPhysicalDeviceFeatures": {"robustBufferAccess": true, "geometryShader": true}},
      "properties": {"VkPhysicalDeviceProperties": {"limits": {"maxComputeWorkGroupInvocations": 4096}}}
    }}
  })");
  ScopedEnv profile("EMVK_PROFILE", file);
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  CHECK_FALSE(features(instance.physical).geometryShader);
  CHECK(features(instance.physical).robustBufferAccess);
  VkPhysicalDeviceProperties p;
  vkGetPhysicalDeviceProperties(instance.physical, &p);
  CHECK(p.limits.maxComputeWorkGroupInvocations == 1024);
  CHECK(VK_API_VERSION_MINOR(p.apiVersion) == 1);
  CHECK(deviceExtensions(instance.physical).count("VK_KHR_maintenance4") == 0);
  // One warning, at vkCreateInstance, names all of it.
  bool named = false;
  {
    std::lock_guard lock(instance.messages.mutex);
    for (const std::string& w : instance.messages.warnings)
      named |= w.find("does not fully satisfy") != std::string::npos &&
               w.find("Vulkan 1.3") != std::string::npos &&
               w.find("VkPhysicalDeviceFeatures::geometryShader") != std::string::npos &&
               w.find("limits.maxComputeWorkGroupInvocations") != std::string::npos &&
               w.find("VK_KHR_maintenance4") != std::string::npos;
  }
  CHECK(named);
}

TEST_CASE("profile: a file of several profiles needs #NAME, and the name picks one", "[profile]") {
  ScratchDir scratch;
  const std::string file = scratch.write("two.json", R"({
    "profiles": {
      "VP_A": {"version": 1, "api-version": "1.1.0", "label": "a", "description": "a", "capabilities": ["a"]},
      "VP_B": {"version": 1, "api-version": "1.0.0", "label": "b", "description": "b", "capabilities": ["a"]}
    },
    "capabilities": {"a": {"features": {"VkPhysicalDeviceFeatures": {"robustBufferAccess": true}}}}
  })");
  {
    ScopedEnv profile("EMVK_PROFILE", file);
    CreationAttempt attempt;
    createInstance(attempt);
    CHECK(attempt.result != VK_SUCCESS);
    CHECK(attempt.messages.contains("holds 2 profiles"));
  }
  ScopedEnv profile("EMVK_PROFILE", (file + "#VP_B").c_str());
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  VkPhysicalDeviceProperties p;
  vkGetPhysicalDeviceProperties(instance.physical, &p);
  CHECK(VK_API_VERSION_MINOR(p.apiVersion) == 0);
  CHECK(std::string(p.deviceName).find("(profile VP_B)") != std::string::npos);
}

namespace {

// A sparse file of `bytes` zero bytes: big without costing the disk.
std::string bigFile(const ScratchDir& scratch, const std::string& name, uintmax_t bytes) {
  const auto path = scratch.path / name;
  std::ofstream(path).close();
  std::filesystem::resize_file(path, bytes);
  return path.string();
}

}  // namespace

TEST_CASE("profile: an unusable EMVK_PROFILE fails vkCreateInstance and says why", "[profile]") {
  ScratchDir scratch;
  struct Case {
    std::string value, why;
  };
  const std::string valid = R"("profiles": {"VP_X": {"version": 1, "api-version": "1.1.0",
      "label": "x", "description": "x", "capabilities": ["c"]}})";
  const std::vector<Case> cases = {
      {"vulkan-9.9-minimum", "is not a built-in profile"},
      {(scratch.path / "missing.json").string(), "cannot open"},
      {scratch.write("malformed.json", "{\n  \"profiles\": {,\n}"), "line 2, column"},
      {scratch.write("struct.json", "{" + valid + R"(, "capabilities": {"c": {"features":
           {"VkPhysicalDeviceFeaturez": {"robustBufferAccess": true}}}}})"),
       "VkPhysicalDeviceFeaturez: not a feature structure"},
      {scratch.write("member.json", "{" + valid + R"(, "capabilities": {"c": {"properties":
           {"VkPhysicalDeviceProperties": {"limits": {"maxComputeWorkGroupInvocationz": 1}}}}}})"),
       "no member \"maxComputeWorkGroupInvocationz\""},
      {scratch.write("capability.json", "{" + valid + "}"), "capability \"c\" is not defined"},
      {scratch.write("flag.json", "{" + valid + R"(, "capabilities": {"c": {"formats":
           {"VK_FORMAT_R8_UNORM": {"VkFormatProperties": {"bufferFeatures": ["VK_NOT_A_FLAG"]}}}}}})"),
       "is not a VkFormatFeatureFlagBits name"},
      {"/dev/zero", "is not a regular file"},
      {scratch.path.string() + "/", "is not a regular file"},
      {bigFile(scratch, "huge.json", (16 << 20) + 1), "a profile file may have 16 MiB at most"},
  };
  for (const Case& c : cases) {
    INFO("EMVK_PROFILE=" << c.value);
    ScopedEnv profile("EMVK_PROFILE", c.value.c_str());
    CreationAttempt attempt;
    createInstance(attempt);
    CHECK(attempt.result != VK_SUCCESS);
    CHECK(attempt.messages.contains(c.why));
    CHECK(attempt.messages.contains("EMVK_PROFILE"));
  }
  // The variable is read at each vkCreateInstance: unset, the next instance is emvk unprofiled.
  test::Instance instance;
  VkPhysicalDeviceProperties p;
  vkGetPhysicalDeviceProperties(instance.physical, &p);
  CHECK(std::string(p.deviceName).find("(profile") == std::string::npos);
}
