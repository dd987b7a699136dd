// What the JIT tests share: the shaders glslc compiled at build time, and a small dispatcher that
// binds buffers and push constants and runs every workgroup of a dispatch from C++, as device/
// will do from vkCmdDispatch.
#pragma once
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jit/jit.hpp"

namespace jit_test {

using emvk::jit::Program;
using emvk::jit::SpecializationConstant;

// Each test shader exists as glslc emits it and optimised with -O (tests/jit/CMakeLists.txt).
enum class Variant { Plain, Optimized };

inline const char* variantName(Variant variant) {
  return variant == Variant::Plain ? "plain" : "optimized";
}

// `file` is a name in the build's shader folder, such as "saxpy.optimized".
inline std::vector<uint32_t> loadSpirvFile(const std::string& file) {
  std::string path = std::string(EMVK_JIT_SHADER_DIR) + "/" + file + ".spv";
  std::ifstream stream(path, std::ios::binary | std::ios::ate);
  INFO("shader " << path);
  REQUIRE(stream.good());
  std::vector<uint32_t> words(static_cast<size_t>(stream.tellg()) / 4);
  stream.seekg(0);
  stream.read(reinterpret_cast<char*>(words.data()),
              static_cast<std::streamsize>(words.size() * 4));
  return words;
}

inline std::vector<uint32_t> loadSpirv(const std::string& name, Variant variant) {
  return loadSpirvFile(name + "." + variantName(variant));
}

template <class T>
SpecializationConstant specialization(uint32_t id, T value) {
  SpecializationConstant constant{id, std::vector<uint8_t>(sizeof(T))};
  std::memcpy(constant.bytes.data(), &value, sizeof(T));
  return constant;
}

// Compiles the `name` test shader; fails the test with the JIT's reason if it cannot.
inline std::unique_ptr<Program> compile(const std::string& name, Variant variant,
                                        const std::vector<SpecializationConstant>& spec = {}) {
  auto program = Program::compile(loadSpirv(name, variant), "main", spec);
  INFO(name << " (" << variantName(variant)
            << "): " << (program ? std::string("compiled") : program.error().why));
  REQUIRE(program.ok());
  return program.take();
}

// The buffers, push constants and shared memory of one dispatch.
class Dispatch {
 public:
  template <class T>
  Dispatch& bind(uint32_t binding, std::vector<T>& data) {
    buffers_[binding] = {reinterpret_cast<uint8_t*>(data.data()), data.size() * sizeof(T)};
    return *this;
  }
  template <class T>
  Dispatch& bind(uint32_t binding, T* data, size_t bytes) {
    buffers_[binding] = {reinterpret_cast<uint8_t*>(data), bytes};
    return *this;
  }
  template <class T>
  Dispatch& push(const T& constants) {
    static_assert(sizeof(T) <= 128);
    std::memcpy(pushConstants_, &constants, sizeof(T));
    return *this;
  }

  // Runs workgroups [first, last) of a dispatch of `groups` (linear order: x fastest) on the
  // calling thread, with shared memory of its own.
  void run(const Program& program, std::array<uint32_t, 3> groups, uint32_t first = 0,
           uint32_t last = UINT32_MAX) const {
    check(program);
    runUnchecked(program, groups, first, last);
  }

  // Every binding of `program` has a buffer. Catch's macros are not thread-safe: a test that runs
  // workgroups on several threads calls this on its own thread, then runUnchecked on the others.
  void check(const Program& program) const {
    for (const emvk::jit::ResourceBinding& binding : program.bindings()) {
      INFO("binding " << binding.set << "." << binding.binding);
      REQUIRE(binding.set == 0);
      REQUIRE(buffers_.count(binding.binding));
    }
  }

  void runUnchecked(const Program& program, std::array<uint32_t, 3> groups, uint32_t first = 0,
                    uint32_t last = UINT32_MAX) const {
    std::vector<uint8_t*> pointers;
    std::vector<uint64_t> ranges;
    for (const emvk::jit::ResourceBinding& binding : program.bindings()) {
      pointers.push_back(buffers_.at(binding.binding).first);
      ranges.push_back(buffers_.at(binding.binding).second);
    }
    // 16-byte aligned, as jit.hpp asks.
    struct alignas(16) Chunk {
      uint8_t bytes[16];
    };
    std::vector<Chunk> shared(program.sharedMemorySize() / 16 + 1);
    emvk::jit::DispatchContext context{};
    context.buffers = pointers.data();
    context.bufferRanges = ranges.data();
    context.pushConstants = pushConstants_;
    context.sharedMemory = reinterpret_cast<uint8_t*>(shared.data());
    context.texelFormats = texelFormats_;
    context.cancel = &cancel_;  // the watchdog's word: never set here
    for (int i = 0; i < 3; ++i) context.numWorkgroups[i] = groups[i];
    uint32_t total = groups[0] * groups[1] * groups[2];
    for (uint32_t g = first; g < std::min(last, total); ++g) {
      context.workgroupId[0] = g % groups[0];
      context.workgroupId[1] = g / groups[0] % groups[1];
      context.workgroupId[2] = g / (groups[0] * groups[1]);
      program.runWorkgroup(context);
    }
  }

 private:
  std::map<uint32_t, std::pair<uint8_t*, uint64_t>> buffers_;
  alignas(16) uint8_t pushConstants_[128] = {};
  uint32_t texelFormats_[16] = {};
  uint32_t cancel_ = 0;
};

}  // namespace jit_test
