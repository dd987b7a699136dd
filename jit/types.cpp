#include "jit/types.hpp"

#include <llvm/IR/DerivedTypes.h>

#include "jit/failure.hpp"
#include "jit/spirv_names.hpp"

namespace emvk::jit {

const Instruction& Types::definition(uint32_t id) const {
  const Instruction* in = module_.definition(id);
  if (!in) fail("type %" + std::to_string(id) + " is not defined");
  return *in;
}

llvm::Type* Types::element(uint32_t id) {
  if (auto it = elements_.find(id); it != elements_.end()) return it->second;
  llvm::Type* type = create(definition(id));
  elements_[id] = type;
  return type;
}

llvm::Type* Types::get(uint32_t id) {
  if (auto it = lifted_.find(id); it != lifted_.end()) return it->second;
  llvm::Type* type = lift(element(id));
  lifted_[id] = type;
  return type;
}

llvm::Type* Types::lift(llvm::Type* element) const {
  if (element->isVoidTy() || element->isPointerTy()) return element;
  if (auto* vector = llvm::dyn_cast<llvm::FixedVectorType>(element)) {
    return llvm::FixedVectorType::get(vector->getElementType(), vector->getNumElements() * lanes_);
  }
  if (auto* array = llvm::dyn_cast<llvm::ArrayType>(element)) {
    return llvm::ArrayType::get(lift(array->getElementType()), array->getNumElements());
  }
  if (auto* structure = llvm::dyn_cast<llvm::StructType>(element)) {
    std::vector<llvm::Type*> members;
    for (llvm::Type* member : structure->elements()) members.push_back(lift(member));
    return llvm::StructType::get(context_, members);
  }
  return llvm::FixedVectorType::get(element, lanes_);
}

llvm::Type* Types::create(const Instruction& t) {
  switch (t.opcode) {
    case spv::OpTypeVoid:
      return llvm::Type::getVoidTy(context_);
    case spv::OpTypeBool:
      return llvm::Type::getInt1Ty(context_);
    case spv::OpTypeInt: {
      // 8- and 16-bit widths come with the Int8/Int16 or 8/16-bit storage capabilities, which
      // a shader may declare once their features are enabled
      // (VUID-VkShaderModuleCreateInfo-pCode-08740).
      uint32_t width = t.operand(0);
      if (width != 8 && width != 16 && width != 32 && width != 64) {
        fail("OpTypeInt with width " + std::to_string(width) + " is not supported");
      }
      return llvm::Type::getIntNTy(context_, width);
    }
    case spv::OpTypeFloat:
      switch (t.operand(0)) {
        case 16:
          return llvm::Type::getHalfTy(context_);
        case 32:
          return llvm::Type::getFloatTy(context_);
        case 64:
          return llvm::Type::getDoubleTy(context_);
        default:
          fail("OpTypeFloat with width " + std::to_string(t.operand(0)) + " is not supported");
      }
    case spv::OpTypeVector:
      return llvm::FixedVectorType::get(element(t.operand(0)), t.operand(1));
    case spv::OpTypeMatrix:
      return llvm::ArrayType::get(element(t.operand(0)), t.operand(1));
    case spv::OpTypeArray: {
      auto length = module_.integerConstant(t.operand(1));
      if (!length || *length <= 0) fail("array length is not a positive 32-bit constant");
      return llvm::ArrayType::get(element(t.operand(0)), static_cast<uint64_t>(*length));
    }
    case spv::OpTypeStruct: {
      std::vector<llvm::Type*> members;
      for (uint32_t member : t.operands) members.push_back(element(member));
      return llvm::StructType::get(context_, members);
    }
    case spv::OpTypePointer:
      return llvm::PointerType::get(context_, 0);
    default:
      fail(describeOpcode(t.opcode) + " values are not supported yet");
  }
}

uint32_t Types::scalarType(uint32_t id) const {
  const Instruction& t = definition(id);
  return t.opcode == spv::OpTypeVector ? t.operand(0) : id;
}

uint32_t Types::componentCount(uint32_t id) const {
  const Instruction& t = definition(id);
  return t.opcode == spv::OpTypeVector ? t.operand(1) : 1;
}

bool Types::isSigned(uint32_t id) const {
  const Instruction& t = definition(scalarType(id));
  return t.opcode == spv::OpTypeInt && t.operand(1) != 0;
}

}  // namespace emvk::jit
