// Descriptor pools: maxSets and per-type sizes run out with VK_ERROR_OUT_OF_POOL_MEMORY, a failed
// allocation of several sets leaves nothing behind, and freeing, resetting and destroying give the
// room back.
#include <catch2/catch.hpp>
#include <vector>

#include "descriptor/descriptors.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using descriptors::binding;

namespace {

const VkDescriptorSet kUntouched = reinterpret_cast<VkDescriptorSet>(uintptr_t{0xdead});

// A set layout with `count` storage buffers.
VkDescriptorSetLayout storageLayout(test::Device& device, uint32_t count) {
  return descriptors::createLayout(device.handle,
                                   {binding(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, count)});
}

}  // namespace

TEST_CASE("descriptor: a pool hands out maxSets sets, then VK_ERROR_OUT_OF_POOL_MEMORY",
          "[descriptor]") {
  test::Instance instance;
  test::Device device(instance);
  VkDescriptorSetLayout layout = storageLayout(device, 1);
  VkDescriptorPool pool =
      descriptors::createPool(device.handle, 3, {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 100}});
  std::vector<VkDescriptorSet> sets;
  for (int i = 0; i < 3; ++i) {
    VK_CHECK(descriptors::allocate(device.handle, pool, {layout}, sets));
    CHECK(sets[0] != VK_NULL_HANDLE);
    CHECK(sets[0] != kUntouched);
  }
  // Past maxSets an allocation "may" fail (section "Allocation of Descriptor Sets"); emvk's does.
  if (probe::isEmvk(instance.physical)) {
    CHECK(descriptors::allocate(device.handle, pool, {layout}, sets) ==
          VK_ERROR_OUT_OF_POOL_MEMORY);
    CHECK(sets[0] == VK_NULL_HANDLE);
    // Running out is not an application error: emvk says why at info level only.
    CHECK(instance.messages.contains("all 3 sets of the pool (maxSets) are allocated"));
    CHECK(descriptors::driverErrors(instance) == 0);
  }
  vkDestroyDescriptorPool(device.handle, pool, nullptr);  // frees the three sets
  vkDestroyDescriptorSetLayout(device.handle, layout, nullptr);
}

TEST_CASE("descriptor: a pool runs out of one descriptor type while sets are left",
          "[descriptor]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  VkDescriptorSetLayout three = storageLayout(device, 3);
  VkDescriptorSetLayout one = storageLayout(device, 1);
  VkDescriptorSetLayout uniform =
      descriptors::createLayout(device.handle, {binding(0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER)});
  // Two sizes of one type add up to 4 storage buffers.
  VkDescriptorPool pool = descriptors::createPool(device.handle, 10,
                                                  {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2},
                                                   {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1},
                                                   {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2}});
  std::vector<VkDescriptorSet> sets;
  VK_CHECK(descriptors::allocate(device.handle, pool, {three}, sets));
  CHECK(descriptors::allocate(device.handle, pool, {three}, sets) == VK_ERROR_OUT_OF_POOL_MEMORY);
  CHECK(instance.messages.contains(
      "the set needs 3 STORAGE_BUFFER descriptors and the pool has 1 of 4 left"));
  // What is left still fits a smaller set, and other types are counted apart.
  VK_CHECK(descriptors::allocate(device.handle, pool, {one}, sets));
  CHECK(descriptors::allocate(device.handle, pool, {one}, sets) == VK_ERROR_OUT_OF_POOL_MEMORY);
  VK_CHECK(descriptors::allocate(device.handle, pool, {uniform}, sets));
  CHECK(descriptors::allocate(device.handle, pool, {uniform}, sets) == VK_ERROR_OUT_OF_POOL_MEMORY);
  vkDestroyDescriptorPool(device.handle, pool, nullptr);
  for (VkDescriptorSetLayout l : {three, one, uniform})
    vkDestroyDescriptorSetLayout(device.handle, l, nullptr);
}

TEST_CASE("descriptor: a failed allocation of several sets frees the ones it made",
          "[descriptor]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  VkDescriptorSetLayout layout = storageLayout(device, 1);
  VkDescriptorPool pool =
      descriptors::createPool(device.handle, 4, {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4}});
  std::vector<VkDescriptorSet> sets;
  // The fifth set does not fit: every handle comes back VK_NULL_HANDLE...
  CHECK(descriptors::allocate(device.handle, pool, std::vector(5, layout), sets) ==
        VK_ERROR_OUT_OF_POOL_MEMORY);
  CHECK(sets == std::vector<VkDescriptorSet>(5, VK_NULL_HANDLE));
  // ...and the four that were made are gone again: all four still fit.
  VK_CHECK(descriptors::allocate(device.handle, pool, std::vector(4, layout), sets));
  vkDestroyDescriptorPool(device.handle, pool, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, layout, nullptr);
}

