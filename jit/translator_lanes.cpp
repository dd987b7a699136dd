// Moving values between lanes and components (types.hpp's component-major vectors), masks, and
// the shapes of integer values (translator.hpp).
#include "jit/failure.hpp"
#include "jit/translator.hpp"

namespace emvk::jit {

uint32_t ShaderTranslator::componentsOf(llvm::Type* type) const {
  return llvm::cast<llvm::FixedVectorType>(type)->getNumElements() / lanes_;
}

// Component c of every lane: <W x T>.
llvm::Value* ShaderTranslator::component(llvm::Value* vector, uint32_t c) {
  if (componentsOf(vector->getType()) == 1) return vector;
  std::vector<int> pick;
  for (uint32_t l = 0; l < lanes_; ++l) pick.push_back(static_cast<int>(c * lanes_ + l));
  return builder_.CreateShuffleVector(vector, pick);
}

// `vector` with component c replaced by `part` (<W x T>).
llvm::Value* ShaderTranslator::withComponent(llvm::Value* vector, uint32_t c, llvm::Value* part) {
  uint32_t count = componentsOf(vector->getType());
  if (count == 1) return part;
  std::vector<int> widen(count * lanes_, -1);
  for (uint32_t l = 0; l < lanes_; ++l) widen[c * lanes_ + l] = static_cast<int>(l);
  llvm::Value* wide = builder_.CreateShuffleVector(part, widen);
  std::vector<int> pick;
  for (uint32_t i = 0; i < count * lanes_; ++i) {
    bool fromPart = i / lanes_ == c;
    pick.push_back(static_cast<int>(fromPart ? count * lanes_ + i : i));
  }
  return builder_.CreateShuffleVector(vector, wide, pick);
}

// A vector whose components are the components of `parts` in order (each part a <k*W x T>).
llvm::Value* ShaderTranslator::fromComponents(llvm::ArrayRef<llvm::Value*> parts) {
  std::vector<llvm::Value*> columns;
  for (llvm::Value* part : parts) {
    for (uint32_t c = 0; c < componentsOf(part->getType()); ++c) {
      columns.push_back(component(part, c));
    }
  }
  if (columns.size() == 1) return columns[0];
  // Concatenate pairwise, like a tournament; an odd one out waits a round.
  while (columns.size() > 1) {
    std::vector<llvm::Value*> next;
    for (size_t i = 0; i + 1 < columns.size(); i += 2) {
      auto a = componentsOf(columns[i]->getType()), b = componentsOf(columns[i + 1]->getType());
      if (a != b) {
        // Unequal lengths: widen the shorter first (shufflevector needs equal operands).
        std::vector<int> widen;
        for (uint32_t e = 0; e < a * lanes_; ++e) {
          widen.push_back(e < b * lanes_ ? static_cast<int>(e) : -1);
        }
        llvm::Value* right = builder_.CreateShuffleVector(columns[i + 1], widen);
        std::vector<int> pick;
        for (uint32_t e = 0; e < (a + b) * lanes_; ++e) {
          pick.push_back(static_cast<int>(e < a * lanes_ ? e : e - a * lanes_ + a * lanes_));
        }
        next.push_back(builder_.CreateShuffleVector(columns[i], right, pick));
        continue;
      }
      std::vector<int> pick;
      for (uint32_t e = 0; e < 2 * a * lanes_; ++e) pick.push_back(static_cast<int>(e));
      next.push_back(builder_.CreateShuffleVector(columns[i], columns[i + 1], pick));
    }
    if (columns.size() % 2) next.push_back(columns.back());
    columns = std::move(next);
  }
  return columns[0];
}

// A <W x T> repeated as every component of a <components*W x T>.
llvm::Value* ShaderTranslator::replicate(llvm::Value* lanes, uint32_t components) {
  if (components == 1) return lanes;
  std::vector<int> pick;
  for (uint32_t c = 0; c < components; ++c) {
    for (uint32_t l = 0; l < lanes_; ++l) pick.push_back(static_cast<int>(l));
  }
  return builder_.CreateShuffleVector(lanes, pick);
}

// Component-major (c*W + l) to lane-major (l*N + c), as one lane's vector lies in memory.
llvm::Value* ShaderTranslator::toLaneMajor(llvm::Value* vector) {
  uint32_t count = componentsOf(vector->getType());
  if (count == 1) return vector;
  std::vector<int> pick;
  for (uint32_t l = 0; l < lanes_; ++l) {
    for (uint32_t c = 0; c < count; ++c) pick.push_back(static_cast<int>(c * lanes_ + l));
  }
  return builder_.CreateShuffleVector(vector, pick);
}

llvm::Value* ShaderTranslator::toComponentMajor(llvm::Value* vector) {
  uint32_t count = componentsOf(vector->getType());
  if (count == 1) return vector;
  std::vector<int> pick;
  for (uint32_t c = 0; c < count; ++c) {
    for (uint32_t l = 0; l < lanes_; ++l) pick.push_back(static_cast<int>(l * count + c));
  }
  return builder_.CreateShuffleVector(vector, pick);
}

// Lane by lane: `taken` where `mask` is set, else `kept`, for any value type.
llvm::Value* ShaderTranslator::blend(llvm::Value* mask, llvm::Value* taken, llvm::Value* kept) {
  llvm::Type* type = taken->getType();
  if (auto* vector = llvm::dyn_cast<llvm::FixedVectorType>(type)) {
    return builder_.CreateSelect(replicate(mask, vector->getNumElements() / lanes_), taken, kept);
  }
  unsigned parts = 0;
  if (auto* array = llvm::dyn_cast<llvm::ArrayType>(type)) {
    parts = static_cast<unsigned>(array->getNumElements());
  } else if (auto* structure = llvm::dyn_cast<llvm::StructType>(type)) {
    parts = structure->getNumElements();
  } else {
    fail("internal error: blending a value that is not per lane");
  }
  llvm::Value* result = kept;
  for (unsigned i = 0; i < parts; ++i) {
    llvm::Value* part = blend(mask, builder_.CreateExtractValue(taken, {i}),
                              builder_.CreateExtractValue(kept, {i}));
    result = builder_.CreateInsertValue(result, part, {i});
  }
  return result;
}

// The mask as an integer, bit l for lane l.
llvm::Value* ShaderTranslator::laneBits(llvm::Value* mask) {
  return builder_.CreateBitCast(mask, builder_.getIntNTy(lanes_));
}

llvm::Value* ShaderTranslator::anyLane(llvm::Value* mask) {
  return builder_.CreateICmpNE(laneBits(mask), builder_.getIntN(lanes_, 0));
}

// <0, step, 2*step, ...> of the integer type `element`.
llvm::Value* ShaderTranslator::laneSteps(int64_t step, llvm::Type* element) {
  std::vector<llvm::Constant*> steps;
  for (uint32_t l = 0; l < lanes_; ++l) {
    steps.push_back(llvm::ConstantInt::get(element, static_cast<uint64_t>(step * l), true));
  }
  return llvm::ConstantVector::get(steps);
}

// The value of lane 0 of a uniform <W x T>.
llvm::Value* ShaderTranslator::uniformScalar(llvm::Value* lanes) {
  return builder_.CreateExtractElement(lanes, uint64_t{0});
}

// One lane's constant for all lanes.
llvm::Constant* ShaderTranslator::liftConstant(llvm::Constant* element) {
  llvm::Type* type = element->getType();
  if (auto* vector = llvm::dyn_cast<llvm::FixedVectorType>(type)) {
    std::vector<llvm::Constant*> parts;
    for (uint32_t c = 0; c < vector->getNumElements(); ++c) {
      llvm::Constant* part = element->getAggregateElement(c);
      for (uint32_t l = 0; l < lanes_; ++l) parts.push_back(part);
    }
    return llvm::ConstantVector::get(parts);
  }
  if (type->isArrayTy() || type->isStructTy()) {
    std::vector<llvm::Constant*> parts;
    unsigned count = type->isArrayTy() ? static_cast<unsigned>(type->getArrayNumElements())
                                       : type->getStructNumElements();
    for (unsigned i = 0; i < count; ++i) {
      parts.push_back(liftConstant(element->getAggregateElement(i)));
    }
    if (type->isArrayTy()) {
      return llvm::ConstantArray::get(
          llvm::ArrayType::get(parts.empty() ? type : parts[0]->getType(), count), parts);
    }
    std::vector<llvm::Type*> members;
    for (llvm::Constant* part : parts) members.push_back(part->getType());
    return llvm::ConstantStruct::get(llvm::StructType::get(context_, members), parts);
  }
  return llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(lanes_), element);
}

