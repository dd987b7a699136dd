// Pointers, loads, stores and atomics: every storage class is a byte address plus a SPIR-V type,
// laid out by layout.hpp (see translator.hpp).
#include <llvm/IR/Instructions.h>

#include "jit/failure.hpp"
#include "jit/spirv_names.hpp"
#include "jit/translator.hpp"

namespace emvk::jit {

namespace {

// Whole composites are loaded and stored one scalar or vector at a time; a shader copying a
// huge array by value would make the IR explode, so it is refused.
constexpr uint32_t kMaxCompositeBytes = 16384;

}  // namespace

// Function and Private memory: W copies of the variable in the group's prologue, lane i's copy of
// the scalar at natural offset o at W*o + i*size (translator.hpp).
llvm::Value* ShaderTranslator::allocateLanePrivate(uint32_t type) {
  uint64_t size = std::max(layout_.size(type), 1u);
  return prologueAlloca(nullptr, size * lanes_);
}

// OpAccessChain: walks the indexes through the layout, adding offsets: a scalar while every index
// is uniform, a vector of per-lane offsets from the first that is not.
ShaderTranslator::Pointer ShaderTranslator::accessChain(const Instruction& in) {
  Pointer p = pointer(in.operand(0));
  if (p.builtIn) {
    // A component of a built-in vector (gl_GlobalInvocationID.x).
    for (size_t i = 1; i < in.operands.size(); ++i) {
      auto c = module_.integerConstant(in.operand(i));
      if (!c || *c < 0 || static_cast<size_t>(*c) >= p.builtInShapes.size()) {
        fail("a built-in indexed by something other than a constant in range");
      }
      p.builtIn = component(p.builtIn, static_cast<uint32_t>(*c));
      p.builtInShapes = {p.builtInShapes[static_cast<size_t>(*c)]};
      p.type = types_.definition(p.type).operand(0);
    }
    return p;
  }
  p.range = nullptr;
  llvm::Type* i64 = builder_.getInt64Ty();
  auto addConstant = [&](uint64_t bytes) {
    if (bytes == 0) return;
    p.offset = p.offset->getType()->isVectorTy()
                   ? builder_.CreateAdd(
                         p.offset, builder_.CreateVectorSplat(lanes_, builder_.getInt64(bytes)))
                   : builder_.CreateAdd(p.offset, builder_.getInt64(bytes));
  };
  auto advance = [&](uint32_t index, uint64_t stride) {
    std::optional<Shape> shape = shapeOf(index);
    if (shape && shape->uniform()) {
      const Instruction* def = module_.definition(index);
      llvm::Value* scalar = uniformScalar(value(index), shape->allLanes);
      scalar = def && types_.isSigned(def->resultType) ? builder_.CreateSExt(scalar, i64)
                                                       : builder_.CreateZExt(scalar, i64);
      llvm::Value* bytes = builder_.CreateMul(scalar, builder_.getInt64(stride));
      p.offset = p.offset->getType()->isVectorTy()
                     ? builder_.CreateAdd(p.offset, builder_.CreateVectorSplat(lanes_, bytes))
                     : builder_.CreateAdd(p.offset, bytes);
      return;
    }
    llvm::Value* bytes = builder_.CreateMul(
        index64(index), builder_.CreateVectorSplat(lanes_, builder_.getInt64(stride)));
    if (!p.offset->getType()->isVectorTy()) p.offset = builder_.CreateVectorSplat(lanes_, p.offset);
    p.offset = builder_.CreateAdd(p.offset, bytes);
    if (shape && p.shape) {
      p.shape = Shape{p.shape->stride + shape->stride * static_cast<int64_t>(stride),
                      p.shape->allLanes && shape->allLanes};
    } else {
      p.shape = std::nullopt;
    }
  };
  for (size_t i = 1; i < in.operands.size(); ++i) {
    uint32_t index = in.operand(i);
    const Instruction& t = types_.definition(p.type);
    switch (t.opcode) {
      case spv::OpTypeStruct: {
        auto member = module_.integerConstant(index);
        if (!member || *member < 0 || static_cast<size_t>(*member) >= t.operands.size()) {
          fail("a struct member index that is not a constant in range");
        }
        auto m = static_cast<uint32_t>(*member);
        addConstant(layout_.memberOffset(p.type, m));
        p.matrix = layout_.memberMatrixLayout(p.type, m);
        p.type = t.operand(m);
        break;
      }
      case spv::OpTypeArray:
      case spv::OpTypeRuntimeArray:
        advance(index, layout_.arrayStride(p.type));
        p.type = t.operand(0);
        break;
      case spv::OpTypeVector:
        advance(index, p.componentStride ? p.componentStride : layout_.size(t.operand(0)));
        p.type = t.operand(0);
        p.componentStride = 0;
        break;
      case spv::OpTypeMatrix:
        if (p.matrix.rowMajor) {
          // Column c starts c elements into the first row; its components are a row apart.
          advance(index, layout_.size(types_.scalarType(t.operand(0))));
          p.componentStride = p.matrix.stride;
        } else {
          advance(index, layout_.columnStride(p.type, p.matrix.stride));
        }
        p.type = t.operand(0);
        p.matrix = {};
        break;
      default:
        fail("OpAccessChain into " + describeOpcode(t.opcode) + " is not supported");
    }
  }
  return p;
}

llvm::Value* ShaderTranslator::load(const Pointer& pointer) {
  if (pointer.builtIn) return pointer.builtIn;
  return loadAt(pointer, 0, pointer.type, pointer.matrix, pointer.componentStride);
}

void ShaderTranslator::store(const Pointer& pointer, llvm::Value* value) {
  if (pointer.builtIn) fail("a store to a built-in input");
  storeAt(pointer, 0, pointer.type, pointer.matrix, value, pointer.componentStride);
}

namespace {

// The parts of a composite type as they lie in memory: index, byte offset, type, the layout of a
// matrix part, and the distance between a part's components (a row-major matrix's columns).
struct Part {
  uint32_t index, offset, type;
  MatrixLayout matrix;
  uint32_t componentStride = 0;
};

std::vector<Part> partsOf(const Layout& layout, const Instruction& t, uint32_t type,
                          MatrixLayout matrix) {
  if (layout.size(type) > kMaxCompositeBytes) {
    fail("loading or storing a composite of " + std::to_string(layout.size(type)) +
         " bytes at once is not supported");
  }
  std::vector<Part> parts;
  switch (t.opcode) {
    case spv::OpTypeStruct:
      for (uint32_t m = 0; m < t.operands.size(); ++m) {
        parts.push_back(
            {m, layout.memberOffset(type, m), t.operand(m), layout.memberMatrixLayout(type, m)});
      }
      break;
    case spv::OpTypeArray:
      for (uint32_t e = 0; e < layout.arrayLength(type); ++e) {
        parts.push_back({e, e * layout.arrayStride(type), t.operand(0), matrix});
      }
      break;
    case spv::OpTypeMatrix:
      for (uint32_t c = 0; c < t.operand(1); ++c) {
        if (matrix.rowMajor) {  // column c: element c of each row, rows a MatrixStride apart
          const uint32_t element = layout.size(layout.type(t.operand(0)).operand(0));
          parts.push_back({c, c * element, t.operand(0), {}, matrix.stride});
        } else {
          parts.push_back({c, c * layout.columnStride(type, matrix.stride), t.operand(0), {}});
        }
      }
      break;
    case spv::OpTypeVector:  // of bools: each is a 32-bit word
      for (uint32_t c = 0; c < t.operand(1); ++c) parts.push_back({c, c * 4, t.operand(0), {}});
      break;
    default:
      fail("loading or storing " + describeOpcode(t.opcode) + " is not supported");
  }
  return parts;
}

}  // namespace

// Each lane's address of a scalar `extra` bytes past the pointer, as <W x ptr>.
llvm::Value* ShaderTranslator::laneAddresses(const Pointer& p, uint64_t extra, uint64_t leafSize) {
  llvm::Value* offset = p.offset;
  if (!offset->getType()->isVectorTy()) offset = builder_.CreateVectorSplat(lanes_, offset);
  offset = builder_.CreateAdd(offset, builder_.CreateVectorSplat(lanes_, builder_.getInt64(extra)));
  if (p.lanePrivate) {
    offset =
        builder_.CreateMul(offset, builder_.CreateVectorSplat(lanes_, builder_.getInt64(lanes_)));
    offset = builder_.CreateAdd(offset,
                                laneSteps(static_cast<int64_t>(leafSize), builder_.getInt64Ty()));
  }
  return builder_.CreateGEP(builder_.getInt8Ty(), p.base, offset);
}

// Robust buffer access (VkPhysicalDeviceFeatures::robustBufferAccess): the running lanes whose
// `bytes` at `extra` past the pointer lie inside the bound range; the others neither read (they
// get 0) nor write, so a shader never touches memory outside its descriptors' ranges. Memory that
// is not a buffer (no bound) is not checked.
llvm::Value* ShaderTranslator::lanesInBounds(const Pointer& p, uint64_t extra, uint64_t bytes) {
  if (!p.bound) return mask_;
  // offset + extra + bytes <= bound, as offset <= bound - (extra + bytes): one unsigned compare
  // per lane, and an offset that went negative (a signed index below zero) is huge, so out.
  llvm::Value* need = builder_.getInt64(extra + bytes);
  llvm::Value* fits = builder_.CreateICmpUGE(p.bound, need);
  llvm::Value* limit = builder_.CreateSub(p.bound, need);
  if (!p.offset->getType()->isVectorTy()) {
    llvm::Value* inside = builder_.CreateAnd(fits, builder_.CreateICmpULE(p.offset, limit));
    return builder_.CreateSelect(inside, mask_, llvm::Constant::getNullValue(mask_->getType()));
  }
  llvm::Value* inside = builder_.CreateICmpULE(p.offset, builder_.CreateVectorSplat(lanes_, limit));
  inside = builder_.CreateSelect(fits, inside, llvm::Constant::getNullValue(inside->getType()));
  return builder_.CreateAnd(mask_, inside);
}

llvm::Value* ShaderTranslator::componentsInBounds(const Pointer& p, uint64_t extra, uint64_t size,
                                                  uint32_t count) {
  std::vector<llvm::Value*> masks;
  for (uint32_t c = 0; c < count; ++c) masks.push_back(lanesInBounds(p, extra + c * size, size));
  return toLaneMajor(fromComponents(masks));
}

// One scalar per lane: one scalar load for a uniform address, one vector load for consecutive
// addresses, else a gather. Masked-off lanes read nothing and get 0.
llvm::Value* ShaderTranslator::loadLeaf(const Pointer& p, uint64_t extra, llvm::Type* element,
                                        uint32_t align) {
  const uint64_t size = element->getPrimitiveSizeInBits() / 8;
  llvm::Type* type = llvm::FixedVectorType::get(element, lanes_);
  llvm::Value* zero = llvm::Constant::getNullValue(type);
  bool uniform = !p.offset->getType()->isVectorTy();
  llvm::Value* lanes = p.lanePrivate ? mask_ : lanesInBounds(p, extra, size);
  if (p.lanePrivate && uniform) {
    llvm::Value* at = builder_.CreateGEP(
        builder_.getInt8Ty(), p.base,
        builder_.CreateMul(builder_.CreateAdd(p.offset, builder_.getInt64(extra)),
                           builder_.getInt64(lanes_)));
    return wholeOrMasked(
        allLanesInBounds(p, extra, size),
        [&] { return builder_.CreateAlignedLoad(type, at, llvm::Align(align)); },
        [&] { return builder_.CreateMaskedLoad(type, at, llvm::Align(align), mask_, zero); });
  }
  if (!p.lanePrivate && uniform) {
    llvm::Value* at = builder_.CreateGEP(builder_.getInt8Ty(), p.base,
                                         builder_.CreateAdd(p.offset, builder_.getInt64(extra)));
    if (p.bound) {
      // Out of bounds: read a zero from the module's own block of zeros instead. (Push
      // constants' offsets are constants: LLVM folds the test away.)
      llvm::Value* need = builder_.getInt64(extra + size);
      llvm::Value* inside =
          builder_.CreateAnd(builder_.CreateICmpUGE(p.bound, need),
                             builder_.CreateICmpULE(p.offset, builder_.CreateSub(p.bound, need)));
      at = builder_.CreateSelect(inside, at, zeroes());
    }
    return builder_.CreateVectorSplat(lanes_,
                                      builder_.CreateAlignedLoad(element, at, llvm::Align(align)));
  }
  if (!p.lanePrivate && p.shape && p.shape->stride == static_cast<int64_t>(size)) {
    llvm::Value* first = affineBase(p.offset, *p.shape);
    llvm::Value* at = builder_.CreateGEP(builder_.getInt8Ty(), p.base,
                                         builder_.CreateAdd(first, builder_.getInt64(extra)));
    return wholeOrMasked(
        allLanesInBounds(p, extra, size),
        [&] { return builder_.CreateAlignedLoad(type, at, llvm::Align(align)); },
        [&] {
          return builder_.CreateMaskedLoad(type, at, llvm::Align(align),
                                           lanesInBounds(p, extra, size), zero);
        });
  }
  return builder_.CreateMaskedGather(type, laneAddresses(p, extra, size), llvm::Align(align), lanes,
                                     zero);
}

// Whether every lane runs and the consecutive access of `bytes` per lane at `extra` is inside the
// bound range for all of them: then it needs no mask. The lanes' offsets are consecutive, so the
// first and the last lane's decide, two scalar compares.
llvm::Value* ShaderTranslator::allLanesInBounds(const Pointer& p, uint64_t extra, uint64_t bytes) {
  llvm::Value* full = builder_.CreateICmpEQ(
      laneBits(mask_), llvm::Constant::getAllOnesValue(builder_.getIntNTy(lanes_)));
  if (!p.bound || p.lanePrivate) return full;
  llvm::Value* need = builder_.getInt64(extra + bytes);
  llvm::Value* limit = builder_.CreateSub(p.bound, need);
  llvm::Value* inside = builder_.CreateICmpUGE(p.bound, need);
  for (uint64_t lane : {uint64_t{0}, uint64_t{lanes_ - 1}}) {
    llvm::Value* offset = p.offset->getType()->isVectorTy()
                              ? builder_.CreateExtractElement(p.offset, lane)
                              : p.offset;
    inside = builder_.CreateAnd(inside, builder_.CreateICmpULE(offset, limit));
  }
  return builder_.CreateAnd(full, inside);
}

// Consecutive accesses: when every lane takes part (the usual case) a plain vector access, else a
// masked one. Masked loads and stores are slower on some CPUs, and a masked load waits for older
// stores near it that a plain one would not (measured on Zen 5: saxpy in cache, 9 -> 27 GB/s on one
// thread).
llvm::Value* ShaderTranslator::wholeOrMasked(llvm::Value* full,
                                             const std::function<llvm::Value*()>& whole,
                                             const std::function<llvm::Value*()>& masked) {
  llvm::Function* function = builder_.GetInsertBlock()->getParent();
  auto* all = llvm::BasicBlock::Create(context_, "lanes.all", function);
  auto* some = llvm::BasicBlock::Create(context_, "lanes.some", function);
  auto* done = llvm::BasicBlock::Create(context_, "lanes.done", function);
  builder_.CreateCondBr(full, all, some);
  builder_.SetInsertPoint(all);
  llvm::Value* a = whole();
  llvm::BasicBlock* allEnd = builder_.GetInsertBlock();
  builder_.CreateBr(done);
  builder_.SetInsertPoint(some);
  llvm::Value* b = masked();
  llvm::BasicBlock* someEnd = builder_.GetInsertBlock();
  builder_.CreateBr(done);
  builder_.SetInsertPoint(done);
  if (!a) return nullptr;
  llvm::PHINode* phi = builder_.CreatePHI(a->getType(), 2);
  phi->addIncoming(a, allEnd);
  phi->addIncoming(b, someEnd);
  return phi;
}

// A 16-byte block of zeros in the module: what out-of-bounds uniform loads read.
llvm::Value* ShaderTranslator::zeroes() {
  if (auto* existing = llvm_->getNamedGlobal("emvk.zeroes")) return existing;
  auto* type = llvm::ArrayType::get(builder_.getInt8Ty(), 16);
  auto* global = new llvm::GlobalVariable(*llvm_, type, true, llvm::GlobalValue::PrivateLinkage,
                                          llvm::Constant::getNullValue(type), "emvk.zeroes");
  global->setAlignment(llvm::Align(16));
  return global;
}

void ShaderTranslator::storeLeaf(const Pointer& p, uint64_t extra, llvm::Value* value,
                                 uint32_t align) {
  const uint64_t size = value->getType()->getScalarSizeInBits() / 8;
  bool uniform = !p.offset->getType()->isVectorTy();
  llvm::Value* lanes = p.lanePrivate ? mask_ : lanesInBounds(p, extra, size);
  if (p.lanePrivate && uniform) {
    llvm::Value* at = builder_.CreateGEP(
        builder_.getInt8Ty(), p.base,
        builder_.CreateMul(builder_.CreateAdd(p.offset, builder_.getInt64(extra)),
                           builder_.getInt64(lanes_)));
    wholeOrMasked(
        allLanesInBounds(p, extra, size),
        [&] {
          builder_.CreateAlignedStore(value, at, llvm::Align(align));
          return nullptr;
        },
        [&] {
          builder_.CreateMaskedStore(value, at, llvm::Align(align), mask_);
          return nullptr;
        });
    return;
  }
  if (!p.lanePrivate && !uniform && p.shape && p.shape->stride == static_cast<int64_t>(size)) {
    llvm::Value* first = affineBase(p.offset, *p.shape);
    llvm::Value* at = builder_.CreateGEP(builder_.getInt8Ty(), p.base,
                                         builder_.CreateAdd(first, builder_.getInt64(extra)));
    wholeOrMasked(
        allLanesInBounds(p, extra, size),
        [&] {
          builder_.CreateAlignedStore(value, at, llvm::Align(align));
          return nullptr;
        },
        [&] {
          builder_.CreateMaskedStore(value, at, llvm::Align(align), lanesInBounds(p, extra, size));
          return nullptr;
        });
    return;
  }
  // Scattered (or all lanes to one address: the scatter stores in lane order, the last wins).
  builder_.CreateMaskedScatter(value, laneAddresses(p, extra, size), llvm::Align(align), lanes);
}

llvm::Value* ShaderTranslator::loadAt(const Pointer& p, uint64_t extra, uint32_t type,
                                      MatrixLayout matrix, uint32_t componentStride) {
  const Instruction& t = types_.definition(type);
  llvm::Type* lifted = types_.get(type);
  switch (t.opcode) {
    case spv::OpTypeBool: {
      llvm::Value* word = loadLeaf(p, extra, builder_.getInt32Ty(), 4);
      return builder_.CreateICmpNE(word, llvm::Constant::getNullValue(word->getType()));
    }
    case spv::OpTypeInt:
    case spv::OpTypeFloat:
      return loadLeaf(p, extra, types_.element(type), layout_.alignment(type));
    case spv::OpTypeVector: {
      if (types_.isBool(type)) break;
      uint32_t scalar = t.operand(0), count = t.operand(1);
      uint32_t size = layout_.size(scalar), align = layout_.alignment(scalar);
      const uint32_t step = componentStride ? componentStride : size;
      // An array of tightly packed vectors indexed by consecutive lanes: one load of all.
      if (step == size && !p.lanePrivate && p.offset->getType()->isVectorTy() && p.shape &&
          p.shape->stride == static_cast<int64_t>(size * count)) {
        llvm::Value* first = affineBase(p.offset, *p.shape);
        llvm::Value* at = builder_.CreateGEP(builder_.getInt8Ty(), p.base,
                                             builder_.CreateAdd(first, builder_.getInt64(extra)));
        llvm::Value* all = wholeOrMasked(
            allLanesInBounds(p, extra, size * count),
            [&] { return builder_.CreateAlignedLoad(lifted, at, llvm::Align(align)); },
            [&] {
              return builder_.CreateMaskedLoad(lifted, at, llvm::Align(align),
                                               componentsInBounds(p, extra, size, count),
                                               llvm::Constant::getNullValue(lifted));
            });
        return toComponentMajor(all);
      }
      std::vector<llvm::Value*> components;
      for (uint32_t c = 0; c < count; ++c) {
        components.push_back(loadLeaf(p, extra + c * step, types_.element(scalar), align));
      }
      return fromComponents(components);
    }
    default:
      break;
  }
  std::vector<llvm::Value*> components;
  llvm::Value* composite = llvm::PoisonValue::get(lifted);
  for (const Part& part : partsOf(layout_, t, type, matrix)) {
    llvm::Value* element =
        loadAt(p, extra + part.offset, part.type, part.matrix, part.componentStride);
    if (lifted->isVectorTy()) {
      components.push_back(element);
    } else {
      composite = builder_.CreateInsertValue(composite, element, {part.index});
    }
  }
  return lifted->isVectorTy() ? fromComponents(components) : composite;
}

void ShaderTranslator::storeAt(const Pointer& p, uint64_t extra, uint32_t type, MatrixLayout matrix,
                               llvm::Value* value, uint32_t componentStride) {
  const Instruction& t = types_.definition(type);
  switch (t.opcode) {
    case spv::OpTypeBool:
      storeLeaf(
          p, extra,
          builder_.CreateZExt(value, llvm::FixedVectorType::get(builder_.getInt32Ty(), lanes_)), 4);
      return;
    case spv::OpTypeInt:
    case spv::OpTypeFloat:
      storeLeaf(p, extra, value, layout_.alignment(type));
      return;
    case spv::OpTypeVector: {
      if (types_.isBool(type)) break;
      uint32_t scalar = t.operand(0), count = t.operand(1);
      uint32_t size = layout_.size(scalar), align = layout_.alignment(scalar);
      const uint32_t step = componentStride ? componentStride : size;
      if (step == size && !p.lanePrivate && p.offset->getType()->isVectorTy() && p.shape &&
          p.shape->stride == static_cast<int64_t>(size * count)) {
        llvm::Value* first = affineBase(p.offset, *p.shape);
        llvm::Value* at = builder_.CreateGEP(builder_.getInt8Ty(), p.base,
                                             builder_.CreateAdd(first, builder_.getInt64(extra)));
        llvm::Value* laneMajor = toLaneMajor(value);
        wholeOrMasked(
            allLanesInBounds(p, extra, size * count),
            [&] {
              builder_.CreateAlignedStore(laneMajor, at, llvm::Align(align));
              return nullptr;
            },
            [&] {
              builder_.CreateMaskedStore(laneMajor, at, llvm::Align(align),
                                         componentsInBounds(p, extra, size, count));
              return nullptr;
            });
        return;
      }
      for (uint32_t c = 0; c < count; ++c)
        storeLeaf(p, extra + c * step, component(value, c), align);
      return;
    }
    default:
      break;
  }
  bool isVector = value->getType()->isVectorTy();
  for (const Part& part : partsOf(layout_, t, type, matrix)) {
    llvm::Value* element =
        isVector ? component(value, part.index) : builder_.CreateExtractValue(value, {part.index});
    storeAt(p, extra + part.offset, part.type, part.matrix, element, part.componentStride);
  }
}

// OpArrayLength: how many elements of the block's trailing runtime array fit in the bound range.
llvm::Value* ShaderTranslator::arrayLength(const Instruction& in) {
  const Pointer block = pointer(in.operand(0));
  uint32_t member = in.operand(1);
  if (!block.range) fail("OpArrayLength of something other than a whole buffer block");
  uint32_t arrayType = types_.definition(block.type).operand(member);
  llvm::Value* offset = builder_.getInt64(layout_.memberOffset(block.type, member));
  llvm::Value* bytes =
      builder_.CreateSelect(builder_.CreateICmpULT(block.range, offset), builder_.getInt64(0),
                            builder_.CreateSub(block.range, offset));
  llvm::Value* length =
      builder_.CreateUDiv(bytes, builder_.getInt64(layout_.arrayStride(arrayType)));
  length =
      builder_.CreateBinaryIntrinsic(llvm::Intrinsic::umin, length, builder_.getInt64(UINT32_MAX));
  return builder_.CreateVectorSplat(lanes_, builder_.CreateTrunc(length, builder_.getInt32Ty()));
}

namespace {

// The LLVM operation of a SPIR-V read-modify-write atomic with an operand (isAtomic's others).
llvm::AtomicRMWInst::BinOp readModifyWrite(spv::Op opcode) {
  switch (opcode) {
    case spv::OpAtomicExchange:
      return llvm::AtomicRMWInst::Xchg;
    case spv::OpAtomicIAdd:
      return llvm::AtomicRMWInst::Add;
    case spv::OpAtomicISub:
      return llvm::AtomicRMWInst::Sub;
    case spv::OpAtomicSMin:
      return llvm::AtomicRMWInst::Min;
    case spv::OpAtomicUMin:
      return llvm::AtomicRMWInst::UMin;
    case spv::OpAtomicSMax:
      return llvm::AtomicRMWInst::Max;
    case spv::OpAtomicUMax:
      return llvm::AtomicRMWInst::UMax;
    case spv::OpAtomicAnd:
      return llvm::AtomicRMWInst::And;
    case spv::OpAtomicOr:
      return llvm::AtomicRMWInst::Or;
    case spv::OpAtomicXor:
      return llvm::AtomicRMWInst::Xor;
    default:
      fail("opcode " + describeOpcode(opcode) + " is not supported yet");
  }
}

}  // namespace

// Atomics on buffers and shared memory. The groups of one workgroup run on one thread, but
// workgroups run on several, so these are real atomic instructions, one per running lane, in
// lane order. Relaxed semantics give monotonic ordering; any acquire or release bit gives
// sequential consistency.
llvm::Value* ShaderTranslator::atomic(const Instruction& in) {
  const Pointer p = pointer(in.operand(0));
  llvm::Type* type = types_.element(p.type);
  if (!type->isIntegerTy(32))
    fail(describeOpcode(in.opcode) + " on non-32-bit-integers is not supported yet");
  if (p.builtIn) fail(describeOpcode(in.opcode) + " on a built-in");
  auto ordering = [&](size_t i) {
    auto semantics = module_.integerConstant(in.operand(i));
    const uint32_t kOrderingBits =
        spv::MemorySemanticsAcquireMask | spv::MemorySemanticsReleaseMask |
        spv::MemorySemanticsAcquireReleaseMask | spv::MemorySemanticsSequentiallyConsistentMask;
    bool relaxed = semantics && (static_cast<uint32_t>(*semantics) & kOrderingBits) == 0;
    return relaxed ? llvm::AtomicOrdering::Monotonic : llvm::AtomicOrdering::SequentiallyConsistent;
  };
  const llvm::Align align(4);
  llvm::Value* addresses = laneAddresses(p, 0, 4);
  llvm::Value* lanes = p.lanePrivate ? mask_ : lanesInBounds(p, 0, 4);
  // The operands, per lane: the value (and comparator).
  llvm::Value* operandValue = nullptr;
  llvm::Value* comparator = nullptr;
  switch (in.opcode) {
    case spv::OpAtomicLoad:
    case spv::OpAtomicIIncrement:
    case spv::OpAtomicIDecrement:
      break;
    case spv::OpAtomicStore:
      operandValue = operand(in, 3);
      break;
    case spv::OpAtomicCompareExchange:
      operandValue = operand(in, 4);
      comparator = operand(in, 5);
      break;
    default:
      operandValue = operand(in, 3);
      break;
  }
  llvm::Type* resultType = llvm::FixedVectorType::get(type, lanes_);
  llvm::Value* result = llvm::Constant::getNullValue(resultType);
  llvm::Function* function = builder_.GetInsertBlock()->getParent();
  for (uint32_t l = 0; l < lanes_; ++l) {
    auto* run = llvm::BasicBlock::Create(context_, "atomic.lane", function);
    auto* next = llvm::BasicBlock::Create(context_, "atomic.next", function);
    llvm::BasicBlock* before = builder_.GetInsertBlock();
    builder_.CreateCondBr(builder_.CreateExtractElement(lanes, uint64_t{l}), run, next);
    builder_.SetInsertPoint(run);
    llvm::Value* address = builder_.CreateExtractElement(addresses, uint64_t{l});
    auto lane = [&](llvm::Value* v) { return builder_.CreateExtractElement(v, uint64_t{l}); };
    auto rmw = [&](llvm::AtomicRMWInst::BinOp op, llvm::Value* v) -> llvm::Value* {
      return builder_.CreateAtomicRMW(op, address, v, align, ordering(2));
    };
    llvm::Value* old = nullptr;
    switch (in.opcode) {
      case spv::OpAtomicLoad: {
        llvm::LoadInst* load = builder_.CreateAlignedLoad(type, address, align);
        load->setAtomic(ordering(2));
        old = load;
        break;
      }
      case spv::OpAtomicStore: {
        llvm::StoreInst* store = builder_.CreateAlignedStore(lane(operandValue), address, align);
        store->setAtomic(ordering(2));
        old = llvm::Constant::getNullValue(type);
        break;
      }
      case spv::OpAtomicCompareExchange: {
        llvm::AtomicOrdering success = ordering(2);
        llvm::AtomicOrdering failure = ordering(3);
        if (failure != success) failure = llvm::AtomicOrdering::Monotonic;
        llvm::Value* pair = builder_.CreateAtomicCmpXchg(
            address, lane(comparator), lane(operandValue), align, success, failure);
        old = builder_.CreateExtractValue(pair, {0});
        break;
      }
      case spv::OpAtomicIIncrement:
        old = rmw(llvm::AtomicRMWInst::Add, builder_.getInt32(1));
        break;
      case spv::OpAtomicIDecrement:
        old = rmw(llvm::AtomicRMWInst::Sub, builder_.getInt32(1));
        break;
      default:
        old = rmw(readModifyWrite(in.opcode), lane(operandValue));
        break;
    }
    llvm::Value* updated = builder_.CreateInsertElement(result, old, uint64_t{l});
    llvm::BasicBlock* ran = builder_.GetInsertBlock();
    builder_.CreateBr(next);
    builder_.SetInsertPoint(next);
    llvm::PHINode* merged = builder_.CreatePHI(resultType, 2);
    merged->addIncoming(result, before);
    merged->addIncoming(updated, ran);
    result = merged;
  }
  return in.opcode == spv::OpAtomicStore ? nullptr : result;
}

}  // namespace emvk::jit
