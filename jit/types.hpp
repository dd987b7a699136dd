// SPIR-V types as LLVM types, for values (memory is addressed through layout.hpp instead).
//
// One value of the translation holds a SPIR-V value for each of the W lanes of a SIMD group
// (translator.hpp), "component-major": a scalar T is <W x T>, a vector of N components is
// <N*W x T> holding component 0 of every lane, then component 1 of every lane, ...; matrices,
// arrays and structs are LLVM aggregates of such parts. So lane-wise arithmetic is one LLVM
// instruction whatever the SPIR-V shape, and component c of a vector is W neighbouring elements.
//
// element() gives the type of one lane's value: bool -> i1, 8-, 16-, 32- and 64-bit int/uint ->
// i8/i16/i32/i64 (signedness lives in the instructions, as in LLVM), 16-, 32- and 64-bit floats
// -> half/float/double, vectors -> <N x T>, matrices -> [columns x <rows x T>], arrays -> [N x T],
// structs -> literal structs, pointers -> ptr. LLVM computes on half by promoting each operation
// to float and rounding the result back to half, which for +, -, *, / and sqrt is the correctly
// rounded half result (float has more than 2 * 11 + 2 bits); GLSL.std.450 transcendentals on
// half are computed in float and rounded (translator_glsl.cpp).
#pragma once
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Type.h>

#include <unordered_map>

#include "jit/spirv_module.hpp"

namespace emvk::jit {

class Types {
 public:
  Types(const SpirvModule& module, llvm::LLVMContext& context, uint32_t lanes)
      : module_(module), context_(context), lanes_(lanes) {}

  // The LLVM type of the W-lane values of SPIR-V type `id`; fails (jit/failure.hpp) on
  // unsupported types.
  llvm::Type* get(uint32_t id);
  // The LLVM type of one lane's value of SPIR-V type `id`.
  llvm::Type* element(uint32_t id);
  uint32_t lanes() const { return lanes_; }
  const Instruction& definition(uint32_t id) const;

  // For a scalar or vector type: its scalar type, and how many components (1 for a scalar).
  uint32_t scalarType(uint32_t id) const;
  uint32_t componentCount(uint32_t id) const;
  bool isFloat(uint32_t id) const { return opcode(scalarType(id)) == spv::OpTypeFloat; }
  bool isBool(uint32_t id) const { return opcode(scalarType(id)) == spv::OpTypeBool; }
  bool isSigned(uint32_t id) const;
  spv::Op opcode(uint32_t id) const { return definition(id).opcode; }

 private:
  llvm::Type* create(const Instruction& type);
  llvm::Type* lift(llvm::Type* element) const;

  const SpirvModule& module_;
  llvm::LLVMContext& context_;
  uint32_t lanes_;
  std::unordered_map<uint32_t, llvm::Type*> elements_;
  std::unordered_map<uint32_t, llvm::Type*> lifted_;
};

}  // namespace emvk::jit
