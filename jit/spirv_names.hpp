// Names of SPIR-V instructions, for error messages. The tables are generated at build time from
// the SPIR-V headers (jit/gen_spirv_names.py).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace emvk::jit {

// "OpIAdd" for 128; empty for an unknown value.
std::string_view opcodeName(uint32_t opcode);
// "Sqrt" for 31; empty for an unknown value.
std::string_view glslStd450Name(uint32_t instruction);

inline std::string describeOpcode(uint32_t opcode) {
  std::string_view name = opcodeName(opcode);
  return name.empty() ? "opcode " + std::to_string(opcode) : std::string(name);
}

}  // namespace emvk::jit
