// The GLSL.std.450 extended instructions: LLVM intrinsics where LLVM has one (they become
// instructions, or calls to the C library for the transcendental ones), else a formula from the
// GLSL specification, else a call to the C library.
#include <llvm/IR/Intrinsics.h>
#include <spirv_cross/GLSL.std.450.h>

#include <numbers>

#include "jit/failure.hpp"
#include "jit/spirv_names.hpp"
#include "jit/translator.hpp"

namespace emvk::jit {

llvm::Value* ShaderTranslator::intrinsic(llvm::Intrinsic::ID id,
                                         llvm::ArrayRef<llvm::Value*> args) {
  std::vector<llvm::Type*> overload;
  if (llvm::Intrinsic::isOverloaded(id)) overload.push_back(args[0]->getType());
  return builder_.CreateIntrinsic(id, overload, args);
}

// A float function of the C library (`tanf`...), component by component for vectors. The
// symbols come from jit/compiler.cpp's runtime list.
llvm::Value* ShaderTranslator::callLibm(const char* name, llvm::ArrayRef<llvm::Value*> args) {
  llvm::Type* f32 = builder_.getFloatTy();
  std::vector<llvm::Type*> parameters(args.size(), f32);
  llvm::FunctionCallee function =
      llvm_->getOrInsertFunction(name, llvm::FunctionType::get(f32, parameters, false));
  auto* vector = llvm::dyn_cast<llvm::FixedVectorType>(args[0]->getType());
  if (!vector) return builder_.CreateCall(function, args);
  llvm::Value* result = llvm::PoisonValue::get(vector);
  for (uint64_t lane = 0; lane < vector->getNumElements(); ++lane) {
    std::vector<llvm::Value*> scalars;
    for (llvm::Value* arg : args) scalars.push_back(builder_.CreateExtractElement(arg, lane));
    result = builder_.CreateInsertElement(result, builder_.CreateCall(function, scalars), lane);
  }
  return result;
}

llvm::Value* ShaderTranslator::glslStd450(const Instruction& in) {
  uint32_t instruction = in.operand(1);
  std::vector<llvm::Value*> operands;
  for (size_t i = 2; i < in.operands.size(); ++i) {  // (Modf and Frexp take pointers)
    operands.push_back(pointers_.count(in.operand(i)) ? nullptr : operand(in, i));
  }
  llvm::Type* type = types_.get(in.resultType);
  // The transcendental functions on half are computed in float and rounded to half: the C
  // library has no half functions, and float is more precise than the Vulkan precision
  // requirements for half (Vulkan spec, "Precision and Operation of SPIR-V Instructions").
  llvm::Type* half = type->getScalarType()->isHalfTy() ? type : nullptr;
  if (half && instruction >= GLSLstd450Sin && instruction <= GLSLstd450Log2) {
    for (llvm::Value*& v : operands) {
      v = builder_.CreateFPExt(
          v,
          llvm::VectorType::get(builder_.getFloatTy(), llvm::cast<llvm::VectorType>(v->getType())));
    }
    type = llvm::VectorType::get(builder_.getFloatTy(), llvm::cast<llvm::VectorType>(type));
  } else {
    half = nullptr;
  }
  llvm::Value* result = glslStd450Value(in, operands, type);
  return half ? builder_.CreateFPTrunc(result, half) : result;
}

// GLSL.std.450 instruction `in` on `operands` (the instruction's, possibly widened), giving
// `type`.
llvm::Value* ShaderTranslator::glslStd450Value(const Instruction& in,
                                               llvm::ArrayRef<llvm::Value*> operands,
                                               llvm::Type* type) {
  auto x = [&](size_t i = 0) { return operands[i]; };
  auto& B = builder_;
  using llvm::Intrinsic::ID;
  auto call = [&](ID id, size_t arity) {
    std::vector<llvm::Value*> args;
    for (size_t i = 0; i < arity; ++i) args.push_back(x(i));
    return intrinsic(id, args);
  };
  auto fmin = [&](llvm::Value* a, llvm::Value* b) {
    return intrinsic(llvm::Intrinsic::minnum, {a, b});
  };
  auto fmax = [&](llvm::Value* a, llvm::Value* b) {
    return intrinsic(llvm::Intrinsic::maxnum, {a, b});
  };
  auto length = [&](llvm::Value* v) {
    if (componentsOf(v->getType()) == 1) return intrinsic(llvm::Intrinsic::fabs, {v});
    return intrinsic(llvm::Intrinsic::sqrt, {dot(v, v)});
  };
  auto splatLike = [&](llvm::Value* scalar, llvm::Type* like) -> llvm::Value* {
    return replicate(scalar, componentsOf(like));
  };
  uint32_t instruction = in.operand(1);
  std::string_view name = glslStd450Name(instruction);
  auto describe = [&] { return name.empty() ? std::to_string(instruction) : std::string(name); };
  // GLSL.std.450 defines the transcendental functions (Sin...Atanh, Pow...Log2) and the bit
  // searches for 16- and 32-bit operands only; the validator does not check that.
  bool has64BitOperand = false;
  for (llvm::Value* v : operands) {
    has64BitOperand |= v && v->getType()->getScalarSizeInBits() == 64;
  }
  bool narrowOnly = (instruction >= GLSLstd450Sin && instruction <= GLSLstd450Log2) ||
                    (instruction >= GLSLstd450FindILsb && instruction <= GLSLstd450FindUMsb);
  if (has64BitOperand && narrowOnly) {
    fail("GLSL.std.450 " + describe() + " is not defined for 64-bit operands");
  }
  switch (instruction) {
    case GLSLstd450Round:
      return call(llvm::Intrinsic::round, 1);
    case GLSLstd450RoundEven:
      return call(llvm::Intrinsic::roundeven, 1);
    case GLSLstd450Trunc:
      return call(llvm::Intrinsic::trunc, 1);
    case GLSLstd450FAbs:
      return call(llvm::Intrinsic::fabs, 1);
    case GLSLstd450SAbs:
      return intrinsic(llvm::Intrinsic::abs, {x(), B.getFalse()});
    case GLSLstd450FSign: {
      llvm::Value* sign =
          B.CreateSelect(B.CreateFCmpOLT(x(), splat(type, 0)), splat(type, -1), x());
      return B.CreateSelect(B.CreateFCmpOGT(x(), splat(type, 0)), splat(type, 1), sign);
    }
    case GLSLstd450SSign:
      return intrinsic(llvm::Intrinsic::smax,
                       {intrinsic(llvm::Intrinsic::smin, {x(), splatInt(type, 1)}),
                        llvm::Constant::getAllOnesValue(type)});
    case GLSLstd450Floor:
      return call(llvm::Intrinsic::floor, 1);
    case GLSLstd450Ceil:
      return call(llvm::Intrinsic::ceil, 1);
    case GLSLstd450Fract:
      return B.CreateFSub(x(), intrinsic(llvm::Intrinsic::floor, {x()}));
    case GLSLstd450Radians:
      return B.CreateFMul(x(), splat(type, std::numbers::pi / 180));
    case GLSLstd450Degrees:
      return B.CreateFMul(x(), splat(type, 180 / std::numbers::pi));
    case GLSLstd450Sin:
      return call(llvm::Intrinsic::sin, 1);
    case GLSLstd450Cos:
      return call(llvm::Intrinsic::cos, 1);
    case GLSLstd450Tan:
      return callLibm("tanf", {x()});
    case GLSLstd450Asin:
      return callLibm("asinf", {x()});
    case GLSLstd450Acos:
      return callLibm("acosf", {x()});
    case GLSLstd450Atan:
      return callLibm("atanf", {x()});
    case GLSLstd450Sinh:
      return callLibm("sinhf", {x()});
    case GLSLstd450Cosh:
      return callLibm("coshf", {x()});
    case GLSLstd450Tanh:
      return callLibm("tanhf", {x()});
    case GLSLstd450Asinh:
      return callLibm("asinhf", {x()});
    case GLSLstd450Acosh:
      return callLibm("acoshf", {x()});
    case GLSLstd450Atanh:
      return callLibm("atanhf", {x()});
    case GLSLstd450Atan2:
      return callLibm("atan2f", {x(0), x(1)});
    case GLSLstd450Pow:
      return call(llvm::Intrinsic::pow, 2);
    case GLSLstd450Exp:
      return call(llvm::Intrinsic::exp, 1);
    case GLSLstd450Log:
      return call(llvm::Intrinsic::log, 1);
    case GLSLstd450Exp2:
      return call(llvm::Intrinsic::exp2, 1);
    case GLSLstd450Log2:
      return call(llvm::Intrinsic::log2, 1);
    case GLSLstd450Sqrt:
      return call(llvm::Intrinsic::sqrt, 1);
    case GLSLstd450InverseSqrt:
      return B.CreateFDiv(splat(type, 1), intrinsic(llvm::Intrinsic::sqrt, {x()}));
    case GLSLstd450FMin:
    case GLSLstd450NMin:
      return fmin(x(0), x(1));
    case GLSLstd450FMax:
    case GLSLstd450NMax:
      return fmax(x(0), x(1));
    case GLSLstd450FClamp:
    case GLSLstd450NClamp:
      return fmin(fmax(x(0), x(1)), x(2));
    case GLSLstd450UMin:
      return call(llvm::Intrinsic::umin, 2);
    case GLSLstd450SMin:
      return call(llvm::Intrinsic::smin, 2);
    case GLSLstd450UMax:
      return call(llvm::Intrinsic::umax, 2);
    case GLSLstd450SMax:
      return call(llvm::Intrinsic::smax, 2);
    case GLSLstd450UClamp:
      return intrinsic(llvm::Intrinsic::umin,
                       {intrinsic(llvm::Intrinsic::umax, {x(0), x(1)}), x(2)});
    case GLSLstd450SClamp:
      return intrinsic(llvm::Intrinsic::smin,
                       {intrinsic(llvm::Intrinsic::smax, {x(0), x(1)}), x(2)});
    case GLSLstd450FMix:  // x * (1 - a) + y * a
      return B.CreateFAdd(B.CreateFMul(x(0), B.CreateFSub(splat(type, 1), x(2))),
                          B.CreateFMul(x(1), x(2)));
    case GLSLstd450Step:  // 0 if x < edge, else 1
      return B.CreateSelect(B.CreateFCmpOLT(x(1), x(0)), splat(type, 0), splat(type, 1));
    case GLSLstd450SmoothStep: {  // t * t * (3 - 2t), t = clamp((x - e0) / (e1 - e0), 0, 1)
      llvm::Value* t = B.CreateFDiv(B.CreateFSub(x(2), x(0)), B.CreateFSub(x(1), x(0)));
      t = fmin(fmax(t, splat(type, 0)), splat(type, 1));
      return B.CreateFMul(B.CreateFMul(t, t),
                          B.CreateFSub(splat(type, 3), B.CreateFMul(splat(type, 2), t)));
    }
    case GLSLstd450Fma:
      return call(llvm::Intrinsic::fma, 3);
    case GLSLstd450Length:
      return length(x());
    case GLSLstd450Distance:
      return length(B.CreateFSub(x(0), x(1)));
    case GLSLstd450Normalize:
      return B.CreateFDiv(x(), splatLike(length(x()), type));
    case GLSLstd450Cross: {
      auto part = [&](size_t v, uint32_t i) { return component(x(v), i); };
      auto minor = [&](uint32_t i, uint32_t j) {
        return B.CreateFSub(B.CreateFMul(part(0, i), part(1, j)),
                            B.CreateFMul(part(1, i), part(0, j)));
      };
      return fromComponents({minor(1, 2), minor(2, 0), minor(0, 1)});
    }
    case GLSLstd450Reflect: {  // I - 2 * dot(N, I) * N
      llvm::Value* d =
          componentsOf(x(1)->getType()) > 1 ? dot(x(1), x(0)) : B.CreateFMul(x(1), x(0));
      llvm::Value* scale = B.CreateFMul(splatLike(d, type), splat(type, 2));
      return B.CreateFSub(x(0), B.CreateFMul(scale, x(1)));
    }
    // The bit searches compute at the operand's width and give the result's; -1 (no bit)
    // sign-extends. (Vulkan allows them on 32-bit integers only, VUID-StandaloneSpirv-Base-04781,
    // but nothing here depends on it.)
    case GLSLstd450FindILsb: {  // -1 for 0
      llvm::Type* width = x()->getType();
      llvm::Value* bit = intrinsic(llvm::Intrinsic::cttz, {x(), B.getFalse()});
      llvm::Value* zero = B.CreateICmpEQ(x(), splatInt(width, 0));
      return B.CreateSExtOrTrunc(B.CreateSelect(zero, llvm::Constant::getAllOnesValue(width), bit),
                                 type);
    }
    case GLSLstd450FindUMsb: {  // width - 1 - leading zeros: -1 for 0
      llvm::Type* width = x()->getType();
      llvm::Value* top = splatInt(width, width->getScalarSizeInBits() - 1);
      return B.CreateSExtOrTrunc(
          B.CreateSub(top, intrinsic(llvm::Intrinsic::ctlz, {x(), B.getFalse()})), type);
    }
    case GLSLstd450FindSMsb: {  // the highest bit that differs from the sign bit
      llvm::Type* width = x()->getType();
      llvm::Value* negative = B.CreateICmpSLT(x(), splatInt(width, 0));
      llvm::Value* bits = B.CreateSelect(negative, B.CreateNot(x()), x());
      llvm::Value* top = splatInt(width, width->getScalarSizeInBits() - 1);
      return B.CreateSExtOrTrunc(
          B.CreateSub(top, intrinsic(llvm::Intrinsic::ctlz, {bits, B.getFalse()})), type);
    }
    case GLSLstd450PackDouble2x32:  // uvec2 -> double, component 0 the low-order bits
    case GLSLstd450UnpackDouble2x32:
      return bitcast(x(), in.resultType);
    default:
      fail("GLSL.std.450 " + describe() + " is not supported yet");
  }
}

}  // namespace emvk::jit
