// Workgroup barriers through the loader: tests/compute/shaders/barriers.comp reverses, scans and
// reduces each workgroup's values in shared memory, for workgroups of 1 to 1024 invocations in one,
// two and three dimensions, specialised through local_size_*_id; every output element is checked.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"

using namespace compute_test;

namespace {

constexpr uint32_t kGroups = 3;

void checkBarriers(test::Device& device, Program& program, Variant variant,
                   std::array<uint32_t, 3> shape) {
  const uint32_t n = shape[0] * shape[1] * shape[2], count = n * kGroups;
  INFO(variantName(variant) << ", workgroup " << shape[0] << "x" << shape[1] << "x" << shape[2]);
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  auto in = device.createBuffer(count * 4, usage);
  auto reversed = device.createBuffer(count * 4, usage);
  auto scan = device.createBuffer(count * 4, usage);
  auto sums = device.createBuffer(kGroups * 4, usage);
  for (uint32_t i = 0; i < count; ++i) {
    in.as<uint32_t>()[i] = i * 2654435761u % 1000u;
    reversed.as<uint32_t>()[i] = scan.as<uint32_t>()[i] = 0xdeadbeef;
  }
  program.bindBuffers({&in, &reversed, &scan, &sums});
  Specialization spec;
  spec.set(0, shape[0]).set(1, shape[1]).set(2, shape[2]);
  const VkPipeline pipeline = program.pipeline(&spec);
  device.run([&](VkCommandBuffer cb) {
    program.bind(cb, pipeline);
    vkCmdDispatch(cb, kGroups, 1, 1);
    toHost(cb);
  });

  const uint32_t* v = in.as<uint32_t>();
  for (uint32_t g = 0; g < kGroups; ++g) {
    uint32_t prefix = 0, sum = 0;
    for (uint32_t l = 0; l < n; ++l) {
      const uint32_t at = g * n + l;
      prefix += v[at];
      sum += v[at] * v[at] + l;
      if (reversed.as<uint32_t>()[at] != v[g * n + n - 1 - l])
        FAIL("reversed[" << at << "] = " << reversed.as<uint32_t>()[at] << ", expected "
                         << v[g * n + n - 1 - l]);
      if (scan.as<uint32_t>()[at] != prefix)
        FAIL("scan[" << at << "] = " << scan.as<uint32_t>()[at] << ", expected " << prefix);
    }
    if (sums.as<uint32_t>()[g] != sum)
      FAIL("sums[" << g << "] = " << sums.as<uint32_t>()[g] << ", expected " << sum);
  }
  device.destroy(in);
  device.destroy(reversed);
  device.destroy(scan);
  device.destroy(sums);
}

// emvk reports maxComputeWorkGroupInvocations 1024 (device/physical_device_limits.cpp). On a
// driver with smaller limits (this suite also runs against others) the larger shapes are
// out-of-limit usage that the validation copy must tolerate (VUID-RuntimeSpirv-x-06432).
bool beyondLimits(VkPhysicalDevice physical, const std::array<uint32_t, 3>& shape) {
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(physical, &properties);
  const VkPhysicalDeviceLimits& limits = properties.limits;
  return shape[0] * shape[1] * shape[2] > limits.maxComputeWorkGroupInvocations ||
         shape[0] > limits.maxComputeWorkGroupSize[0] ||
         shape[1] > limits.maxComputeWorkGroupSize[1] ||
         shape[2] > limits.maxComputeWorkGroupSize[2];
}

void checkShapes(const std::vector<std::array<uint32_t, 3>>& shapes) {
  forEachWorkerCount([&] {
    test::Instance instance;
    for (const auto& shape : shapes)
      instance.expectInvalidUsage |= beyondLimits(instance.physical, shape);
    test::Device device(instance);
    for (Variant variant : {Variant::Plain, Variant::Optimized}) {
      Program program(device, spirv("barriers", variant), 4);
      for (const auto& shape : shapes) checkBarriers(device, program, variant, shape);
    }
  });
}

}  // namespace

TEST_CASE("compute: barriers wait in workgroups of 1, 7 and 64 invocations", "[compute][barrier]") {
  checkShapes({{1, 1, 1}, {7, 1, 1}, {64, 1, 1}});
}

TEST_CASE("compute: barriers wait in workgroups of 256 and 1024 invocations",
          "[compute][barrier]") {
  checkShapes({{256, 1, 1}, {1024, 1, 1}});
}

TEST_CASE("compute: barriers wait in 2D and 3D workgroups of up to 105 invocations",
          "[compute][barrier]") {
  checkShapes({{1, 7, 1}, {8, 4, 2}, {3, 5, 7}});
}

TEST_CASE("compute: barriers wait in 2D and 3D workgroups of 1024 invocations",
          "[compute][barrier]") {
  checkShapes({{32, 32, 1}, {4, 16, 16}});
}