TEST_CASE("descriptor: freed sets and a reset pool give their room back", "[descriptor]") {
  test::Instance instance;
  const bool emvk = probe::isEmvk(instance.physical);
  test::Device device(instance);
  VkDescriptorSetLayout layout = storageLayout(device, 2);
  VkDescriptorPool pool =
      descriptors::createPool(device.handle, 3, {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 6}},
                              VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT);
  std::vector<VkDescriptorSet> sets;
  VK_CHECK(descriptors::allocate(device.handle, pool, std::vector(3, layout), sets));
  std::vector<VkDescriptorSet> more;
  if (emvk)
    CHECK(descriptors::allocate(device.handle, pool, {layout}, more) ==
          VK_ERROR_OUT_OF_POOL_MEMORY);

  // Free the middle one (null handles in the list are ignored), and it fits again.
  const VkDescriptorSet toFree[] = {sets[1], VK_NULL_HANDLE};
  VK_CHECK(vkFreeDescriptorSets(device.handle, pool, 2, toFree));
  VK_CHECK(descriptors::allocate(device.handle, pool, {layout}, more));
  if (emvk)
    CHECK(descriptors::allocate(device.handle, pool, {layout}, more) ==
          VK_ERROR_OUT_OF_POOL_MEMORY);
  // Free the rest, in an order other than allocation's.
  const VkDescriptorSet rest[] = {sets[2], sets[0]};
  VK_CHECK(vkFreeDescriptorSets(device.handle, pool, 2, rest));

  // A reset frees every set at once: three fit again, twice.
  VK_CHECK(vkResetDescriptorPool(device.handle, pool, 0));
  VK_CHECK(descriptors::allocate(device.handle, pool, std::vector(3, layout), sets));
  VK_CHECK(vkResetDescriptorPool(device.handle, pool, 0));
  VK_CHECK(descriptors::allocate(device.handle, pool, std::vector(3, layout), sets));
  vkDestroyDescriptorPool(device.handle, pool, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, layout, nullptr);
  CHECK(descriptors::driverErrors(instance) == 0);
}

TEST_CASE("descriptor: freeing a set of a pool without FREE_DESCRIPTOR_SET_BIT is refused",
          "[descriptor]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // VUID-vkFreeDescriptorSets-descriptorPool-00312
  test::Device device(instance);
  VkDescriptorSetLayout layout = storageLayout(device, 1);
  VkDescriptorPool pool =
      descriptors::createPool(device.handle, 1, {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}});
  VkDescriptorSet set = descriptors::allocateOne(device.handle, pool, layout);
  CHECK(vkFreeDescriptorSets(device.handle, pool, 1, &set) == VK_SUCCESS);
  CHECK(
      instance.messages.contains("vkFreeDescriptorSets: the pool was created without "
                                 "FREE_DESCRIPTOR_SET_BIT"));
  // The set is still allocated, so the pool is still full; a reset empties it.
  std::vector<VkDescriptorSet> sets;
  CHECK(descriptors::allocate(device.handle, pool, {layout}, sets) == VK_ERROR_OUT_OF_POOL_MEMORY);
  VK_CHECK(vkResetDescriptorPool(device.handle, pool, 0));
  VK_CHECK(descriptors::allocate(device.handle, pool, {layout}, sets));
  vkDestroyDescriptorPool(device.handle, pool, nullptr);
  vkDestroyDescriptorSetLayout(device.handle, layout, nullptr);
}

TEST_CASE("descriptor: a set outlives the layout it was allocated with", "[descriptor]") {
  // A destroyed layout may still be used by its sets' commands (section "Descriptor Set Layout"):
  // the set is freed, reset and bound after its layout is gone.
  test::Instance instance;
  test::Device device(instance);
  VkDescriptorSetLayout layout = storageLayout(device, 2);
  VkPipelineLayout pipelineLayout = descriptors::createPipelineLayout(device.handle, {layout});
  VkDescriptorPool pool =
      descriptors::createPool(device.handle, 2, {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4}},
                              VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT);
  std::vector<VkDescriptorSet> sets;
  VK_CHECK(descriptors::allocate(device.handle, pool, {layout, layout}, sets));
  auto buffer = device.createBuffer(256, descriptors::kBufferUsage);
  const VkDescriptorBufferInfo infos[] = {{buffer.buffer, 0, 128}, {buffer.buffer, 128, 128}};
  descriptors::write(
      device.handle,
      descriptors::bufferWrite(sets[0], 0, 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, infos, 2));
  vkDestroyDescriptorSetLayout(device.handle, layout, nullptr);

  device.run([&](VkCommandBuffer cb) {
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipelineLayout, 0, 1, &sets[0], 0,
                            nullptr);
  });
  VK_CHECK(vkFreeDescriptorSets(device.handle, pool, 1, &sets[1]));
  VK_CHECK(vkResetDescriptorPool(device.handle, pool, 0));
  vkDestroyDescriptorPool(device.handle, pool, nullptr);
  vkDestroyPipelineLayout(device.handle, pipelineLayout, nullptr);
  device.destroy(buffer);
  CHECK(descriptors::driverErrors(instance) == 0);
}
