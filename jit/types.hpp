// SPIR-V types as LLVM types, for values (memory is addressed through layout.hpp instead):
// bool -> i1, 32- and 64-bit int/uint -> i32/i64 (signedness lives in the instructions, as in
// LLVM), float/double -> float/double, vectors -> <N x T>, matrices -> [columns x <rows x T>],
// arrays -> [N x T], structs -> literal structs, pointers -> ptr. 8- and 16-bit scalars are not
// supported yet.
#pragma once
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Type.h>

#include <unordered_map>

#include "jit/spirv_module.hpp"

namespace emvk::jit {

class Types {
 public:
  Types(const SpirvModule& module, llvm::LLVMContext& context)
      : module_(module), context_(context) {}

  // The LLVM type of values of SPIR-V type `id`; fails (jit/failure.hpp) on unsupported types.
  llvm::Type* get(uint32_t id);
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

  const SpirvModule& module_;
  llvm::LLVMContext& context_;
  std::unordered_map<uint32_t, llvm::Type*> cache_;
};

}  // namespace emvk::jit
