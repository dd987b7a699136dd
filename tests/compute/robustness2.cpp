// VK_EXT_robustness2 through the loader: the features and properties emvk reports, buffer accesses
// bounds-checked per component against ranges that end inside a vector (robustBufferAccess2), and
// null buffer and texel buffer descriptors (nullDescriptor) that read 0 and drop writes.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"

using namespace compute_test;

namespace {

// A device with robustBufferAccess, robustBufferAccess2 and nullDescriptor enabled
// (VUID-VkPhysicalDeviceRobustness2FeaturesEXT-robustBufferAccess2-04000: the first two together).
struct RobustDevice {
  VkPhysicalDeviceRobustness2FeaturesEXT robustness{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT, nullptr, VK_TRUE, VK_FALSE,
      VK_TRUE};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &robustness};
  test::DeviceOptions options() {
    features.features.robustBufferAccess = VK_TRUE;
    test::DeviceOptions o;
    o.extensions = {VK_EXT_ROBUSTNESS_2_EXTENSION_NAME};
    o.pNext = &features;
    return o;
  }
};

// Binding `binding` of the program's set: `range` bytes of `buffer` from 0, or a null descriptor.
void bindRange(test::Device& device, VkDescriptorSet set, uint32_t binding,
               const test::Buffer* buffer, VkDeviceSize range) {
  VkDescriptorBufferInfo info{buffer ? buffer->buffer : VK_NULL_HANDLE, 0,
                              buffer ? range : VK_WHOLE_SIZE};
  VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, set,   binding, 0, 1,
                             VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,      nullptr, &info, nullptr};
  vkUpdateDescriptorSets(device.handle, 1, &write, 0, nullptr);
}

constexpr uint32_t kInvocations = 16;
constexpr uint32_t kGuard = 0xa5a5a5a5u;

// Runs shaders/robustness2.comp with src and dst bound over `range` bytes (null when `null`) and
// returns the result buffer's words: srcLength, dstLength, 2 pad, then 16 vec4.
struct Run {
  std::vector<uint32_t> result;
  std::vector<uint32_t> dst;  // all of dst's words, guard words included
};

