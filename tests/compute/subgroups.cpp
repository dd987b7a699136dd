// Subgroup operations through the loader: tests/compute/shaders/subgroups.comp reports each
// invocation's subgroup built-ins and election. What any Vulkan 1.1 device must satisfy is checked
// for every invocation (sizes agree with VkPhysicalDeviceSubgroupProperties, each (subgroup,
// invocation) pair once, one elected invocation per subgroup); a device whose subgroups are one
// invocation wide, as emvk's scalar JIT reports today, must give the exact values. (Aimed at
// lavapipe 22.3.6, whose subgroups are 8 wide, the test finds duplicate (subgroup, invocation)
// pairs in the 4x2x3 workgroup: its rows of 4 each start a subgroup at invocation 0.)
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"

using namespace compute_test;

TEST_CASE("compute: subgroup built-ins and election agree with the reported subgroup size",
          "[compute][subgroup]") {
  forEachWorkerCount([] {
    test::Instance instance;
    VkPhysicalDeviceSubgroupProperties subgroup{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                           &subgroup};
    vkGetPhysicalDeviceProperties2(instance.physical, &properties);
    REQUIRE((subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0);
    REQUIRE((subgroup.supportedOperations & VK_SUBGROUP_FEATURE_BASIC_BIT) != 0);
    const uint32_t size = subgroup.subgroupSize;
    REQUIRE(size >= 1);
    test::Device device(instance);
    const uint32_t groups = 3;
    for (Variant variant : {Variant::Plain, Variant::Optimized}) {
      Program program(device, spirv("subgroups", variant), 1);
      for (const std::array<uint32_t, 3> shape :
           {std::array<uint32_t, 3>{1, 1, 1}, {7, 1, 1}, {64, 1, 1}, {4, 2, 3}, {128, 1, 1}}) {
        const uint32_t n = shape[0] * shape[1] * shape[2];
        INFO(variantName(variant) << ", workgroup " << shape[0] << "x" << shape[1] << "x"
                                  << shape[2] << ", subgroup size " << size);
        auto out = device.createBuffer(groups * n * 32, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
        program.bindBuffers({&out});
        Specialization spec;
        spec.set(0, shape[0]).set(1, shape[1]).set(2, shape[2]);
        const VkPipeline pipeline = program.pipeline(&spec);
        device.run([&](VkCommandBuffer cb) {
          program.bind(cb, pipeline);
          vkCmdDispatch(cb, groups, 1, 1);
          toHost(cb);
        });
        for (uint32_t g = 0; g < groups; ++g) {
          std::set<std::pair<uint32_t, uint32_t>> seen;
          std::map<uint32_t, uint32_t> members, elected;
          const uint32_t* first = out.as<uint32_t>() + g * n * 8;
          for (uint32_t l = 0; l < n; ++l) {
            const uint32_t* o = first + l * 8;
            INFO("workgroup " << g << ", invocation " << l << ": size " << o[0] << ", id " << o[1]
                              << ", subgroup " << o[2] << " of " << o[3] << ", elected " << o[4]
                              << ", marks " << o[5]);
            CHECK(o[0] == size);
            CHECK(o[1] < size);
            CHECK(o[2] < o[3]);
            CHECK(o[3] == first[3]);  // NumSubgroups is the same across the workgroup
            CHECK(o[3] >= (n + size - 1) / size);
            CHECK(o[6] == l);
            CHECK(o[7] == n);
            CHECK(seen.insert({o[2], o[1]}).second);
            ++members[o[2]];
            elected[o[2]] += o[4];
            if (size == 1) {
              CHECK(o[1] == 0);
              CHECK(o[2] == l);
              CHECK(o[3] == n);
              CHECK(o[4] == 1);
            }
          }
          for (uint32_t l = 0; l < n; ++l) {
            const uint32_t* o = first + l * 8;
            INFO("workgroup " << g << ", invocation " << l << ", subgroup " << o[2]);
            CHECK(o[5] == members[o[2]] + 1000);  // every member counted, one elected
            CHECK(elected[o[2]] == 1);
          }
        }
        device.destroy(out);
      }
    }
  });
}
