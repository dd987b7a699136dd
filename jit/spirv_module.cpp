#include "jit/spirv_module.hpp"

#include "jit/spirv_names.hpp"

namespace emvk::jit {

namespace {

constexpr uint32_t kMagic = 0x07230203;
constexpr size_t kHeaderWords = 5;

Error malformed(const std::string& why) { return {VK_ERROR_UNKNOWN, "malformed SPIR-V: " + why}; }

uint64_t memberKey(uint32_t structType, uint32_t member) {
  return (uint64_t{structType} << 32) | member;
}

}  // namespace

std::string Instruction::literalString(size_t i) const {
  std::string text;
  for (; i < operands.size(); ++i) {
    for (int byte = 0; byte < 4; ++byte) {
      char c = static_cast<char>((operands[i] >> (8 * byte)) & 0xff);
      if (c == '\0') return text;
      text += c;
    }
  }
  return text;
}

std::optional<uint32_t> Decorations::get(spv::Decoration d) const {
  auto it = values_.find(d);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<std::unique_ptr<SpirvModule>> SpirvModule::parse(std::vector<uint32_t> words) {
  if (words.size() < kHeaderWords) return malformed("shorter than its header");
  if (words[0] != kMagic) return malformed("wrong magic number");
  auto module = std::make_unique<SpirvModule>();
  module->words_ = std::move(words);
  const std::vector<uint32_t>& w = module->words_;

  for (size_t at = kHeaderWords; at < w.size();) {
    uint32_t wordCount = w[at] >> 16;
    auto opcode = static_cast<spv::Op>(w[at] & 0xffff);
    if (wordCount == 0 || at + wordCount > w.size()) {
      return malformed("instruction at word " + std::to_string(at) + " (" + describeOpcode(opcode) +
                       ") runs past the end");
    }
    bool hasResult = false, hasResultType = false;
    spv::HasResultAndType(opcode, &hasResult, &hasResultType);
    size_t fixed = 1 + (hasResultType ? 1 : 0) + (hasResult ? 1 : 0);
    if (wordCount < fixed) return malformed(describeOpcode(opcode) + " is too short");
    Instruction instruction;
    instruction.opcode = opcode;
    size_t next = at + 1;
    if (hasResultType) instruction.resultType = w[next++];
    if (hasResult) instruction.result = w[next++];
    instruction.operands = std::span<const uint32_t>(w.data() + next, at + wordCount - next);
    module->instructions_.push_back(instruction);
    at += wordCount;
  }
  auto indexed = module->index();
  if (!indexed) return indexed.error();
  return module;
}

// Builds the indexes over instructions_, which no longer grows: the pointers stay valid.
Result<bool> SpirvModule::index() {
  Function* current = nullptr;
  Block* block = nullptr;
  for (const Instruction& in : instructions_) {
    if (in.result != 0) definitions_[in.result] = &in;
    switch (in.opcode) {
      case spv::OpDecorate:
        if (in.operands.size() < 2) return malformed("OpDecorate is too short");
        decorations_[in.operand(0)].add(static_cast<spv::Decoration>(in.operand(1)),
                                        in.operands.size() > 2 ? in.operand(2) : 1);
        break;
      case spv::OpMemberDecorate:
        if (in.operands.size() < 3) return malformed("OpMemberDecorate is too short");
        memberDecorations_[memberKey(in.operand(0), in.operand(1))].add(
            static_cast<spv::Decoration>(in.operand(2)),
            in.operands.size() > 3 ? in.operand(3) : 1);
        break;
      case spv::OpEntryPoint:
        if (in.operands.size() < 3) return malformed("OpEntryPoint is too short");
        entryPoints_.push_back(
            {static_cast<spv::ExecutionModel>(in.operand(0)), in.operand(1), in.literalString(2)});
        break;
      case spv::OpExecutionMode:
      case spv::OpExecutionModeId:
        if (in.operands.size() < 2) return malformed("OpExecutionMode is too short");
        executionModes_.push_back({in.operand(0),
                                   static_cast<spv::ExecutionMode>(in.operand(1)),
                                   {in.operands.begin() + 2, in.operands.end()}});
        break;
      case spv::OpVariable:
        if (block) {
          block->instructions.push_back(&in);
        } else if (!current) {
          globalVariables_.push_back(&in);
        }
        break;
      case spv::OpFunction:
        if (current) return malformed("OpFunction inside a function");
        current = &functions_[in.result];
        current->definition = &in;
        break;
      case spv::OpFunctionParameter:
        if (!current) return malformed("OpFunctionParameter outside a function");
        current->parameters.push_back(&in);
        break;
      case spv::OpFunctionEnd:
        if (!current || block) return malformed("OpFunctionEnd without its function or block end");
        current = nullptr;
        break;
      case spv::OpLabel:
        if (!current || block) return malformed("OpLabel outside a function or inside a block");
        block = &current->blocks.emplace_back();
        block->label = in.result;
        break;
      case spv::OpSelectionMerge:
      case spv::OpLoopMerge:
        if (!block) return malformed("merge instruction outside a block");
        block->merge = &in;
        break;
      case spv::OpBranch:
      case spv::OpBranchConditional:
      case spv::OpSwitch:
      case spv::OpReturn:
      case spv::OpReturnValue:
      case spv::OpKill:
      case spv::OpTerminateInvocation:
      case spv::OpUnreachable:
        if (!block) return malformed(describeOpcode(in.opcode) + " outside a block");
        block->terminator = &in;
        block = nullptr;
        break;
      case spv::OpLine:
      case spv::OpNoLine:
        break;
      default:
        if (block) block->instructions.push_back(&in);
        break;
    }
  }
  if (current) return malformed("function without OpFunctionEnd");
  return true;
}

const Instruction* SpirvModule::definition(uint32_t id) const {
  auto it = definitions_.find(id);
  return it == definitions_.end() ? nullptr : it->second;
}

const Decorations& SpirvModule::decorations(uint32_t id) const {
  static const Decorations kNone;
  auto it = decorations_.find(id);
  return it == decorations_.end() ? kNone : it->second;
}

const Decorations& SpirvModule::memberDecorations(uint32_t structType, uint32_t member) const {
  static const Decorations kNone;
  auto it = memberDecorations_.find(memberKey(structType, member));
  return it == memberDecorations_.end() ? kNone : it->second;
}

std::vector<uint32_t> SpirvModule::decoratedWith(spv::Decoration decoration, uint32_t value) const {
  std::vector<uint32_t> ids;
  for (const auto& [id, decorations] : decorations_) {
    if (decorations.get(decoration) == value) ids.push_back(id);
  }
  return ids;
}

const Function* SpirvModule::function(uint32_t id) const {
  auto it = functions_.find(id);
  return it == functions_.end() ? nullptr : &it->second;
}

std::string SpirvModule::extInstSetName(uint32_t id) const {
  const Instruction* in = definition(id);
  if (!in || in->opcode != spv::OpExtInstImport) return {};
  return in->literalString(0);
}

std::optional<int64_t> SpirvModule::integerConstant(uint32_t id) const {
  const Instruction* constant = definition(id);
  if (!constant || constant->opcode != spv::OpConstant || constant->operands.size() != 1) {
    return std::nullopt;
  }
  const Instruction* type = definition(constant->resultType);
  if (!type || type->opcode != spv::OpTypeInt || type->operand(0) > 32) return std::nullopt;
  uint32_t width = type->operand(0);
  uint32_t bits = constant->operand(0);
  if (width < 32) bits &= (1u << width) - 1;
  bool isSigned = type->operand(1) != 0;
  if (isSigned && width < 32 && (bits >> (width - 1)) & 1) bits |= ~((1u << width) - 1);
  return isSigned ? int64_t{static_cast<int32_t>(bits)} : int64_t{bits};
}

}  // namespace emvk::jit
