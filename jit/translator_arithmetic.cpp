// Arithmetic, logic, comparisons, conversions and composites. LLVM's instructions already work on
// scalars and vectors alike, so most SPIR-V opcodes are one IRBuilder call.
#include <llvm/IR/Intrinsics.h>

#include "jit/failure.hpp"
#include "jit/spirv_names.hpp"
#include "jit/translator.hpp"

namespace emvk::jit {

// The value of an arithmetic, logic or conversion instruction; null if `in` is none of those.
llvm::Value* ShaderTranslator::arithmetic(const Instruction& in) {
  auto a = [&] { return operand(in, 0); };
  auto b = [&] { return operand(in, 1); };
  auto& B = builder_;
  switch (in.opcode) {
    // Integers wrap; division and shifts are made safe below.
    case spv::OpIAdd:
      return B.CreateAdd(a(), b());
    case spv::OpISub:
      return B.CreateSub(a(), b());
    case spv::OpIMul:
      return B.CreateMul(a(), b());
    case spv::OpSNegate:
      return B.CreateNeg(a());
    case spv::OpSDiv:
    case spv::OpUDiv:
    case spv::OpSRem:
    case spv::OpSMod:
    case spv::OpUMod:
      return divide(in);
    // Floats: IEEE, no fast-math, so results match the C++ reference bit for bit.
    case spv::OpFAdd:
      return B.CreateFAdd(a(), b());
    case spv::OpFSub:
      return B.CreateFSub(a(), b());
    case spv::OpFMul:
      return B.CreateFMul(a(), b());
    case spv::OpFDiv:
      return B.CreateFDiv(a(), b());
    case spv::OpFRem:  // the sign of the dividend, as C's fmod
      return B.CreateFRem(a(), b());
    case spv::OpFMod: {  // the sign of the divisor: a - b * floor(a / b), as GLSL's mod()
      llvm::Value* quotient = intrinsic(llvm::Intrinsic::floor, {B.CreateFDiv(a(), b())});
      return B.CreateFSub(a(), B.CreateFMul(b(), quotient));
    }
    case spv::OpFNegate:
      return B.CreateFNeg(a());
    case spv::OpVectorTimesScalar:
      return B.CreateFMul(a(), replicate(b(), componentsOf(a()->getType())));
    case spv::OpDot:
      return dot(a(), b());
    case spv::OpMatrixTimesScalar:
    case spv::OpMatrixTimesVector:
    case spv::OpVectorTimesMatrix:
    case spv::OpMatrixTimesMatrix:
    case spv::OpOuterProduct:
    case spv::OpTranspose:
      return matrixProduct(in);
    // Bits. Shift amounts are taken modulo the width: past it SPIR-V leaves the result undefined,
    // LLVM would make it poison. The amount may have another width than the base (a 64-bit value
    // shifted by a 32-bit int), LLVM wants the same.
    case spv::OpBitwiseAnd:
      return B.CreateAnd(a(), b());
    case spv::OpBitwiseOr:
      return B.CreateOr(a(), b());
    case spv::OpBitwiseXor:
      return B.CreateXor(a(), b());
    case spv::OpNot:
      return B.CreateNot(a());
    case spv::OpShiftLeftLogical:
      return B.CreateShl(a(), shiftAmount(a(), b()));
    case spv::OpShiftRightLogical:
      return B.CreateLShr(a(), shiftAmount(a(), b()));
    case spv::OpShiftRightArithmetic:
      return B.CreateAShr(a(), shiftAmount(a(), b()));
    case spv::OpBitCount:  // the result may be narrower than the operand
      return B.CreateZExtOrTrunc(intrinsic(llvm::Intrinsic::ctpop, {a()}),
                                 types_.get(in.resultType));
    case spv::OpBitReverse:
      return intrinsic(llvm::Intrinsic::bitreverse, {a()});
    case spv::OpBitFieldInsert:
    case spv::OpBitFieldSExtract:
    case spv::OpBitFieldUExtract:
      return bitField(in);
    // Comparisons and logic.
    case spv::OpIEqual:
      return B.CreateICmpEQ(a(), b());
    case spv::OpINotEqual:
      return B.CreateICmpNE(a(), b());
    case spv::OpUGreaterThan:
      return B.CreateICmpUGT(a(), b());
    case spv::OpSGreaterThan:
      return B.CreateICmpSGT(a(), b());
    case spv::OpUGreaterThanEqual:
      return B.CreateICmpUGE(a(), b());
    case spv::OpSGreaterThanEqual:
      return B.CreateICmpSGE(a(), b());
    case spv::OpULessThan:
      return B.CreateICmpULT(a(), b());
    case spv::OpSLessThan:
      return B.CreateICmpSLT(a(), b());
    case spv::OpULessThanEqual:
      return B.CreateICmpULE(a(), b());
    case spv::OpSLessThanEqual:
      return B.CreateICmpSLE(a(), b());
    case spv::OpFOrdEqual:
      return B.CreateFCmpOEQ(a(), b());
    case spv::OpFUnordEqual:
      return B.CreateFCmpUEQ(a(), b());
    case spv::OpFOrdNotEqual:
      return B.CreateFCmpONE(a(), b());
    case spv::OpFUnordNotEqual:
      return B.CreateFCmpUNE(a(), b());
    case spv::OpFOrdLessThan:
      return B.CreateFCmpOLT(a(), b());
    case spv::OpFUnordLessThan:
      return B.CreateFCmpULT(a(), b());
    case spv::OpFOrdGreaterThan:
      return B.CreateFCmpOGT(a(), b());
    case spv::OpFUnordGreaterThan:
      return B.CreateFCmpUGT(a(), b());
    case spv::OpFOrdLessThanEqual:
      return B.CreateFCmpOLE(a(), b());
    case spv::OpFUnordLessThanEqual:
      return B.CreateFCmpULE(a(), b());
    case spv::OpFOrdGreaterThanEqual:
      return B.CreateFCmpOGE(a(), b());
    case spv::OpFUnordGreaterThanEqual:
      return B.CreateFCmpUGE(a(), b());
    case spv::OpIsNan:
      return B.CreateFCmpUNO(a(), a());
    case spv::OpIsInf:
      return B.CreateFCmpOEQ(intrinsic(llvm::Intrinsic::fabs, {a()}),
                             llvm::ConstantFP::getInfinity(a()->getType()));
    case spv::OpLogicalEqual:
      return B.CreateICmpEQ(a(), b());
    case spv::OpLogicalNotEqual:
      return B.CreateICmpNE(a(), b());
    case spv::OpLogicalOr:
      return B.CreateOr(a(), b());
    case spv::OpLogicalAnd:
      return B.CreateAnd(a(), b());
    case spv::OpLogicalNot:
      return B.CreateNot(a());
    case spv::OpAny:
    case spv::OpAll: {  // across the components of each lane
      llvm::Value* v = a();
      llvm::Value* result = component(v, 0);
      for (uint32_t c = 1; c < componentsOf(v->getType()); ++c) {
        result = in.opcode == spv::OpAny ? B.CreateOr(result, component(v, c))
                                         : B.CreateAnd(result, component(v, c));
      }
      return result;
    }
    case spv::OpSelect: {
      // A per-lane condition may choose whole vectors or composites (SPIR-V 1.4).
      llvm::Value* condition = a();
      llvm::Value* yes = b();
      llvm::Value* no = operand(in, 2);
      if (!yes->getType()->isVectorTy()) return blend(condition, yes, no);
      uint32_t count = componentsOf(yes->getType());
      if (componentsOf(condition->getType()) != count) condition = replicate(condition, count);
      return B.CreateSelect(condition, yes, no);
    }
    // Conversions. Float to int saturates (NaN gives 0): out of range is undefined in SPIR-V,
    // and LLVM's plain fptosi would make it poison.
    case spv::OpConvertFToS:
      return B.CreateIntrinsic(llvm::Intrinsic::fptosi_sat,
                               {types_.get(in.resultType), a()->getType()}, {a()});
    case spv::OpConvertFToU:
      return B.CreateIntrinsic(llvm::Intrinsic::fptoui_sat,
                               {types_.get(in.resultType), a()->getType()}, {a()});
    case spv::OpConvertSToF:
      return B.CreateSIToFP(a(), types_.get(in.resultType));
    case spv::OpConvertUToF:
      return B.CreateUIToFP(a(), types_.get(in.resultType));
    case spv::OpBitcast:
      if (a()->getType()->isPointerTy() || types_.get(in.resultType)->isPointerTy()) {
        fail("OpBitcast of pointers is not supported yet");
      }
      return bitcast(a(), in.resultType);
    // Between widths (32 and 64 bits): wider extends, narrower truncates (ints keep the low
    // bits, floats round to nearest even). The same width gives the value back.
    case spv::OpSConvert:
      return B.CreateSExtOrTrunc(a(), types_.get(in.resultType));
    case spv::OpUConvert:
      return B.CreateZExtOrTrunc(a(), types_.get(in.resultType));
    case spv::OpFConvert:
      return B.CreateFPCast(a(), types_.get(in.resultType));
    default:
      return nullptr;
  }
}

// Integer division and remainder. Division by zero, and INT_MIN / -1, are undefined in SPIR-V
// but trap on x86: a shader must not kill the process, so those divide by 1 instead.
llvm::Value* ShaderTranslator::divide(const Instruction& in) {
  llvm::Value* a = operand(in, 0);
  llvm::Value* b = operand(in, 1);
  llvm::Type* type = b->getType();
  bool isSigned = in.opcode == spv::OpSDiv || in.opcode == spv::OpSRem || in.opcode == spv::OpSMod;
  llvm::Value* unsafe = builder_.CreateICmpEQ(b, splatInt(type, 0));
  if (isSigned) {
    llvm::Value* overflow = builder_.CreateAnd(
        builder_.CreateICmpEQ(a, llvm::ConstantInt::get(type, llvm::APInt::getSignedMinValue(
                                                                  type->getScalarSizeInBits()))),
        builder_.CreateICmpEQ(b, llvm::Constant::getAllOnesValue(type)));
    unsafe = builder_.CreateOr(unsafe, overflow);
  }
  b = builder_.CreateSelect(unsafe, splatInt(type, 1), b);
  switch (in.opcode) {
    case spv::OpSDiv:
      return builder_.CreateSDiv(a, b);
    case spv::OpUDiv:
      return builder_.CreateUDiv(a, b);
    case spv::OpSRem:
      return builder_.CreateSRem(a, b);  // sign of the dividend
    case spv::OpUMod:
      return builder_.CreateURem(a, b);
    default: {  // OpSMod: sign of the divisor
      llvm::Value* r = builder_.CreateSRem(a, b);
      llvm::Value* differ = builder_.CreateICmpSLT(builder_.CreateXor(r, b), splatInt(type, 0));
      llvm::Value* adjust = builder_.CreateAnd(builder_.CreateICmpNE(r, splatInt(type, 0)), differ);
      return builder_.CreateSelect(adjust, builder_.CreateAdd(r, b), r);
    }
  }
}

// OpBitcast: lane by lane. With another component count (uvec2 <-> uint64), each lane's bits
// must stay together, so the vector goes through the lane-major order.
llvm::Value* ShaderTranslator::bitcast(llvm::Value* value, uint32_t resultType) {
  llvm::Type* type = types_.get(resultType);
  if (componentsOf(value->getType()) == componentsOf(type)) {
    return builder_.CreateBitCast(value, type);
  }
  llvm::Value* laneMajor = toLaneMajor(value);
  llvm::Value* cast = builder_.CreateBitCast(laneMajor, type);
  return toComponentMajor(cast);
}

// OpBitFieldInsert/SExtract/UExtract. Offset and Count are scalars per lane (applied to every
// component) and may have another width than Base. Fields past the width are undefined in
// SPIR-V; shift amounts are kept below the width so LLVM never sees poison.
llvm::Value* ShaderTranslator::bitField(const Instruction& in) {
  llvm::Value* base = operand(in, 0);
  llvm::Type* type = base->getType();
  const uint32_t components = componentsOf(type);
  const uint64_t width = type->getScalarSizeInBits();
  bool insert = in.opcode == spv::OpBitFieldInsert;
  auto scalar = [&](size_t i) {
    llvm::Value* v = operand(in, i);
    v = builder_.CreateZExtOrTrunc(v, llvm::FixedVectorType::get(type->getScalarType(), lanes_));
    return replicate(v, components);
  };
  llvm::Value* offset = scalar(insert ? 2 : 1);
  llvm::Value* count = scalar(insert ? 3 : 2);
  llvm::Value* low = splatInt(type, width - 1);
  llvm::Value* allOnes = llvm::Constant::getAllOnesValue(type);
  llvm::Value* one = splatInt(type, 1);
  // count ones at the bottom: (1 << count) - 1, or all ones for a count of the whole width.
  llvm::Value* ones = builder_.CreateSelect(
      builder_.CreateICmpUGE(count, splatInt(type, width)), allOnes,
      builder_.CreateSub(builder_.CreateShl(one, builder_.CreateAnd(count, low)), one));
  llvm::Value* at = builder_.CreateAnd(offset, low);
  switch (in.opcode) {
    case spv::OpBitFieldInsert: {
      llvm::Value* mask = builder_.CreateShl(ones, at);
      llvm::Value* field = builder_.CreateAnd(builder_.CreateShl(operand(in, 1), at), mask);
      return builder_.CreateOr(builder_.CreateAnd(base, builder_.CreateNot(mask)), field);
    }
    case spv::OpBitFieldUExtract:
      return builder_.CreateAnd(builder_.CreateLShr(base, at), ones);
    default: {  // SExtract: the field's top bit is its sign
      llvm::Value* widthV = splatInt(type, width);
      llvm::Value* left =
          builder_.CreateAnd(builder_.CreateSub(builder_.CreateSub(widthV, offset), count), low);
      llvm::Value* right = builder_.CreateAnd(builder_.CreateSub(widthV, count), low);
      llvm::Value* field = builder_.CreateAShr(builder_.CreateShl(base, left), right);
      return builder_.CreateSelect(builder_.CreateICmpEQ(count, splatInt(type, 0)),
                                   llvm::Constant::getNullValue(type), field);
    }
  }
}

// A shift amount modulo the width of `base`, with the type of `base`.
llvm::Value* ShaderTranslator::shiftAmount(llvm::Value* base, llvm::Value* amount) {
  amount = builder_.CreateZExtOrTrunc(amount, base->getType());
  return builder_.CreateAnd(amount,
                            splatInt(base->getType(), base->getType()->getScalarSizeInBits() - 1));
}

// a0*b0 + a1*b1 + ..., summed in order, in every lane.
llvm::Value* ShaderTranslator::dot(llvm::Value* a, llvm::Value* b) {
  llvm::Value* products = builder_.CreateFMul(a, b);
  llvm::Value* sum = component(products, 0);
  for (uint32_t c = 1; c < componentsOf(products->getType()); ++c) {
    sum = builder_.CreateFAdd(sum, component(products, c));
  }
  return sum;
}

// Matrices are arrays of column vectors.
llvm::Value* ShaderTranslator::matrixProduct(const Instruction& in) {
  llvm::Type* resultType = types_.get(in.resultType);
  llvm::Value* a = operand(in, 0);
  auto columns = [](llvm::Value* m) {
    return static_cast<unsigned>(llvm::cast<llvm::ArrayType>(m->getType())->getNumElements());
  };
  auto column = [&](llvm::Value* m, unsigned c) { return builder_.CreateExtractValue(m, {c}); };
  auto lanes = [&](llvm::Value* v) { return componentsOf(v->getType()); };
  auto scaled = [&](llvm::Value* v, llvm::Value* s) {
    return builder_.CreateFMul(v, replicate(s, lanes(v)));
  };
  // M * v: the columns weighted by v's components.
  auto timesVector = [&](llvm::Value* m, llvm::Value* v) {
    llvm::Value* sum = scaled(column(m, 0), component(v, 0));
    for (unsigned c = 1; c < columns(m); ++c) {
      sum = builder_.CreateFAdd(sum, scaled(column(m, c), component(v, c)));
    }
    return sum;
  };
  llvm::Value* result = llvm::PoisonValue::get(resultType);
  switch (in.opcode) {
    case spv::OpMatrixTimesScalar:
      for (unsigned c = 0; c < columns(a); ++c) {
        result = builder_.CreateInsertValue(result, scaled(column(a, c), operand(in, 1)), {c});
      }
      return result;
    case spv::OpMatrixTimesVector:
      return timesVector(a, operand(in, 1));
    case spv::OpVectorTimesMatrix: {  // v * M: component c is dot(v, column c)
      llvm::Value* m = operand(in, 1);
      std::vector<llvm::Value*> parts;
      for (unsigned c = 0; c < columns(m); ++c) parts.push_back(dot(a, column(m, c)));
      return fromComponents(parts);
    }
    case spv::OpMatrixTimesMatrix: {
      llvm::Value* m = operand(in, 1);
      for (unsigned c = 0; c < columns(m); ++c) {
        result = builder_.CreateInsertValue(result, timesVector(a, column(m, c)), {c});
      }
      return result;
    }
    case spv::OpOuterProduct: {
      llvm::Value* b = operand(in, 1);
      for (unsigned c = 0; c < lanes(b); ++c) {
        result = builder_.CreateInsertValue(result, scaled(a, component(b, c)), {c});
      }
      return result;
    }
    default: {  // OpTranspose
      unsigned rows = lanes(column(a, 0));
      for (unsigned r = 0; r < rows; ++r) {
        std::vector<llvm::Value*> row;
        for (unsigned c = 0; c < columns(a); ++c) row.push_back(component(column(a, c), r));
        result = builder_.CreateInsertValue(result, fromComponents(row), {r});
      }
      return result;
    }
  }
}

// The value of a composite instruction; null if `in` is none.
llvm::Value* ShaderTranslator::composite(const Instruction& in) {
  switch (in.opcode) {
    case spv::OpCompositeConstruct:
      return compositeConstruct(in);
    case spv::OpCompositeExtract:
      return compositeExtract(operand(in, 0), in.operands.subspan(1));
    case spv::OpCompositeInsert:
      return compositeInsert(in);
    case spv::OpVectorShuffle:
      return vectorShuffle(in);
    case spv::OpVectorExtractDynamic:
    case spv::OpVectorInsertDynamic: {
      // Each lane has its own index: a select per component. An index out of range gives an
      // undefined result; component 0 (extract) or no change (insert) is as good as any.
      llvm::Value* vector = operand(in, 0);
      uint32_t count = componentsOf(vector->getType());
      bool extract = in.opcode == spv::OpVectorExtractDynamic;
      llvm::Value* index = operand(in, extract ? 1 : 2);
      auto is = [&](uint32_t c) {
        return builder_.CreateICmpEQ(index, llvm::ConstantInt::get(index->getType(), c));
      };
      if (extract) {
        llvm::Value* result = component(vector, 0);
        for (uint32_t c = 1; c < count; ++c) {
          result = builder_.CreateSelect(is(c), component(vector, c), result);
        }
        return result;
      }
      llvm::Value* object = operand(in, 1);
      std::vector<llvm::Value*> parts;
      for (uint32_t c = 0; c < count; ++c) {
        parts.push_back(builder_.CreateSelect(is(c), object, component(vector, c)));
      }
      return fromComponents(parts);
    }
    default:
      return nullptr;
  }
}

// A vector from scalars and smaller vectors, or a struct, array or matrix from its parts.
llvm::Value* ShaderTranslator::compositeConstruct(const Instruction& in) {
  llvm::Type* type = types_.get(in.resultType);
  llvm::Value* result = llvm::PoisonValue::get(type);
  if (type->isVectorTy()) {
    std::vector<llvm::Value*> parts;
    for (size_t i = 0; i < in.operands.size(); ++i) parts.push_back(operand(in, i));
    return fromComponents(parts);
  }
  for (size_t i = 0; i < in.operands.size(); ++i) {
    result = builder_.CreateInsertValue(result, operand(in, i), {static_cast<unsigned>(i)});
  }
  return result;
}

// Struct, array and matrix levels are LLVM aggregates (extractvalue); a vector can only be the
// last level (extractelement).
llvm::Value* ShaderTranslator::compositeExtract(llvm::Value* composite,
                                                std::span<const uint32_t> indexes) {
  std::vector<unsigned> path;
  llvm::Type* current = composite->getType();
  for (uint32_t index : indexes) {
    if (current->isVectorTy()) {
      if (!path.empty()) composite = builder_.CreateExtractValue(composite, path);
      path.clear();
      composite = component(composite, index);
      current = composite->getType();
      continue;
    }
    path.push_back(index);
    current = llvm::ExtractValueInst::getIndexedType(composite->getType(), path);
    if (!current) fail("OpCompositeExtract index out of range");
  }
  return path.empty() ? composite : builder_.CreateExtractValue(composite, path);
}

llvm::Value* ShaderTranslator::compositeInsert(const Instruction& in) {
  llvm::Value* object = operand(in, 0);
  llvm::Value* composite = operand(in, 1);
  std::span<const uint32_t> indexes = in.operands.subspan(2);
  if (indexes.empty()) return object;
  std::vector<unsigned> path(indexes.begin(), indexes.end() - 1);
  llvm::Type* parent = path.empty()
                           ? composite->getType()
                           : llvm::ExtractValueInst::getIndexedType(composite->getType(), path);
  if (!parent->isVectorTy()) {
    path.push_back(indexes.back());
    return builder_.CreateInsertValue(composite, object, path);
  }
  // The last level is a vector: take it out, change the component, put it back.
  llvm::Value* vector = path.empty() ? composite : builder_.CreateExtractValue(composite, path);
  vector = withComponent(vector, indexes.back(), object);
  return path.empty() ? vector : builder_.CreateInsertValue(composite, vector, path);
}

// Components of two vectors, picked by literal indexes; 0xFFFFFFFF means "undefined", given
// component 0 here.
llvm::Value* ShaderTranslator::vectorShuffle(const Instruction& in) {
  llvm::Value* first = operand(in, 0);
  llvm::Value* second = operand(in, 1);
  uint32_t firstCount = componentsOf(first->getType());
  uint32_t secondCount = componentsOf(second->getType());
  std::vector<llvm::Value*> parts;
  for (uint32_t c : in.operands.subspan(2)) {
    if (c >= firstCount + secondCount) c = 0;
    parts.push_back(c < firstCount ? component(first, c) : component(second, c - firstCount));
  }
  return fromComponents(parts);
}

}  // namespace emvk::jit
