// What SPIRV-Tools does for the JIT: validation, and the spirv-opt passes that turn a module into
// what the translator expects (specialisation constants frozen, every call inlined).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "jit/jit.hpp"

namespace emvk::jit {

// Validates for the Vulkan 1.1 environment (SPIR-V up to 1.3). The error carries the validator's
// first message.
Result<bool> validateSpirv(std::span<const uint32_t> spirv);

// Runs, on a module that passed validateSpirv:
// - the application's specialisation values, then freezes every specialisation constant to a
//   plain constant and folds OpSpecConstantOp/OpSpecConstantComposite that depend on them (so a
//   WorkgroupSize built from constant ids becomes an OpConstantComposite), including the width
//   conversions of 8/16-bit constants that spirv-opt's folder leaves alone;
// - exhaustive inlining (Vulkan forbids recursion; early returns are merged first), so only the
//   entry point's function remains to translate, and decoration groups flattened.
// These passes are chosen for compile speed; LLVM does the optimising.
Result<std::vector<uint32_t>> specialize(std::span<const uint32_t> spirv,
                                         const std::vector<SpecializationConstant>& values);

// SPIR-V assembly of `spirv`, with friendly names (%main, %uint) where the module or its types
// give them; for EMVK_DUMP_SHADERS (jit/dump.hpp). Empty if SPIRV-Tools cannot disassemble it.
std::optional<std::string> disassembleSpirv(std::span<const uint32_t> spirv);

}  // namespace emvk::jit
