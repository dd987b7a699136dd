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

// Function, Private and Input memory: an alloca in the invocation's prologue, where LLVM's SROA
// finds it and keeps it in registers.
llvm::AllocaInst* ShaderTranslator::allocate(uint32_t type) {
  llvm::IRBuilder<> atPrologue(prologue_->getTerminator());
  uint32_t size = std::max(layout_.size(type), 1u);
  llvm::AllocaInst* memory =
      atPrologue.CreateAlloca(llvm::ArrayType::get(atPrologue.getInt8Ty(), size));
  memory->setAlignment(llvm::Align(16));
  return memory;
}

llvm::Value* ShaderTranslator::offsetAddress(llvm::Value* address, llvm::Value* bytes) {
  return builder_.CreateGEP(builder_.getInt8Ty(), address, bytes);
}

// OpAccessChain: walks the indexes through the layout, adding offsets.
ShaderTranslator::Pointer ShaderTranslator::accessChain(const Instruction& in) {
  Pointer p = pointer(in.operand(0));
  p.range = nullptr;
  llvm::Value* offset = builder_.getInt64(0);
  auto advance = [&](llvm::Value* index, uint64_t stride) {
    offset = builder_.CreateAdd(offset, builder_.CreateMul(index, builder_.getInt64(stride)));
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
        offset = builder_.CreateAdd(offset, builder_.getInt64(layout_.memberOffset(p.type, m)));
        p.matrixStride = layout_.memberMatrixStride(p.type, m);
        p.type = t.operand(m);
        break;
      }
      case spv::OpTypeArray:
      case spv::OpTypeRuntimeArray:
        advance(index64(index), layout_.arrayStride(p.type));
        p.type = t.operand(0);
        break;
      case spv::OpTypeVector:
        advance(index64(index), layout_.size(t.operand(0)));
        p.type = t.operand(0);
        break;
      case spv::OpTypeMatrix:
        advance(index64(index), layout_.columnStride(p.type, p.matrixStride));
        p.type = t.operand(0);
        p.matrixStride = 0;
        break;
      default:
        fail("OpAccessChain into " + describeOpcode(t.opcode) + " is not supported");
    }
  }
  p.address = offsetAddress(p.address, offset);
  return p;
}

llvm::Value* ShaderTranslator::load(const Pointer& pointer) {
  return loadAt(pointer.address, pointer.type, pointer.matrixStride);
}

void ShaderTranslator::store(const Pointer& pointer, llvm::Value* value) {
  storeAt(pointer.address, pointer.type, pointer.matrixStride, value);
}

namespace {

// The parts of a composite type as they lie in memory: (index, byte offset, type, MatrixStride).
struct Part {
  uint32_t index, offset, type, matrixStride;
};

std::vector<Part> partsOf(const Layout& layout, const Instruction& t, uint32_t type,
                          uint32_t matrixStride) {
  if (layout.size(type) > kMaxCompositeBytes) {
    fail("loading or storing a composite of " + std::to_string(layout.size(type)) +
         " bytes at once is not supported");
  }
  std::vector<Part> parts;
  switch (t.opcode) {
    case spv::OpTypeStruct:
      for (uint32_t m = 0; m < t.operands.size(); ++m) {
        parts.push_back(
            {m, layout.memberOffset(type, m), t.operand(m), layout.memberMatrixStride(type, m)});
      }
      break;
    case spv::OpTypeArray:
      for (uint32_t e = 0; e < layout.arrayLength(type); ++e) {
        parts.push_back({e, e * layout.arrayStride(type), t.operand(0), matrixStride});
      }
      break;
    case spv::OpTypeMatrix:
      for (uint32_t c = 0; c < t.operand(1); ++c) {
        parts.push_back({c, c * layout.columnStride(type, matrixStride), t.operand(0), 0});
      }
      break;
    case spv::OpTypeVector:  // of bools: each is a 32-bit word
      for (uint32_t c = 0; c < t.operand(1); ++c) parts.push_back({c, c * 4, t.operand(0), 0});
      break;
    default:
      fail("loading or storing " + describeOpcode(t.opcode) + " is not supported");
  }
  return parts;
}

}  // namespace

llvm::Value* ShaderTranslator::loadAt(llvm::Value* address, uint32_t type, uint32_t matrixStride) {
  const Instruction& t = types_.definition(type);
  llvm::Type* llvmType = types_.get(type);
  switch (t.opcode) {
    case spv::OpTypeBool:
      return builder_.CreateICmpNE(
          builder_.CreateAlignedLoad(builder_.getInt32Ty(), address, llvm::Align(4)),
          builder_.getInt32(0));
    case spv::OpTypeInt:
    case spv::OpTypeFloat:
      return builder_.CreateAlignedLoad(llvmType, address, llvm::Align(layout_.alignment(type)));
    case spv::OpTypeVector:
      if (!types_.isBool(type)) {
        return builder_.CreateAlignedLoad(llvmType, address,
                                          llvm::Align(layout_.alignment(t.operand(0))));
      }
      break;
    default:
      break;
  }
  llvm::Value* composite = llvm::PoisonValue::get(llvmType);
  for (const Part& part : partsOf(layout_, t, type, matrixStride)) {
    llvm::Value* element = loadAt(offsetAddress(address, builder_.getInt64(part.offset)), part.type,
                                  part.matrixStride);
    composite = llvmType->isVectorTy()
                    ? builder_.CreateInsertElement(composite, element, uint64_t{part.index})
                    : builder_.CreateInsertValue(composite, element, {part.index});
  }
  return composite;
}

