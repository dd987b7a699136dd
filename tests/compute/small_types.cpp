// 8- and 16-bit types through the loader: an application enables shaderFloat16, shaderInt8,
// shaderInt16 and 8/16-bit storage at vkCreateDevice (VK_KHR_shader_float16_int8,
// VK_KHR_16bit_storage, VK_KHR_8bit_storage) and runs tests/compute/shaders/small_types.comp,
// which reads and writes halves and bytes in storage buffers and 16-bit push constants.
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "compute/jit_shaders.hpp"
#include "compute/pipeline.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using namespace compute_test;

namespace {

// Half values as bits, through GCC's correctly rounded _Float16 conversions; arithmetic on them
// is done in float and rounded once, as each half operation is.
uint16_t halfBits(float v) { return std::bit_cast<uint16_t>(static_cast<_Float16>(v)); }
float fromBits(uint16_t bits) { return static_cast<float>(std::bit_cast<_Float16>(bits)); }
float toHalf(float v) { return fromBits(halfBits(v)); }

}  // namespace

TEST_CASE("compute: a device with 16-bit storage, float16 and int8 runs a small-type shader",
          "[compute]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  VkPhysicalDevice8BitStorageFeatures storage8{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES};
  storage8.storageBuffer8BitAccess = VK_TRUE;
  VkPhysicalDevice16BitStorageFeatures storage16{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES, &storage8};
  storage16.storageBuffer16BitAccess = VK_TRUE;
  storage16.storagePushConstant16 = VK_TRUE;
  VkPhysicalDeviceShaderFloat16Int8Features arithmetic{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES, &storage16};
  arithmetic.shaderFloat16 = VK_TRUE;
  arithmetic.shaderInt8 = VK_TRUE;
  VkPhysicalDeviceFeatures2 enable{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &arithmetic};
  enable.features.shaderInt16 = VK_TRUE;
  test::DeviceOptions options;
  options.pNext = &enable;
  options.extensions = {VK_KHR_16BIT_STORAGE_EXTENSION_NAME, VK_KHR_8BIT_STORAGE_EXTENSION_NAME,
                        VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME};
  test::Device device(instance, options);

  const uint32_t n = 64 * 4;
  std::vector<uint16_t> in(n * 2);
  std::vector<int8_t> bytes(n * 4);
  for (uint32_t i = 0; i < n; ++i) {
    in[2 * i] = halfBits(static_cast<float>(static_cast<int32_t>(i * 37 % 401) - 200) / 3.0f);
    in[2 * i + 1] = halfBits(static_cast<float>(i % 13) * 0.75f - 4.0f);  // 0 once in 13
    for (uint32_t k = 0; k < 4; ++k) bytes[4 * i + k] = static_cast<int8_t>(i * 7 + k * 61);
  }
  struct {
    uint16_t scale;
    int16_t add;
  } parameters{halfBits(0.1f), -1234};

  for (Variant variant : {Variant::Plain, Variant::Optimized}) {
    INFO(variantName(variant));
    const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    auto input = device.createBuffer(n * 4, usage);
    auto output = device.createBuffer(n * 8, usage);
    auto byteBuffer = device.createBuffer(n * 4, usage);
    std::memcpy(input.data, in.data(), n * 4);
    std::memset(output.data, 0x5a, n * 8);
    std::memcpy(byteBuffer.data, bytes.data(), n * 4);
    Program program(device, spirv("small_types", variant), 3, sizeof parameters);
    program.bindBuffers({&input, &output, &byteBuffer});
    const VkPipeline pipeline = program.pipeline();
    device.run([&](VkCommandBuffer cb) {
      program.bind(cb, pipeline);
      program.push(cb, parameters);
      vkCmdDispatch(cb, n / 64, 1, 1);
      toHost(cb);
    });

    const auto* out = output.as<uint16_t>();
    const auto* gotBytes = byteBuffer.as<int8_t>();
    for (uint32_t i = 0; i < n; ++i) {
      const float x = fromBits(in[2 * i]), y = fromBits(in[2 * i + 1]);
      INFO("invocation " << i << ": x = " << x << ", y = " << y);
      CHECK(out[4 * i + 0] == halfBits(x + y));
      CHECK(out[4 * i + 1] == halfBits(toHalf(x * y) * fromBits(parameters.scale)));
      CHECK(out[4 * i + 2] == halfBits(static_cast<float>(
                                  static_cast<int16_t>(static_cast<int16_t>(x) + parameters.add))));
      CHECK(out[4 * i + 3] == halfBits(x / y));  // y is never 0
      for (uint32_t k = 0; k < 4; ++k) {
        CHECK(gotBytes[4 * i + k] == static_cast<int8_t>(static_cast<uint8_t>(
                                         bytes[4 * i + k] * 3 + static_cast<int32_t>(i))));
      }
    }
    device.destroy(input);
    device.destroy(output);
    device.destroy(byteBuffer);
  }
}

// VK_KHR_shader_subgroup_extended_types: subgroup operations on small and 64-bit types
// (tests/jit/subgroup_types.comp; the JIT test checks every result against a model).
TEST_CASE("compute: subgroup operations on 8/16/64-bit integers, half and double", "[compute]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  VkPhysicalDeviceShaderSubgroupExtendedTypesFeatures extended{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_SUBGROUP_EXTENDED_TYPES_FEATURES};
  VkPhysicalDeviceShaderFloat16Int8Features arithmetic{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES, &extended};
  VkPhysicalDeviceFeatures2 query{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &arithmetic};
  vkGetPhysicalDeviceFeatures2(instance.physical, &query);
  REQUIRE(extended.shaderSubgroupExtendedTypes == VK_TRUE);
  VkPhysicalDeviceFeatures2 enable{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &arithmetic};
  enable.features.shaderInt16 = VK_TRUE;
  enable.features.shaderInt64 = VK_TRUE;
  enable.features.shaderFloat64 = VK_TRUE;
  test::DeviceOptions options;
  options.pNext = &enable;
  options.extensions = {VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME,
                        VK_KHR_SHADER_SUBGROUP_EXTENDED_TYPES_EXTENSION_NAME};
  test::Device device(instance, options);

  const std::vector<uint32_t> words = compute_test::jitShader("subgroup_types.optimized.spv");
  auto output = device.createBuffer(64 * 10 * 8, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  Program program(device, words, 1);
  program.bindBuffers({&output});
  const VkPipeline pipeline = program.pipeline();
  device.run([&](VkCommandBuffer cb) {
    program.bind(cb, pipeline);
    vkCmdDispatch(cb, 1, 1, 1);
    toHost(cb);
  });
  // The 64-bit sum over each subgroup (o[2]), as the reported subgroup size groups them.
  VkPhysicalDeviceSubgroupProperties subgroup{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &subgroup};
  vkGetPhysicalDeviceProperties2(instance.physical, &properties);
  const uint32_t w = subgroup.subgroupSize;
  for (uint32_t i = 0; i < 64; ++i) {
    int64_t sum = 0;
    for (uint32_t k = i / w * w; k < i / w * w + w; ++k) sum += int64_t(k) * 1000000007LL;
    INFO("invocation " << i);
    CHECK(output.as<int64_t>()[i * 10 + 2] == sum);
  }
  device.destroy(output);
}