Run run(test::Device& device, Variant variant, VkDeviceSize range, bool null) {
  auto src = device.createBuffer(kInvocations * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  auto dst = device.createBuffer(kInvocations * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  auto result = device.createBuffer(16 + kInvocations * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  for (uint32_t i = 0; i < kInvocations * 4; ++i) src.as<float>()[i] = float(100 + i);
  for (uint32_t i = 0; i < kInvocations * 4; ++i) dst.as<uint32_t>()[i] = kGuard;
  std::memset(result.data, 0xcd, result.size);
  Run out;
  {
    Program program(device, spirv("robustness2", variant), 3);
    VkPipeline pipeline = program.pipeline();
    // All three whole, then 0 and 1 again with the range under test.
    program.bindBuffers({&src, &dst, &result});
    VkDescriptorSet set = program.set();
    bindRange(device, set, 0, null ? nullptr : &src, range);
    bindRange(device, set, 1, null ? nullptr : &dst, range);
    device.run([&](VkCommandBuffer cb) {
      program.bind(cb, pipeline);
      vkCmdDispatch(cb, 1, 1, 1);
      toHost(cb);
    });
  }
  out.result.assign(result.as<uint32_t>(), result.as<uint32_t>() + result.size / 4);
  out.dst.assign(dst.as<uint32_t>(), dst.as<uint32_t>() + dst.size / 4);
  device.destroy(src);
  device.destroy(dst);
  device.destroy(result);
  return out;
}

float asFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace

TEST_CASE("robustness2: features, properties and the extension are reported",
          "[compute][robustness]") {
  test::Instance instance;
  VkPhysicalDeviceRobustness2FeaturesEXT robustness{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &robustness};
  vkGetPhysicalDeviceFeatures2(instance.physical, &features);
  CHECK(features.features.robustBufferAccess == VK_TRUE);
  CHECK(robustness.robustBufferAccess2 == VK_TRUE);
  CHECK(robustness.nullDescriptor == VK_TRUE);
  CHECK(robustness.robustImageAccess2 == VK_FALSE);  // no images in shaders yet

  VkPhysicalDeviceRobustness2PropertiesEXT properties{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_PROPERTIES_EXT};
  VkPhysicalDeviceProperties2 p2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &properties};
  vkGetPhysicalDeviceProperties2(instance.physical, &p2);
  CHECK(properties.robustStorageBufferAccessSizeAlignment == 1);
  CHECK(properties.robustUniformBufferAccessSizeAlignment == 1);

  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(instance.physical, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(instance.physical, nullptr, &count, extensions.data());
  bool found = false;
  for (const auto& e : extensions)
    found |= std::strcmp(e.extensionName, VK_EXT_ROBUSTNESS_2_EXTENSION_NAME) == 0;
  CHECK(found);

  RobustDevice robust;
  test::Device device(instance, robust.options());
  CHECK(device.handle != VK_NULL_HANDLE);
}

TEST_CASE("robustness2: a vec4 partly inside the range keeps its inside components",
          "[compute][robustness]") {
  test::Instance instance;
  RobustDevice robust;
  test::Device device(instance, robust.options());
  for (const Variant variant : {Variant::Plain, Variant::Optimized}) {
    INFO(variantName(variant));
    // 24 bytes: vec4 0 whole, x and y of vec4 1; the rest is outside.
    Run r = run(device, variant, 24, false);
    CHECK(r.result[0] == 1);  // length(): whole elements only
    CHECK(r.result[1] == 1);
    const uint32_t* v = r.result.data() + 4;
    for (uint32_t i = 0; i < kInvocations; ++i)
      for (uint32_t c = 0; c < 4; ++c) {
        const uint32_t word = i * 4 + c;
        const float expected = word < 6 ? float(100 + word) : 0.0f;
        if (asFloat(v[word]) != expected)
          FAIL_CHECK("read vec4 " << i << "." << c << ": got " << asFloat(v[word]) << ", expected "
                                  << expected);
      }
    // Written: the 6 words inside the range; every other word keeps its guard.
    for (uint32_t word = 0; word < kInvocations * 4; ++word) {
      const bool inside = word < 6;
      if (inside && asFloat(r.dst[word]) != float(word + 1))
        FAIL_CHECK("written word " << word << ": got " << asFloat(r.dst[word]));
      if (!inside && r.dst[word] != kGuard)
        FAIL_CHECK("word " << word << " outside the range was written: 0x" << std::hex
                           << r.dst[word]);
    }
  }
}

TEST_CASE("robustness2: null buffer descriptors read 0, drop writes and have length 0",
          "[compute][robustness]") {
  test::Instance instance;
  RobustDevice robust;
  test::Device device(instance, robust.options());
  for (const Variant variant : {Variant::Plain, Variant::Optimized}) {
    INFO(variantName(variant));
    Run r = run(device, variant, 0, true);
    CHECK(r.result[0] == 0);
    CHECK(r.result[1] == 0);
    for (uint32_t word = 0; word < kInvocations * 4; ++word) {
      if (r.result[4 + word] != 0) FAIL_CHECK("read word " << word << " is not 0");
      if (r.dst[word] != kGuard) FAIL_CHECK("dst word " << word << " was written");
    }
  }
}

TEST_CASE("robustness2: a null texel buffer view reads (0,0,0,0) and has no texels",
          "[compute][robustness]") {
  test::Instance instance;
  RobustDevice robust;
  test::Device device(instance, robust.options());
  auto out = device.createBuffer(16 + 64 * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  std::memset(out.data, 0xcd, out.size);
  {
    // texel_fetch_float: o.size = textureSize, o.values[i] = texelFetch(i) for i < count.
    Program program(device, spirv("texel_fetch_float", Variant::Optimized),
                    {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER},
                    4);
    VkPipeline pipeline = program.pipeline();
    const VkBufferView nullView = VK_NULL_HANDLE;
    VkDescriptorBufferInfo outInfo{out.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet writes[] = {
        {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, program.set(), 0, 0, 1,
         VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, nullptr, nullptr, &nullView},
        {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, program.set(), 1, 0, 1,
         VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nullptr, &outInfo, nullptr}};
    vkUpdateDescriptorSets(device.handle, 2, writes, 0, nullptr);
    const uint32_t count = 64;
    device.run([&](VkCommandBuffer cb) {
      program.bind(cb, pipeline);
      program.push(cb, count);
      vkCmdDispatch(cb, 1, 1, 1);
      toHost(cb);
    });
  }
  CHECK(out.as<uint32_t>()[0] == 0);  // textureSize of a null view
  for (uint32_t word = 0; word < 64 * 4; ++word)
    if (out.as<uint32_t>()[4 + word] != 0) FAIL_CHECK("texel word " << word << " is not 0");
  device.destroy(out);
}

TEST_CASE("robustness2: without nullDescriptor a null buffer descriptor is refused with a message",
          "[compute][robustness]") {
  test::Instance instance;
  instance.expectInvalidUsage = true;  // VUID-VkDescriptorBufferInfo-buffer-02998, on purpose
  test::Device device(instance);
  auto result = device.createBuffer(64, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  {
    Program program(device, spirv("robustness2", Variant::Optimized), 3);
    program.bindBuffers({&result, &result, &result});
    bindRange(device, program.set(), 0, nullptr, 0);
  }
  CHECK(instance.messages.contains("nullDescriptor feature is not enabled"));
  device.destroy(result);
}

TEST_CASE("robustness2: null image descriptors are taken with nullDescriptor, refused without",
          "[compute][robustness]") {
  for (const bool enabled : {true, false}) {
    INFO("nullDescriptor " << (enabled ? "enabled" : "not enabled"));
    test::Instance instance;
    // VUID-VkWriteDescriptorSet-descriptorType-02997, broken on purpose without the feature.
    instance.expectInvalidUsage = !enabled;
    RobustDevice robust;
    test::Device device(instance, enabled ? robust.options() : test::DeviceOptions{});
    VkDescriptorSetLayoutBinding binding{0, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1,
                                         VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                            nullptr, 0, 1, &binding};
    VkDescriptorSetLayout layout;
    VK_CHECK(vkCreateDescriptorSetLayout(device.handle, &setInfo, nullptr, &layout));
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1};
    VkDescriptorPoolCreateInfo poolInfo{
        VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, nullptr, 0, 1, 1, &size};
    VkDescriptorPool pool;
    VK_CHECK(vkCreateDescriptorPool(device.handle, &poolInfo, nullptr, &pool));
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, nullptr, pool,
                                      1, &layout};
    VkDescriptorSet set;
    VK_CHECK(vkAllocateDescriptorSets(device.handle, &alloc, &set));
    VkDescriptorImageInfo image{VK_NULL_HANDLE, VK_NULL_HANDLE, VK_IMAGE_LAYOUT_GENERAL};
    VkWriteDescriptorSet write{
        VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, nullptr, set,     0,      0, 1,
        VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,       &image,  nullptr, nullptr};
    vkUpdateDescriptorSets(device.handle, 1, &write, 0, nullptr);
    CHECK(instance.messages.contains("nullDescriptor feature is not enabled") == !enabled);
    vkDestroyDescriptorPool(device.handle, pool, nullptr);
    vkDestroyDescriptorSetLayout(device.handle, layout, nullptr);
  }
}
