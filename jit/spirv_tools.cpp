#include "jit/spirv_tools.hpp"

#include <llvm/ADT/APFloat.h>

#include <spirv-tools/libspirv.hpp>
#include <spirv-tools/optimizer.hpp>
#include <string>
#include <unordered_map>

#include "jit/spirv_module.hpp"
#include "jit/spirv_names.hpp"

namespace emvk::jit {

namespace {

constexpr spv_target_env kTargetEnv = SPV_ENV_VULKAN_1_1;

// Keeps the first error SPIRV-Tools reports, with where it points.
class FirstError {
 public:
  spvtools::MessageConsumer consumer() {
    return [this](spv_message_level_t level, const char*, const spv_position_t& position,
                  const char* message) {
      if (level > SPV_MSG_ERROR || !text_.empty()) return;
      text_ = message ? message : "unknown error";
      if (position.index) text_ += " (at word " + std::to_string(position.index) + ")";
    };
  }
  std::string text(const char* fallback) const { return text_.empty() ? fallback : text_; }

 private:
  std::string text_;
};

// VkSpecializationMapEntry data as the words spirv-opt wants: little-endian, zero-padded.
std::vector<uint32_t> toWords(const std::vector<uint8_t>& bytes) {
  std::vector<uint32_t> words((bytes.size() + 3) / 4, 0);
  for (size_t i = 0; i < bytes.size(); ++i) words[i / 4] |= uint32_t{bytes[i]} << (8 * (i % 4));
  return words;
}

// How many members, components or elements a composite type has; 0 if it cannot tell.
uint32_t memberCount(const SpirvModule& module, const Instruction& type) {
  switch (type.opcode) {
    case spv::OpTypeVector:
    case spv::OpTypeMatrix:
      return type.operand(1);
    case spv::OpTypeArray:
      return static_cast<uint32_t>(module.integerConstant(type.operand(1)).value_or(0));
    case spv::OpTypeStruct:
      return static_cast<uint32_t>(type.operands.size());
    default:
      return 0;
  }
}

// Whether literal `indexes` lead somewhere inside a value of SPIR-V type `type`.
bool indexesInRange(const SpirvModule& module, uint32_t type, std::span<const uint32_t> indexes) {
  for (uint32_t index : indexes) {
    const Instruction* t = module.definition(type);
    if (!t || index >= memberCount(module, *t)) return false;
    type = t->opcode == spv::OpTypeStruct ? t->operand(index) : t->operand(0);
  }
  return true;
}

uint32_t typeOf(const SpirvModule& module, uint32_t id) {
  const Instruction* in = module.definition(id);
  return in ? in->resultType : 0;
}

// SPIRV-Tools 2023.1 folds OpSpecConstantOp without checking composite indexes, and its
// validator lets out-of-range ones through: spirv-opt would crash on them. They are refused
// here, before specialisation runs.
Result<bool> checkSpecConstantOps(std::span<const uint32_t> spirv) {
  auto parsed = SpirvModule::parse({spirv.begin(), spirv.end()});
  if (!parsed) return parsed.error();
  const SpirvModule& module = *parsed.value();
  for (const Instruction& in : module.instructions()) {
    if (in.opcode != spv::OpSpecConstantOp) continue;
    std::span<const uint32_t> operands = in.operands;
    bool inRange = true;
    switch (in.operand(0)) {
      case spv::OpCompositeExtract:
        inRange = operands.size() >= 2 &&
                  indexesInRange(module, typeOf(module, in.operand(1)), operands.subspan(2));
        break;
      case spv::OpCompositeInsert:
        inRange = operands.size() >= 3 &&
                  indexesInRange(module, typeOf(module, in.operand(2)), operands.subspan(3));
        break;
      case spv::OpVectorShuffle: {
        const Instruction* first = module.definition(typeOf(module, in.operand(1)));
        const Instruction* second = module.definition(typeOf(module, in.operand(2)));
        uint32_t count = first && second ? first->operand(1) + second->operand(1) : 0;
        for (size_t i = 3; i < operands.size(); ++i) {
          inRange &= operands[i] < count || operands[i] == 0xFFFFFFFF;
        }
        break;
      }
      default:
        break;
    }
    if (!inRange) {
      return Error{VK_ERROR_UNKNOWN, "invalid SPIR-V: OpSpecConstantOp " +
                                         describeOpcode(in.operand(0)) + " %" +
                                         std::to_string(in.result) + " indexes out of range"};
    }
  }
  return true;
}

// The value of a width conversion (OpSConvert, OpUConvert, OpFConvert) of a constant: `bits` of
// a scalar of type `from`, as bits of type `to`.
struct Scalar {
  uint32_t width = 0;
  bool isFloat = false, isSigned = false;
};

const llvm::fltSemantics& semantics(uint32_t width) {
  if (width == 16) return llvm::APFloat::IEEEhalf();
  return width == 32 ? llvm::APFloat::IEEEsingle() : llvm::APFloat::IEEEdouble();
}

uint64_t convertConstant(spv::Op op, uint64_t bits, const Scalar& from, const Scalar& to) {
  const uint64_t toMask = to.width == 64 ? ~uint64_t{0} : (uint64_t{1} << to.width) - 1;
  if (op == spv::OpFConvert) {
    llvm::APFloat value(semantics(from.width), llvm::APInt(from.width, bits));
    bool losesInfo = false;
    value.convert(semantics(to.width), llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    return value.bitcastToAPInt().getZExtValue();
  }
  if (op == spv::OpSConvert && from.width < 64 && (bits >> (from.width - 1)) & 1) {
    bits |= ~uint64_t{0} << from.width;  // sign-extend from the operand's width
  }
  return bits & toMask;
}

// SPIRV-Tools (2023.1) folds OpSpecConstantOp arithmetic but not the width conversions that 8-
// and 16-bit specialisation constants bring (glslang writes `int(kShort)` as OpSpecConstantOp
// SConvert). Once the constants are frozen, these convert plain constants: each becomes an
// OpConstant here. Returns whether any did.
bool foldWidthConversions(std::vector<uint32_t>& words) {
  constexpr size_t kHeaderWords = 5;
  if (words.size() < kHeaderWords) return false;
  std::unordered_map<uint32_t, Scalar> types;
  std::unordered_map<uint32_t, std::pair<uint32_t, uint64_t>> constants;  // id -> (type, bits)
  std::vector<uint32_t> out(words.begin(), words.begin() + kHeaderWords);
  bool folded = false;
  for (size_t at = kHeaderWords; at < words.size();) {
    const uint32_t count = words[at] >> 16;
    if (count == 0 || at + count > words.size()) return false;  // validated: cannot happen
    const auto op = static_cast<spv::Op>(words[at] & 0xFFFF);
    const uint32_t* in = &words[at];
    at += count;
    if ((op == spv::OpTypeInt || op == spv::OpTypeFloat) && count >= 3) {
      types[in[1]] = {in[2], op == spv::OpTypeFloat, op == spv::OpTypeInt && count > 3 && in[3]};
    } else if (op == spv::OpConstant && count >= 4 && types.count(in[1])) {
      uint64_t bits = in[3] | (count > 4 ? uint64_t{in[4]} << 32 : 0);
      const uint32_t width = types[in[1]].width;
      constants[in[2]] = {in[1], width == 64 ? bits : bits & ((uint64_t{1} << width) - 1)};
    } else if (op == spv::OpSpecConstantOp && count == 5 && types.count(in[1]) &&
               constants.count(in[4]) &&
               (in[3] == spv::OpSConvert || in[3] == spv::OpUConvert || in[3] == spv::OpFConvert)) {
      const auto [fromType, bits] = constants[in[4]];
      const Scalar& to = types[in[1]];
      const uint64_t value =
          convertConstant(static_cast<spv::Op>(in[3]), bits, types[fromType], to);
      constants[in[2]] = {in[1], value};
      // A literal narrower than 32 bits is sign-extended for signed integer types, else
      // zero-extended (SPIR-V 2.2.1, "Literal").
      uint32_t low = static_cast<uint32_t>(value);
      if (to.isSigned && to.width < 32 && (value >> (to.width - 1)) & 1) low |= ~0u << to.width;
      const uint32_t literalWords = to.width == 64 ? 2 : 1;
      out.push_back((3 + literalWords) << 16 | spv::OpConstant);
      out.insert(out.end(), {in[1], in[2], low});
      if (literalWords == 2) out.push_back(static_cast<uint32_t>(value >> 32));
      folded = true;
      continue;
    }
    out.insert(out.end(), in, in + count);
  }
  if (folded) words = std::move(out);
  return folded;
}

}  // namespace

Result<bool> validateSpirv(std::span<const uint32_t> spirv) {
  if (spirv.empty()) return Error{VK_ERROR_UNKNOWN, "invalid SPIR-V: the module is empty"};
  spvtools::SpirvTools tools(kTargetEnv);
  FirstError error;
  tools.SetMessageConsumer(error.consumer());
  spvtools::ValidatorOptions options;
  if (!tools.Validate(spirv.data(), spirv.size(), options)) {
    return Error{VK_ERROR_UNKNOWN, "invalid SPIR-V: " + error.text("the validator refused it")};
  }
  return true;
}

Result<std::vector<uint32_t>> specialize(std::span<const uint32_t> spirv,
                                         const std::vector<SpecializationConstant>& values) {
  auto checked = checkSpecConstantOps(spirv);
  if (!checked) return checked.error();
  spvtools::Optimizer optimizer(kTargetEnv);
  FirstError error;
  optimizer.SetMessageConsumer(error.consumer());
  if (!values.empty()) {
    std::unordered_map<uint32_t, std::vector<uint32_t>> defaults;
    for (const SpecializationConstant& value : values) defaults[value.id] = toWords(value.bytes);
    optimizer.RegisterPass(spvtools::CreateSetSpecConstantDefaultValuePass(defaults));
  }
  optimizer.RegisterPass(spvtools::CreateFreezeSpecConstantValuePass())
      .RegisterPass(spvtools::CreateFoldSpecConstantOpAndCompositePass())
      .RegisterPass(spvtools::CreateFlattenDecorationPass())
      .RegisterPass(spvtools::CreateMergeReturnPass())  // the inliner needs single returns
      .RegisterPass(spvtools::CreateInlineExhaustivePass())
      .RegisterPass(spvtools::CreateEliminateDeadFunctionsPass())
      // Function variables into SSA values: in memory, each lane's copy is a masked access
      // (translator.hpp), and a value read back from memory loses its shape; in SSA form it
      // keeps it, and LLVM sees plain registers. Unoptimised SPIR-V (glslc -O0, the default
      // of many build systems) is full of them.
      .RegisterPass(spvtools::CreateLocalAccessChainConvertPass())
      .RegisterPass(spvtools::CreateScalarReplacementPass())
      .RegisterPass(spvtools::CreateLocalSingleBlockLoadStoreElimPass())
      .RegisterPass(spvtools::CreateLocalSingleStoreElimPass())
      .RegisterPass(spvtools::CreateSSARewritePass())
      .RegisterPass(spvtools::CreateAggressiveDCEPass());  // the stores nobody reads any more
  spvtools::OptimizerOptions options;
  options.set_run_validator(false);  // validateSpirv already ran
  std::vector<uint32_t> result;
  if (!optimizer.Run(spirv.data(), spirv.size(), &result, options)) {
    return Error{VK_ERROR_UNKNOWN, "specialisation failed: " + error.text("spirv-opt failed")};
  }
  if (foldWidthConversions(result)) {
    // What used the conversions can fold now.
    spvtools::Optimizer again(kTargetEnv);
    again.SetMessageConsumer(error.consumer());
    again.RegisterPass(spvtools::CreateFoldSpecConstantOpAndCompositePass());
    std::vector<uint32_t> refolded;
    if (!again.Run(result.data(), result.size(), &refolded, options)) {
      return Error{VK_ERROR_UNKNOWN, "specialisation failed: " + error.text("spirv-opt failed")};
    }
    result = std::move(refolded);
  }
  return result;
}

std::optional<std::string> disassembleSpirv(std::span<const uint32_t> spirv) {
  spvtools::SpirvTools tools(kTargetEnv);
  std::string text;
  uint32_t options = SPV_BINARY_TO_TEXT_OPTION_FRIENDLY_NAMES | SPV_BINARY_TO_TEXT_OPTION_INDENT;
  if (!tools.Disassemble(spirv.data(), spirv.size(), &text, options)) return std::nullopt;
  return text;
}

}  // namespace emvk::jit