void ShaderTranslator::storeAt(llvm::Value* address, uint32_t type, uint32_t matrixStride,
                               llvm::Value* value) {
  const Instruction& t = types_.definition(type);
  switch (t.opcode) {
    case spv::OpTypeBool:
      builder_.CreateAlignedStore(builder_.CreateZExt(value, builder_.getInt32Ty()), address,
                                  llvm::Align(4));
      return;
    case spv::OpTypeInt:
    case spv::OpTypeFloat:
      builder_.CreateAlignedStore(value, address, llvm::Align(layout_.alignment(type)));
      return;
    case spv::OpTypeVector:
      if (!types_.isBool(type)) {
        builder_.CreateAlignedStore(value, address, llvm::Align(layout_.alignment(t.operand(0))));
        return;
      }
      break;
    default:
      break;
  }
  bool isVector = value->getType()->isVectorTy();
  for (const Part& part : partsOf(layout_, t, type, matrixStride)) {
    llvm::Value* element = isVector ? builder_.CreateExtractElement(value, uint64_t{part.index})
                                    : builder_.CreateExtractValue(value, {part.index});
    storeAt(offsetAddress(address, builder_.getInt64(part.offset)), part.type, part.matrixStride,
            element);
  }
}

// OpArrayLength: how many elements of the block's trailing runtime array fit in the bound range.
llvm::Value* ShaderTranslator::arrayLength(const Instruction& in) {
  const Pointer& block = pointer(in.operand(0));
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
  return builder_.CreateTrunc(length, builder_.getInt32Ty());
}

// Atomics on buffers and shared memory. Invocations of one workgroup run on one thread, but
// workgroups run on several, so these are real atomic instructions. Relaxed semantics give
// monotonic ordering; any acquire or release bit gives sequential consistency.
llvm::Value* ShaderTranslator::atomic(const Instruction& in) {
  const Pointer& p = pointer(in.operand(0));
  llvm::Type* type = types_.get(p.type);
  if (!type->isIntegerTy(32))
    fail(describeOpcode(in.opcode) + " on non-32-bit-integers is not supported yet");
  auto ordering = [&](size_t i) {
    auto semantics = module_.integerConstant(in.operand(i));
    const uint32_t kOrderingBits =
        spv::MemorySemanticsAcquireMask | spv::MemorySemanticsReleaseMask |
        spv::MemorySemanticsAcquireReleaseMask | spv::MemorySemanticsSequentiallyConsistentMask;
    bool relaxed = semantics && (static_cast<uint32_t>(*semantics) & kOrderingBits) == 0;
    return relaxed ? llvm::AtomicOrdering::Monotonic : llvm::AtomicOrdering::SequentiallyConsistent;
  };
  const llvm::Align align(4);
  auto rmw = [&](llvm::AtomicRMWInst::BinOp op, llvm::Value* operand) -> llvm::Value* {
    return builder_.CreateAtomicRMW(op, p.address, operand, align, ordering(2));
  };
  switch (in.opcode) {
    case spv::OpAtomicLoad: {
      llvm::LoadInst* load = builder_.CreateAlignedLoad(type, p.address, align);
      load->setAtomic(ordering(2));
      return load;
    }
    case spv::OpAtomicStore: {
      llvm::StoreInst* store = builder_.CreateAlignedStore(operand(in, 3), p.address, align);
      store->setAtomic(ordering(2));
      return nullptr;
    }
    case spv::OpAtomicCompareExchange: {
      llvm::AtomicOrdering success = ordering(2);
      llvm::AtomicOrdering failure = ordering(3);
      if (failure != success) failure = llvm::AtomicOrdering::Monotonic;
      llvm::Value* pair = builder_.CreateAtomicCmpXchg(p.address, operand(in, 5), operand(in, 4),
                                                       align, success, failure);
      return builder_.CreateExtractValue(pair, {0});
    }
    case spv::OpAtomicExchange:
      return rmw(llvm::AtomicRMWInst::Xchg, operand(in, 3));
    case spv::OpAtomicIIncrement:
      return rmw(llvm::AtomicRMWInst::Add, builder_.getInt32(1));
    case spv::OpAtomicIDecrement:
      return rmw(llvm::AtomicRMWInst::Sub, builder_.getInt32(1));
    case spv::OpAtomicIAdd:
      return rmw(llvm::AtomicRMWInst::Add, operand(in, 3));
    case spv::OpAtomicISub:
      return rmw(llvm::AtomicRMWInst::Sub, operand(in, 3));
    case spv::OpAtomicSMin:
      return rmw(llvm::AtomicRMWInst::Min, operand(in, 3));
    case spv::OpAtomicUMin:
      return rmw(llvm::AtomicRMWInst::UMin, operand(in, 3));
    case spv::OpAtomicSMax:
      return rmw(llvm::AtomicRMWInst::Max, operand(in, 3));
    case spv::OpAtomicUMax:
      return rmw(llvm::AtomicRMWInst::UMax, operand(in, 3));
    case spv::OpAtomicAnd:
      return rmw(llvm::AtomicRMWInst::And, operand(in, 3));
    case spv::OpAtomicOr:
      return rmw(llvm::AtomicRMWInst::Or, operand(in, 3));
    case spv::OpAtomicXor:
      return rmw(llvm::AtomicRMWInst::Xor, operand(in, 3));
    default:
      fail("opcode " + describeOpcode(in.opcode) + " is not supported yet");
  }
}

}  // namespace emvk::jit
