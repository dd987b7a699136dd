// Moving values between lanes and components (types.hpp's component-major vectors), masks, and
// the shapes of integer values (translator.hpp).
#include <llvm/IR/Intrinsics.h>

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

// The value of a uniform <W x T>: lane 0's when every lane holds it, else the first running
// lane's (uniformity.hpp, allLanes).
llvm::Value* ShaderTranslator::uniformScalar(llvm::Value* lanes, bool allLanes) {
  if (allLanes) return builder_.CreateExtractElement(lanes, uint64_t{0});
  return builder_.CreateExtractElement(lanes, firstRunningLane());
}

llvm::Value* ShaderTranslator::firstRunningLane() {
  llvm::Value* bits = laneBits(mask_);
  return builder_.CreateIntrinsic(llvm::Intrinsic::cttz, {bits->getType()},
                                  {bits, builder_.getTrue()});
}

// What lane 0 would hold in affine offsets (i64 lanes), derived from another lane's. A lane that
// does not run may hold an index that wrapped around 2^32 before it was widened (s[l - 1] in
// lane 0, where l >= 1 is the condition), while the running lanes' offsets are consecutive. An
// index wraps where it goes below zero, so when every lane holds the value, the lane with the
// largest index is the reference: the last lane for a positive stride, the first for a negative
// one (a constant index, which LLVM folds). Otherwise a running lane's is the only one known.
llvm::Value* ShaderTranslator::affineBase(llvm::Value* offsets, const Shape& shape) {
  if (shape.allLanes) {
    const uint64_t lane = shape.stride >= 0 ? lanes_ - 1 : 0;
    llvm::Value* value = builder_.CreateExtractElement(offsets, lane);
    return builder_.CreateSub(value, builder_.getInt64(static_cast<uint64_t>(shape.stride) * lane));
  }
  llvm::Value* lane = builder_.CreateZExt(firstRunningLane(), builder_.getInt64Ty());
  llvm::Value* value = builder_.CreateExtractElement(offsets, lane);
  return builder_.CreateSub(value, builder_.CreateMul(lane, builder_.getInt64(shape.stride)));
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

}  // namespace emvk::jit
