// A SPIR-V module read into instructions, with the indexes the translator needs: the definition of
// every id, decorations per id and per struct member, entry points, execution modes, and the
// functions cut into blocks. It does not interpret types or values; layout.hpp and types.hpp do.
//
// The words are validated before they get here (jit/spirv_tools.cpp), yet parse() still checks
// every length it relies on: a bug elsewhere must give an error, not a read past the end.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#define SPV_ENABLE_UTILITY_CODE
#include <spirv_cross/spirv.hpp>

#include "memory/result.hpp"

namespace emvk::jit {

// One instruction; its words stay in the module.
struct Instruction {
  spv::Op opcode = spv::OpNop;
  uint32_t resultType = 0;  // 0 when the opcode has none
  uint32_t result = 0;      // 0 when the opcode has none
  // The words after the result id (after the opcode word when there is no result).
  std::span<const uint32_t> operands;

  uint32_t operand(size_t i) const { return i < operands.size() ? operands[i] : 0; }
  // A nul-terminated literal string starting at operand `i`.
  std::string literalString(size_t i) const;
};

struct Block {
  uint32_t label = 0;
  // OpPhi first, then the body; neither the merge instruction nor the terminator.
  std::vector<const Instruction*> instructions;
  // OpSelectionMerge or OpLoopMerge, or null: schedule.cpp finds the loops by their merges, to
  // order the blocks of the masked SIMD translation.
  const Instruction* merge = nullptr;
  const Instruction* terminator = nullptr;
};

struct Function {
  const Instruction* definition = nullptr;  // OpFunction
  std::vector<const Instruction*> parameters;
  std::vector<Block> blocks;  // the first is the entry block
};

struct EntryPoint {
  spv::ExecutionModel model;
  uint32_t function;
  std::string name;
};

struct ExecutionMode {
  uint32_t function;
  spv::ExecutionMode mode;
  std::vector<uint32_t> operands;  // literals, or ids for OpExecutionModeId
};

// The decorations of one id, or of one struct member: decoration -> its first literal operand
// (1 for decorations without one, such as Block).
class Decorations {
 public:
  bool has(spv::Decoration d) const { return values_.count(d) != 0; }
  std::optional<uint32_t> get(spv::Decoration d) const;
  void add(spv::Decoration d, uint32_t value) { values_[d] = value; }

 private:
  std::unordered_map<uint32_t, uint32_t> values_;
};

class SpirvModule {
 public:
  static Result<std::unique_ptr<SpirvModule>> parse(std::vector<uint32_t> words);

  const std::vector<Instruction>& instructions() const { return instructions_; }
  // The instruction that defines `id` (a type, constant, variable, value, label...), or null.
  const Instruction* definition(uint32_t id) const;
  const Decorations& decorations(uint32_t id) const;
  const Decorations& memberDecorations(uint32_t structType, uint32_t member) const;
  // The ids decorated `decoration` with first literal `value` (BuiltIn WorkgroupSize, ...).
  std::vector<uint32_t> decoratedWith(spv::Decoration decoration, uint32_t value) const;
  const std::vector<EntryPoint>& entryPoints() const { return entryPoints_; }
  const std::vector<ExecutionMode>& executionModes() const { return executionModes_; }
  // Module-scope OpVariables, in declaration order.
  const std::vector<const Instruction*>& globalVariables() const { return globalVariables_; }
  const Function* function(uint32_t id) const;
  // The name given by OpExtInstImport, or empty.
  std::string extInstSetName(uint32_t id) const;
  // The value of an integer OpConstant of at most 32 bits (sign-extended when signed).
  std::optional<int64_t> integerConstant(uint32_t id) const;

  SpirvModule() = default;  // empty; parse() fills one
  SpirvModule(const SpirvModule&) = delete;
  SpirvModule& operator=(const SpirvModule&) = delete;

 private:
  Result<bool> index();

  std::vector<uint32_t> words_;
  std::vector<Instruction> instructions_;
  std::unordered_map<uint32_t, const Instruction*> definitions_;
  std::unordered_map<uint32_t, Decorations> decorations_;
  std::unordered_map<uint64_t, Decorations> memberDecorations_;
  std::vector<EntryPoint> entryPoints_;
  std::vector<ExecutionMode> executionModes_;
  std::vector<const Instruction*> globalVariables_;
  std::unordered_map<uint32_t, Function> functions_;
};

}  // namespace emvk::jit
