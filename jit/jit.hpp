// The shader JIT's public face: a GLCompute entry point of a SPIR-V module, compiled to machine
// code for this CPU, that runs one workgroup at a time. device/ builds pipelines and dispatches on
// it; nothing else of jit/ is visible outside it. The journey of one shader, in order:
//
//   validate (SPIRV-Tools) -> specialise, inline (spirv-opt)     jit/spirv_tools.cpp
//   -> parse words, reflect the interface                        jit/spirv_module.cpp,
//   interface.cpp
//   -> translate to LLVM IR                                      jit/translator.cpp
//   -> optimise and compile with LLJIT                           jit/compiler.cpp
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

enum class DescriptorKind : uint8_t { StorageBuffer, UniformBuffer };

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
// their ranges in bytes (OpArrayLength; later, robustness), push constants, ids.
// The generated code reads this struct by its offsets (jit/translator.cpp checks them).
struct DispatchContext {
  uint8_t* const* buffers;       // one per ResourceBinding
  const uint64_t* bufferRanges;  // one per ResourceBinding
  const uint8_t* pushConstants;  // 128 bytes
  uint32_t workgroupId[3];
  uint32_t numWorkgroups[3];
  uint8_t* sharedMemory;  // Program::sharedMemorySize() bytes, 16-byte aligned, per worker thread
};

class CompiledCode;

class Program {
 public:
  // Validates (SPIRV-Tools, target env vulkan1.1), specialises, translates entry point `entry`
  // (GLCompute) and compiles it. On failure: an Error whose `why` says what (the validator's
  // message, or "opcode OpXxx is not supported yet", ...), with VK_ERROR_UNKNOWN. Never throws,
  // never crashes on bad input. Safe to call from several threads at once.
  static Result<std::unique_ptr<Program>> compile(
      std::span<const uint32_t> spirv, const std::string& entry,
      const std::vector<SpecializationConstant>& specialization);

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