std::optional<ShaderTranslator::Shape> ShaderTranslator::shapeOf(uint32_t id) const {
  auto it = shapes_.find(id);
  if (it != shapes_.end()) return it->second;
  // Constants are uniform; everything else unknown until inferred.
  const Instruction* in = module_.definition(id);
  if (!in) return std::nullopt;
  switch (in->opcode) {
    case spv::OpConstant:
    case spv::OpConstantTrue:
    case spv::OpConstantFalse:
    case spv::OpConstantNull:
    case spv::OpConstantComposite:
    case spv::OpUndef:
      return Shape{0};
    default:
      return std::nullopt;
  }
}

// The shape of the result of a pure instruction, from its operands': uniform operands give a
// uniform result; additions and multiplications by constants keep an affine one.
void ShaderTranslator::inferShape(const Instruction& in) {
  if (!in.result) return;
  auto operandShape = [&](size_t i) { return shapeOf(in.operand(i)); };
  auto constantOf = [&](size_t i) { return module_.integerConstant(in.operand(i)); };
  std::optional<Shape> result;
  switch (in.opcode) {
    case spv::OpIAdd:
    case spv::OpISub: {
      auto a = operandShape(0), b = operandShape(1);
      if (a && b) {
        result = Shape{in.opcode == spv::OpIAdd ? a->stride + b->stride : a->stride - b->stride};
      }
      break;
    }
    case spv::OpIMul: {
      auto a = operandShape(0), b = operandShape(1);
      if (a && b && a->uniform() && b->uniform()) {
        result = Shape{0};
      } else if (a && b && b->uniform() && constantOf(1)) {
        result = Shape{a->stride * *constantOf(1)};
      } else if (a && b && a->uniform() && constantOf(0)) {
        result = Shape{b->stride * *constantOf(0)};
      }
      break;
    }
    case spv::OpShiftLeftLogical: {
      auto a = operandShape(0), b = operandShape(1);
      auto amount = constantOf(1);
      if (a && b && b->uniform() && amount && *amount >= 0 && *amount < 32) {
        result = Shape{a->stride * (int64_t{1} << *amount)};
      }
      break;
    }
    case spv::OpBitcast:
      if (auto a = operandShape(0); a && a->uniform()) result = Shape{0};
      break;
    case spv::OpSConvert:
    case spv::OpUConvert:
    case spv::OpCopyObject:
      // Widening an affine index: lanes of one group do not wrap around 2^32 in any access
      // that stays inside a buffer.
      result = operandShape(0);
      break;
    case spv::OpCompositeExtract: {
      // A component of a built-in vector keeps that component's shape (set at the load).
      result = operandShape(0);
      if (result && !result->uniform()) result = std::nullopt;
      auto it = componentShapes_.find(in.operand(0));
      if (it != componentShapes_.end() && in.operands.size() == 2 &&
          in.operand(1) < it->second.size()) {
        result = it->second[in.operand(1)];
      }
      break;
    }
    default: {
      // Anything pure of uniform operands is uniform.
      bool allUniform = true;
      size_t first = in.opcode == spv::OpExtInst ? 2 : 0;
      for (size_t i = first; i < in.operands.size(); ++i) {
        const Instruction* def = module_.definition(in.operand(i));
        if (!def || def->opcode == spv::OpTypeVoid) continue;
        bool isValue = def->resultType != 0 || def->opcode == spv::OpConstantTrue;
        if (!isValue) continue;  // a literal that happens to name an id
        auto shape = shapeOf(in.operand(i));
        if (!shape || !shape->uniform()) allUniform = false;
      }
      if (allUniform) result = Shape{0};
      break;
    }
  }
  shapes_[in.result] = result;
}

}  // namespace emvk::jit
