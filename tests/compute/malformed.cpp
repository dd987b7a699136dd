// Malformed SPIR-V through the loader: vkCreateShaderModule refuses it without crashing, leaves
// the handle alone, says why through VK_EXT_debug_utils, and the device keeps working. emvk answers
// VK_ERROR_UNKNOWN (device/shader_module.cpp; VK_ERROR_INVALID_SHADER_NV belongs to
// VK_NV_glsl_shader, which emvk does not offer). Under VK_LAYER_KHRONOS_validation each call breaks
// VUID-VkShaderModuleCreateInfo-pCode-08737 (or -codeSize-08735) on purpose; the layer may then
// answer VK_ERROR_VALIDATION_FAILED_EXT itself without calling the driver.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using namespace compute_test;

namespace {

constexpr uint32_t kMagic = 0x07230203;

struct Attempt {
  VkResult result = VK_SUCCESS;
  bool handleUntouched = false;
  std::vector<std::string> messages;  // what the messenger received during the call
};

Attempt create(test::Instance& instance, test::Device& device, const void* code, size_t bytes) {
  size_t before;
  {
    std::lock_guard lock(instance.messages.mutex);
    before = instance.messages.all.size();
  }
  VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, nullptr, 0, bytes,
                                static_cast<const uint32_t*>(code)};
  VkShaderModule module = VK_NULL_HANDLE;
  Attempt attempt;
  attempt.result = vkCreateShaderModule(device.handle, &info, nullptr, &module);
  attempt.handleUntouched = module == VK_NULL_HANDLE;
  if (module != VK_NULL_HANDLE) vkDestroyShaderModule(device.handle, module, nullptr);
  std::lock_guard lock(instance.messages.mutex);
  attempt.messages.assign(instance.messages.all.begin() + static_cast<ptrdiff_t>(before),
                          instance.messages.all.end());
  return attempt;
}

bool mentions(const Attempt& attempt, const std::string& needle) {
  for (const auto& m : attempt.messages)
    if (m.find(needle) != std::string::npos) return true;
  return false;
}

// Refused, handle untouched, and, when the driver saw the call, its reason on the messenger.
void checkRefused(const test::Instance& instance, const Attempt& attempt, const char* reason) {
  CHECK(attempt.result != VK_SUCCESS);
  CHECK(attempt.handleUntouched);
  if (instance.validationEnabled && attempt.result == VK_ERROR_VALIDATION_FAILED_EXT) return;
  CHECK(attempt.result == VK_ERROR_UNKNOWN);
  for (const auto& m : attempt.messages) UNSCOPED_INFO("message: " << m);
  CHECK(mentions(attempt, reason));
}

}  // namespace

TEST_CASE("compute: garbage, truncated and corrupted SPIR-V is refused, and the device goes on",
          "[compute][malformed]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // VUID-VkShaderModuleCreateInfo-pCode-08737, on purpose
  test::Device device(instance);
  const std::vector<uint32_t> good = spirv("barriers", Variant::Optimized);
  REQUIRE(good.size() > 20);
  REQUIRE(good[0] == kMagic);
  const char* invalid = "vkCreateShaderModule refused: invalid SPIR-V";

  SECTION("random words") {
    std::vector<uint32_t> words(256);
    test::Pattern(42).fill(words.data(), words.size() * 4);
    checkRefused(instance, create(instance, device, words.data(), words.size() * 4), invalid);
  }
  SECTION("a wrong magic number") {
    std::vector<uint32_t> words = good;
    words[0] = 0x07230204;
    checkRefused(instance, create(instance, device, words.data(), words.size() * 4), invalid);
  }
  SECTION("the header alone, and cuts at several places") {
    for (size_t words : {size_t{5}, size_t{6}, good.size() / 3, good.size() - 1}) {
      INFO("the first " << words << " of " << good.size() << " words");
      checkRefused(instance, create(instance, device, good.data(), words * 4), invalid);
    }
  }
  SECTION("an instruction whose word count is 0 or runs past the end") {
    for (uint32_t count : {0u, 0xffffu}) {
      INFO("word count " << count);
      std::vector<uint32_t> words = good;
      words[5] = (count << 16) | (words[5] & 0xffff);  // the first instruction (OpCapability)
      checkRefused(instance, create(instance, device, words.data(), words.size() * 4), invalid);
    }
  }
  SECTION("an unknown opcode") {
    std::vector<uint32_t> words = good;
    words.insert(words.begin() + 5, (1u << 16) | 0xfff0u);
    checkRefused(instance, create(instance, device, words.data(), words.size() * 4), invalid);
  }
  SECTION("a codeSize that is not a whole number of words") {
    instance.expectInvalidUsage = true;  // VUID-VkShaderModuleCreateInfo-codeSize-08735
    checkRefused(instance, create(instance, device, good.data(), good.size() * 4 - 2),
                 "is not a SPIR-V module");
  }

  // After all that, the same device still makes modules and pipelines from good SPIR-V and runs
  // them: a workgroup of 8 reverses its input.
  Program program(device, good, 4);
  Specialization spec;
  spec.set(0, 8u).set(1, 1u).set(2, 1u);
  const VkPipeline pipeline = program.pipeline(&spec);
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  auto in = device.createBuffer(32, usage), reversed = device.createBuffer(32, usage);
  auto scan = device.createBuffer(32, usage), sums = device.createBuffer(4, usage);
  for (uint32_t i = 0; i < 8; ++i) in.as<uint32_t>()[i] = i + 1;
  program.bindBuffers({&in, &reversed, &scan, &sums});
  device.run([&](VkCommandBuffer cb) {
    program.bind(cb, pipeline);
    vkCmdDispatch(cb, 1, 1, 1);
    toHost(cb);
  });
  for (uint32_t i = 0; i < 8; ++i) CHECK(reversed.as<uint32_t>()[i] == 8 - i);
  device.destroy(in);
  device.destroy(reversed);
  device.destroy(scan);
  device.destroy(sums);
}
