// The shader JIT's public face: a GLCompute entry point of a SPIR-V module, compiled to machine
// code for this CPU, that runs one workgroup at a time. device/ builds pipelines and dispatches on
// it; nothing else of jit/ is visible outside it. The journey of one shader, in order:
//
//   validate (SPIRV-Tools) -> specialise, inline (spirv-opt)     jit/spirv_tools.cpp
//   -> parse words, reflect the interface                        jit/spirv_module.cpp,
//   interface.cpp
//   -> translate to LLVM IR                                      jit/translator.cpp
//   -> optimise, generate an object file, link it with LLJIT     jit/compiler.cpp
//
// The object file and what a pipeline needs to know about the program form its *artefact*: what
// VkPipelineCache and the on-disk cache keep, filed under a CacheKey (jit/code_cache.hpp,
// jit/disk_cache.hpp, docs/SHADER_CACHE.md). Program::load links an artefact: no LLVM IR, no
// optimisation, no code generation.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memory/result.hpp"

namespace emvk::jit {

// Texel buffers: OpTypeImage of Dim Buffer, Sampled 1 (uniform) or 2 (storage).
enum class DescriptorKind : uint8_t {
  StorageBuffer,
  UniformBuffer,
  UniformTexelBuffer,
  StorageTexelBuffer
};

struct ResourceBinding {
  uint32_t set, binding;
  DescriptorKind kind;
};

// One VkSpecializationMapEntry's data, as the application gave it.
struct SpecializationConstant {
  uint32_t id;
  std::vector<uint8_t> bytes;
};

// What a workgroup needs: base pointers of the bound buffers, in the order of Program::bindings(),
// their ranges in bytes (OpArrayLength, robustness), push constants, ids. A texel buffer's
// binding has its view's first byte and range there, and its VkFormat in texelFormats (0 for
// other bindings): the generated code converts texels by the format (jit/texel_formats.hpp).
// The generated code reads this struct by its offsets (jit/translator.cpp checks them).
struct DispatchContext {
  uint8_t* const* buffers;       // one per ResourceBinding
  const uint64_t* bufferRanges;  // one per ResourceBinding
  const uint8_t* pushConstants;  // 128 bytes
  uint32_t workgroupId[3];
  uint32_t numWorkgroups[3];
  uint8_t* sharedMemory;  // Program::sharedMemorySize() bytes, 16-byte aligned, per worker thread
  const uint32_t* texelFormats;  // one per ResourceBinding
  // Nonzero: stop at the next loop back edge (device/watchdog.hpp); read as a relaxed atomic.
  const uint32_t* cancel;
};

class CompiledCode;

// What a program's machine code is filed under: a SHA-256 of everything that decides that code
// (jit/code_cache.cpp, cacheKey).
using CacheKey = std::array<uint8_t, 32>;
// The first `bytes` bytes of `key` in hex: 16 name a pipeline in messages, 32 a file on disk.
std::string toHex(const CacheKey& key, size_t bytes = 32);

// A program's serialised artefact (format in jit/code_cache.hpp); immutable, shared by the
// program and every cache that holds it.
using Artefact = std::shared_ptr<const std::vector<uint8_t>>;

// The key of Program::compile(spirv, entry, specialization) for a driver whose build is
// `driverIdentity` (the device's pipelineCacheUUID). It also covers the JIT's code format version,
// the LLVM version and the host CPU's name and features, on which the machine code depends.
CacheKey cacheKey(std::span<const uint32_t> spirv, const std::string& entry,
                  const std::vector<SpecializationConstant>& specialization,
                  std::span<const uint8_t, 16> driverIdentity);

// How many programs LLVM has optimised and compiled in this process. Program::load does not count:
// the tests prove a cache hit with it.
uint64_t compilationCount();

class Program {
 public:
  // Validates (SPIRV-Tools, target env vulkan1.1), specialises, translates entry point `entry`
  // (GLCompute) and compiles it. On failure: an Error whose `why` says what (the validator's
  // message, or "opcode OpXxx is not supported yet", ...), with VK_ERROR_UNKNOWN. Never throws,
  // never crashes on bad input. Safe to call from several threads at once.
  static Result<std::unique_ptr<Program>> compile(
      std::span<const uint32_t> spirv, const std::string& entry,
      const std::vector<SpecializationConstant>& specialization);

  // Links a program from an artefact another Program produced (in this process or, through a
  // cache, in another one of the same build): no LLVM IR, no optimisation, no code generation.
  // An artefact that does not parse is an Error, never a crash.
  static Result<std::unique_ptr<Program>> load(const Artefact& artefact);

  // This program's artefact, for the caches.
  const Artefact& artefact() const { return artefact_; }

  const std::array<uint32_t, 3>& localSize() const { return localSize_; }
  // Sorted by (set, binding); DispatchContext::buffers follows this order.
  const std::vector<ResourceBinding>& bindings() const { return bindings_; }
  size_t sharedMemorySize() const { return sharedMemorySize_; }

  // Runs every invocation of one workgroup, on the calling thread. Several threads may run
  // workgroups of the same Program at once, each with its own shared memory.
  void runWorkgroup(const DispatchContext& context) const { workgroup_(&context); }

  struct Parts;  // what compile() hands the constructor (jit/program.cpp)
  explicit Program(Parts parts);
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

 private:
  using WorkgroupFunction = void (*)(const DispatchContext*);
  std::array<uint32_t, 3> localSize_{};
  std::vector<ResourceBinding> bindings_;
  size_t sharedMemorySize_ = 0;
  Artefact artefact_;
  std::unique_ptr<CompiledCode> code_;  // owns the machine code workgroup_ points into
  WorkgroupFunction workgroup_ = nullptr;
};

// Invocations run in SIMD groups of this many lanes, one subgroup each: 16 on hosts with
// AVX-512, else 8 (EMVK_SIMD_LANES=4|8|16 overrides, read once). VkPhysicalDeviceSubgroupProperties
// reports it.
uint32_t subgroupSize();

// A separate check usable at vkCreateShaderModule: validation only (SPIRV-Tools, vulkan1.1).
// true, or an Error with VK_ERROR_UNKNOWN and the validator's message.
Result<bool> validate(std::span<const uint32_t> spirv);

}  // namespace emvk::jit
