// Specialisation and push constants through the pipeline: tests/compute/shaders/constants.comp
// specialised through VkSpecializationInfo (local size, int, bool, float, and a constant derived
// from one) and fed push constants of several types, updated whole and in part between dispatches
// of one command buffer. Every output element is checked against the same arithmetic in C++.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "compute/pipeline.hpp"
#include "harness.hpp"

using namespace compute_test;

namespace {

struct Push {
  uint32_t count;
  float scale;
  int32_t offset[2];
  float color[4];
  uint32_t values[4];
};
static_assert(sizeof(Push) == 48);

struct Spec {
  uint32_t localSize = 1;
  int32_t scale = 3;
  bool negate = false;
  float bias = 0.5f;
  uint32_t mask = 0xff;
};

constexpr uint32_t kSlots = 256;  // invocations dispatched, output elements per buffer

struct Buffers {
  test::Buffer floats, ints;
};

// What constants.comp writes for invocation i.
void checkWritten(const Buffers& out, uint32_t i, const Spec& spec, const Push& push) {
  INFO("invocation " << i);
  const float* o = out.floats.as<float>() + i * 4;
  const uint32_t* n = out.ints.as<uint32_t>() + i * 4;
  const float v = static_cast<float>(static_cast<int32_t>(i) * spec.scale) + spec.bias;
  const float expected[4] = {push.color[0] * push.scale + (spec.negate ? -v : v),
                             push.color[1] * push.scale + static_cast<float>(push.offset[0]),
                             push.color[2] * push.scale + static_cast<float>(push.offset[1]),
                             push.color[3] * push.scale + static_cast<float>(push.values[i % 4])};
  for (int c = 0; c < 4; ++c) CHECK(o[c] == expected[c]);
  CHECK(n[0] == spec.localSize);
  CHECK(n[1] == (i & spec.mask));
  CHECK(n[2] == spec.mask + 1);
  CHECK(n[3] == i / spec.localSize);
}

// Invocations at or past push.count return first and write nothing.
void checkUntouched(const Buffers& out, uint32_t i) {
  INFO("invocation " << i);
  CHECK(out.floats.as<float>()[i * 4] == -1.0f);
  CHECK(out.ints.as<uint32_t>()[i * 4] == 0xeeeeeeeeu);
}

void reset(const Buffers& b) {
  for (uint32_t i = 0; i < kSlots * 4; ++i) b.floats.as<float>()[i] = -1.0f;
  std::memset(b.ints.data, 0xee, kSlots * 16);
}

Buffers makeBuffers(test::Device& device) {
  const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  Buffers b{device.createBuffer(kSlots * 16, usage), device.createBuffer(kSlots * 16, usage)};
  reset(b);
  return b;
}

const Push kPush{200, 2.0f, {-3, 5}, {0.25f, 0.5f, 0.75f, 1.0f}, {11, 22, 33, 44}};

}  // namespace

TEST_CASE("compute: specialisation constants, defaults and set, make different pipelines",
          "[compute][constants]") {
  test::Instance instance;
  test::Device device(instance);
  for (Variant variant : {Variant::Plain, Variant::Optimized}) {
    INFO(variantName(variant));
    Program program(device, spirv("constants", variant), 2, sizeof(Push));
    Buffers out = makeBuffers(device);
    program.bindBuffers({&out.floats, &out.ints});
    // Map entries out of id order, one for an id the shader lacks (ignored), a VkBool32 for the
    // bool; and a specialisation of the local size alone.
    Specialization all;
    all.set<float>(3, -0.25f).set<uint32_t>(0, 64).set<uint32_t>(99, 7).set<int32_t>(1, -5);
    all.set<VkBool32>(2, VK_TRUE).set<uint32_t>(4, 0x0f);
    Specialization sizeOnly;
    sizeOnly.set<uint32_t>(0, 16);
    const VkPipeline pipelines[3] = {program.pipeline(), program.pipeline(&all),
                                     program.pipeline(&sizeOnly)};
    const Spec expected[3] = {
        {1, 3, false, 0.5f, 0xff}, {64, -5, true, -0.25f, 0x0f}, {16, 3, false, 0.5f, 0xff}};
    for (int p = 0; p < 3; ++p) {
      INFO("pipeline " << p);
      device.run([&](VkCommandBuffer cb) {
        program.bind(cb, pipelines[p]);
        program.push(cb, kPush);
        vkCmdDispatch(cb, kSlots / expected[p].localSize, 1, 1);
        toHost(cb);
      });
      for (uint32_t i = 0; i < kSlots; ++i) {
        if (i < kPush.count)
          checkWritten(out, i, expected[p], kPush);
        else
          checkUntouched(out, i);
      }
      reset(out);
    }
    device.destroy(out.floats);
    device.destroy(out.ints);
  }
}

TEST_CASE("compute: push constants updated in part between dispatches keep the rest",
          "[compute][constants]") {
  test::Instance instance;
  test::Device device(instance);
  for (Variant variant : {Variant::Plain, Variant::Optimized}) {
    INFO(variantName(variant));
    Program program(device, spirv("constants", variant), 2, sizeof(Push));
    Buffers out = makeBuffers(device);
    program.bindBuffers({&out.floats, &out.ints});
    Specialization size;
    size.set<uint32_t>(0, 32);
    const VkPipeline pipeline = program.pipeline(&size);
    // The second dispatch changes count (offset 0) and scale (offset 4) only: it rewrites the
    // first 100 elements with the new scale and the first push's offset, colour and values, and
    // leaves elements 100..199 as the first dispatch wrote them.
    const struct {
      uint32_t count;
      float scale;
    } head{100, -3.0f};
    device.run([&](VkCommandBuffer cb) {
      program.bind(cb, pipeline);
      program.push(cb, kPush);
      vkCmdDispatch(cb, kSlots / 32, 1, 1);
      computeToCompute(cb);
      program.push(cb, head);
      vkCmdDispatch(cb, kSlots / 32, 1, 1);
      toHost(cb);
    });
    Push second = kPush;
    second.count = head.count;
    second.scale = head.scale;
    const Spec spec{32, 3, false, 0.5f, 0xff};
    for (uint32_t i = 0; i < kSlots; ++i) {
      if (i < second.count)
        checkWritten(out, i, spec, second);
      else if (i < kPush.count)
        checkWritten(out, i, spec, kPush);
      else
        checkUntouched(out, i);
    }
    device.destroy(out.floats);
    device.destroy(out.ints);
  }
}
