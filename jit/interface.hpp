// What a compute pipeline needs to know about an entry point before running it: its local size,
// the buffers it binds, the shared memory it uses, whether it waits at barriers. Found by walking
// the (specialised, inlined) entry function; only resources it really uses are listed, as
// pipeline layouts only need to cover those (VUID-VkComputePipelineCreateInfo-layout-07988).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "jit/jit.hpp"
#include "jit/layout.hpp"
#include "jit/spirv_module.hpp"

namespace emvk::jit {

// More invocations than this in one workgroup are refused (maxComputeWorkGroupInvocations).
constexpr uint32_t kMaxWorkgroupInvocations = 1024;

struct ShaderInterface {
  const Function* entry = nullptr;
  std::array<uint32_t, 3> localSize{1, 1, 1};
  std::vector<ResourceBinding> bindings;  // sorted by (set, binding)
  // Buffer or texel buffer variable -> its index in `bindings` (two variables may alias one
  // binding).
  std::unordered_map<uint32_t, uint32_t> bindingOfVariable;
  // Workgroup variable -> its byte offset in the shared memory.
  std::unordered_map<uint32_t, uint32_t> sharedOffsets;
  uint32_t sharedMemorySize = 0;
  // Module-scope variables the entry function uses, in declaration order.
  std::vector<const Instruction*> variables;
  bool hasBarriers = false;  // OpControlBarrier: the invocations must take turns (translator.hpp)
};

Result<ShaderInterface> reflect(const SpirvModule& module, const Layout& layout,
                                const std::string& entry);

std::string storageClassName(spv::StorageClass storage);

// Whether the Scope <id> `scope` is Subgroup. A subgroup is one SIMD group, whose lanes run in
// step (translator.hpp). The module is specialised, so a scope is an OpConstant; anything else
// counts as not Subgroup, which is the cautious answer (a real barrier).
bool isSubgroupScope(const SpirvModule& module, uint32_t scope);

// OpAtomicLoad ... OpAtomicXor: the atomics on memory the JIT translates (translator_memory.cpp).
bool isAtomic(spv::Op opcode);

}  // namespace emvk::jit
