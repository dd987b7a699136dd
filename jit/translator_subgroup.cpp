// OpGroupNonUniform*: operations across the lanes of a subgroup, which is one SIMD group
// (translator.hpp). Only the running lanes (mask_) take part: a reduction gives inactive lanes
// the operation's identity, a read from an inactive lane gives an undefined value (whatever that
// lane holds), as the SPIR-V specification allows.
#include <llvm/IR/Intrinsics.h>

#include <limits>

#include "jit/failure.hpp"
#include "jit/interface.hpp"
#include "jit/spirv_names.hpp"
#include "jit/translator.hpp"

namespace emvk::jit {

namespace {

enum class Reduction { Add, Mul, Min, Max, UMin, UMax, FAdd, FMul, FMin, FMax, And, Or, Xor };

struct Arithmetic {
  Reduction op;
  bool isFloat = false;
};

std::optional<Reduction> reductionOf(spv::Op opcode) {
  switch (opcode) {
    case spv::OpGroupNonUniformIAdd:
      return Reduction::Add;
    case spv::OpGroupNonUniformIMul:
      return Reduction::Mul;
    case spv::OpGroupNonUniformSMin:
      return Reduction::Min;
    case spv::OpGroupNonUniformSMax:
      return Reduction::Max;
    case spv::OpGroupNonUniformUMin:
      return Reduction::UMin;
    case spv::OpGroupNonUniformUMax:
      return Reduction::UMax;
    case spv::OpGroupNonUniformFAdd:
      return Reduction::FAdd;
    case spv::OpGroupNonUniformFMul:
      return Reduction::FMul;
    case spv::OpGroupNonUniformFMin:
      return Reduction::FMin;
    case spv::OpGroupNonUniformFMax:
      return Reduction::FMax;
    case spv::OpGroupNonUniformBitwiseAnd:
    case spv::OpGroupNonUniformLogicalAnd:
      return Reduction::And;
    case spv::OpGroupNonUniformBitwiseOr:
    case spv::OpGroupNonUniformLogicalOr:
      return Reduction::Or;
    case spv::OpGroupNonUniformBitwiseXor:
    case spv::OpGroupNonUniformLogicalXor:
      return Reduction::Xor;
    default:
      return std::nullopt;
  }
}

// The value that changes nothing: x op identity == x.
llvm::Constant* identity(Reduction op, llvm::Type* element) {
  switch (op) {
    case Reduction::Add:
    case Reduction::Or:
    case Reduction::Xor:
    case Reduction::UMax:
      return llvm::Constant::getNullValue(element);
    case Reduction::Mul:
      return llvm::ConstantInt::get(element, 1);
    case Reduction::And:
    case Reduction::UMin:
      return llvm::Constant::getAllOnesValue(element);
    case Reduction::Min:
      return llvm::ConstantInt::get(element,
                                    llvm::APInt::getSignedMaxValue(element->getScalarSizeInBits()));
    case Reduction::Max:
      return llvm::ConstantInt::get(element,
                                    llvm::APInt::getSignedMinValue(element->getScalarSizeInBits()));
    case Reduction::FAdd:  // -0 + x is x for every x, +0 and -0 included
      return llvm::ConstantFP::getNegativeZero(element);
    case Reduction::FMul:
      return llvm::ConstantFP::get(element, 1.0);
    case Reduction::FMin:
      return llvm::ConstantFP::getInfinity(element, false);
    case Reduction::FMax:
      return llvm::ConstantFP::getInfinity(element, true);
  }
  return nullptr;
}

}  // namespace

// Runs `perComponent` on each component (<W x T>) of a scalar or vector value.
llvm::Value* ShaderTranslator::eachComponent(
    llvm::Value* v, const std::function<llvm::Value*(llvm::Value*)>& perComponent) {
  std::vector<llvm::Value*> parts;
  for (uint32_t c = 0; c < componentsOf(v->getType()); ++c) {
    parts.push_back(perComponent(component(v, c)));
  }
  return fromComponents(parts);
}

llvm::Value* ShaderTranslator::subgroup(const Instruction& in) {
  const auto isGroupOp = [](spv::Op op) {
    return (op >= spv::OpGroupNonUniformElect && op <= spv::OpGroupNonUniformQuadSwap);
  };
  if (!isGroupOp(in.opcode)) return nullptr;
  // Other scopes are not valid for these in compute shaders under Vulkan.
  if (!isSubgroupScope(module_, in.operand(0))) {
    fail(describeOpcode(in.opcode) + " with a scope other than Subgroup is not supported");
  }
  auto& B = builder_;
  llvm::Type* i32 = B.getInt32Ty();
  llvm::Type* laneInts = llvm::FixedVectorType::get(i32, lanes_);
  llvm::Value* laneIds = laneSteps(1, i32);
  auto splat32 = [&](uint32_t v) { return B.CreateVectorSplat(lanes_, B.getInt32(v)); };
  // Lanes' bits as an i32 (W <= 32), only the running ones where `running`.
  auto bits32 = [&](llvm::Value* lanesMask) { return B.CreateZExt(laneBits(lanesMask), i32); };
  auto running = [&](llvm::Value* condition) {
    return B.CreateSelect(mask_, condition, llvm::Constant::getNullValue(mask_->getType()));
  };
  // A uvec4 ballot whose x holds `bits` in every lane.
  auto ballotValue = [&](llvm::Value* bits) {
    llvm::Value* zero = llvm::Constant::getNullValue(laneInts);
    return fromComponents({B.CreateVectorSplat(lanes_, bits), zero, zero, zero});
  };
  const uint32_t validBits = lanes_ >= 32 ? ~0u : (1u << lanes_) - 1;
  llvm::Value* firstLane =
      B.CreateIntrinsic(llvm::Intrinsic::cttz, {i32}, {bits32(mask_), B.getTrue()});

  switch (in.opcode) {
    case spv::OpGroupNonUniformElect: {
      llvm::Value* bits = laneBits(mask_);
      return B.CreateBitCast(B.CreateAnd(bits, B.CreateNeg(bits)), mask_->getType());
    }
    // Vote.
    case spv::OpGroupNonUniformAll: {
      llvm::Value* failing = running(B.CreateNot(operand(in, 1)));
      return B.CreateVectorSplat(lanes_, B.CreateNot(anyLane(failing)));
    }
    case spv::OpGroupNonUniformAny:
      return B.CreateVectorSplat(lanes_, anyLane(running(operand(in, 1))));
    case spv::OpGroupNonUniformAllEqual: {
      llvm::Value* v = operand(in, 1);
      llvm::Value* first = eachComponent(v, [&](llvm::Value* c) {
        return B.CreateVectorSplat(lanes_, B.CreateExtractElement(c, firstLane));
      });
      llvm::Value* equal =
          v->getType()->isFPOrFPVectorTy() ? B.CreateFCmpOEQ(v, first) : B.CreateICmpEQ(v, first);
      llvm::Value* all = component(equal, 0);
      for (uint32_t c = 1; c < componentsOf(equal->getType()); ++c) {
        all = B.CreateAnd(all, component(equal, c));
      }
      return B.CreateVectorSplat(lanes_, B.CreateNot(anyLane(running(B.CreateNot(all)))));
    }
    // Broadcasts and ballots.
    case spv::OpGroupNonUniformBroadcast:
    case spv::OpGroupNonUniformBroadcastFirst: {
      llvm::Value* lane = firstLane;
      if (in.opcode == spv::OpGroupNonUniformBroadcast) {
        // Id is dynamically uniform (constant before SPIR-V 1.5): lane 0's, within range.
        std::optional<Shape> shape = shapeOf(in.operand(2));
        lane = B.CreateAnd(uniformScalar(operand(in, 2), shape && shape->allLanes),
                           B.getInt32(lanes_ - 1));
      }
      return eachComponent(operand(in, 1), [&](llvm::Value* c) {
        return B.CreateVectorSplat(lanes_, B.CreateExtractElement(c, lane));
      });
    }
    case spv::OpGroupNonUniformBallot:
      return ballotValue(bits32(running(operand(in, 1))));
    case spv::OpGroupNonUniformInverseBallot: {
      llvm::Value* x = component(operand(in, 1), 0);
      llvm::Value* bit = B.CreateAnd(B.CreateLShr(x, laneIds), splat32(1));
      return B.CreateICmpNE(bit, splat32(0));
    }
    case spv::OpGroupNonUniformBallotBitExtract: {
      llvm::Value* ballot = operand(in, 1);
      llvm::Value* index = operand(in, 2);
      llvm::Value* word = component(ballot, 0);
      for (uint32_t c = 1; c < 4; ++c) {
        llvm::Value* here = B.CreateICmpEQ(B.CreateLShr(index, splat32(5)), splat32(c));
        word = B.CreateSelect(here, component(ballot, c), word);
      }
      llvm::Value* bit =
          B.CreateAnd(B.CreateLShr(word, B.CreateAnd(index, splat32(31))), splat32(1));
      return B.CreateICmpNE(bit, splat32(0));
    }
    case spv::OpGroupNonUniformBallotBitCount: {
      // Only the bits of invocations in the subgroup count.
      llvm::Value* x = B.CreateAnd(component(operand(in, 2), 0), splat32(validBits));
      llvm::Value* below = nullptr;  // the bits each lane counts
      switch (in.operand(1)) {
        case spv::GroupOperationReduce:
          below = splat32(~0u);
          break;
        case spv::GroupOperationInclusiveScan:  // bits 0..lane
          below = B.CreateSub(B.CreateShl(splat32(2), laneIds), splat32(1));
          if (lanes_ == 32)
            below = B.CreateSelect(B.CreateICmpEQ(laneIds, splat32(31)), splat32(~0u), below);
          break;
        case spv::GroupOperationExclusiveScan:  // bits 0..lane-1
          below = B.CreateSub(B.CreateShl(splat32(1), laneIds), splat32(1));
          break;
        default:
          fail("OpGroupNonUniformBallotBitCount with an unknown group operation");
      }
      return B.CreateIntrinsic(llvm::Intrinsic::ctpop, {laneInts}, {B.CreateAnd(x, below)});
    }
    case spv::OpGroupNonUniformBallotFindLSB:
    case spv::OpGroupNonUniformBallotFindMSB: {
      llvm::Value* x = B.CreateAnd(component(operand(in, 1), 0), splat32(validBits));
      if (in.opcode == spv::OpGroupNonUniformBallotFindLSB) {
        return B.CreateIntrinsic(llvm::Intrinsic::cttz, {laneInts}, {x, B.getFalse()});
      }
      llvm::Value* zeros = B.CreateIntrinsic(llvm::Intrinsic::ctlz, {laneInts}, {x, B.getFalse()});
      return B.CreateSub(splat32(31), zeros);
    }
    // Shuffles: each lane reads another lane's value.
    case spv::OpGroupNonUniformShuffle:
    case spv::OpGroupNonUniformShuffleXor:
    case spv::OpGroupNonUniformShuffleUp:
    case spv::OpGroupNonUniformShuffleDown:
    case spv::OpGroupNonUniformQuadBroadcast:
    case spv::OpGroupNonUniformQuadSwap: {
      llvm::Value* source = nullptr;
      switch (in.opcode) {
        case spv::OpGroupNonUniformShuffle:
          source = operand(in, 2);
          break;
        case spv::OpGroupNonUniformShuffleXor:
          source = B.CreateXor(laneIds, operand(in, 2));
          break;
        case spv::OpGroupNonUniformShuffleUp:
          source = B.CreateSub(laneIds, operand(in, 2));
          break;
        case spv::OpGroupNonUniformShuffleDown:
          source = B.CreateAdd(laneIds, operand(in, 2));
          break;
        case spv::OpGroupNonUniformQuadBroadcast:
          source = B.CreateOr(B.CreateAnd(laneIds, splat32(~3u)), operand(in, 2));
          break;
        default: {  // QuadSwap: 0 horizontal (x ^ 1), 1 vertical (x ^ 2), 2 diagonal (x ^ 3)
          auto direction = module_.integerConstant(in.operand(2));
          if (!direction || *direction < 0 || *direction > 2)
            fail("OpGroupNonUniformQuadSwap direction");
          source = B.CreateXor(laneIds, splat32(static_cast<uint32_t>(*direction) + 1));
          break;
        }
      }
      // Out of range reads are undefined: wrap them into the group.
      source = B.CreateAnd(source, splat32(lanes_ - 1));
      return eachComponent(operand(in, 1), [&](llvm::Value* c) {
        // A select per source lane: W shuffles of a register, no memory.
        llvm::Value* result = B.CreateVectorSplat(lanes_, B.CreateExtractElement(c, uint64_t{0}));
        for (uint32_t l = 1; l < lanes_; ++l) {
          llvm::Value* from = B.CreateVectorSplat(lanes_, B.CreateExtractElement(c, uint64_t{l}));
          result = B.CreateSelect(B.CreateICmpEQ(source, splat32(l)), from, result);
        }
        return result;
      });
    }
    default:
      break;
  }

  // Arithmetic: reductions, scans and clustered reductions.
  std::optional<Reduction> op = reductionOf(in.opcode);
  if (!op) fail(describeOpcode(in.opcode) + " is not supported yet");
  const uint32_t operation = in.operand(1);
  uint32_t cluster = lanes_;
  if (operation == spv::GroupOperationClusteredReduce) {
    auto size = module_.integerConstant(in.operand(3));
    if (!size || *size < 1) fail("a ClusterSize that is not a positive constant");
    cluster = std::min<uint32_t>(static_cast<uint32_t>(*size), lanes_);
  } else if (operation != spv::GroupOperationReduce &&
             operation != spv::GroupOperationInclusiveScan &&
             operation != spv::GroupOperationExclusiveScan) {
    fail(describeOpcode(in.opcode) + " with group operation " + std::to_string(operation) +
         " is not supported");
  }
  auto combine = [&](llvm::Value* a, llvm::Value* b) -> llvm::Value* {
    switch (*op) {
      case Reduction::Add:
        return B.CreateAdd(a, b);
      case Reduction::Mul:
        return B.CreateMul(a, b);
      case Reduction::Min:
        return B.CreateBinaryIntrinsic(llvm::Intrinsic::smin, a, b);
      case Reduction::Max:
        return B.CreateBinaryIntrinsic(llvm::Intrinsic::smax, a, b);
      case Reduction::UMin:
        return B.CreateBinaryIntrinsic(llvm::Intrinsic::umin, a, b);
      case Reduction::UMax:
        return B.CreateBinaryIntrinsic(llvm::Intrinsic::umax, a, b);
      case Reduction::FAdd:
        return B.CreateFAdd(a, b);
      case Reduction::FMul:
        return B.CreateFMul(a, b);
      case Reduction::FMin:
        return B.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, a, b);
      case Reduction::FMax:
        return B.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, a, b);
      case Reduction::And:
        return B.CreateAnd(a, b);
      case Reduction::Or:
        return B.CreateOr(a, b);
      case Reduction::Xor:
        return B.CreateXor(a, b);
    }
    return nullptr;
  };
  return eachComponent(operand(in, 2), [&](llvm::Value* c) {
    llvm::Type* element = c->getType()->getScalarType();
    llvm::Constant* neutral = identity(*op, element);
    // Inactive lanes contribute nothing.
    llvm::Value* v = B.CreateSelect(mask_, c, B.CreateVectorSplat(lanes_, neutral));
    // In lane order, so floating-point results do not depend on anything but the values.
    llvm::Value* result = llvm::PoisonValue::get(c->getType());
    for (uint32_t start = 0; start < lanes_; start += cluster) {
      llvm::Value* sum = neutral;
      std::vector<llvm::Value*> prefix;
      for (uint32_t l = start; l < start + cluster; ++l) {
        llvm::Value* before = sum;
        sum = combine(sum, B.CreateExtractElement(v, uint64_t{l}));
        prefix.push_back(operation == spv::GroupOperationExclusiveScan ? before : sum);
      }
      for (uint32_t l = start; l < start + cluster; ++l) {
        bool scan = operation == spv::GroupOperationInclusiveScan ||
                    operation == spv::GroupOperationExclusiveScan;
        result = B.CreateInsertElement(result, scan ? prefix[l - start] : sum, uint64_t{l});
      }
    }
    return result;
  });
}

}  // namespace emvk::jit
