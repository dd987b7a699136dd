// Where members and elements lie in memory. Types in buffers and push constants carry explicit
// Offset, ArrayStride, MatrixStride and RowMajor/ColMajor decorations (std140, std430 or relaxed:
// the validator checked the rules, the decorations say the result). A row-major matrix keeps its
// rows MatrixStride apart, so a column's components are strided (MatrixLayout below). Types in
// Function, Private and Workgroup memory carry none and get a natural layout of our choosing:
// scalars aligned to their size, vectors packed, members in order. Every memory access in the
// translator goes through here, so all storage classes are addressed the same way: a byte address
// plus a SPIR-V type.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "jit/spirv_module.hpp"

namespace emvk::jit {

struct MatrixLayout {
  uint32_t stride = 0;  // MatrixStride; 0: natural (column-major, columns packed)
  bool rowMajor = false;
};

class Layout {
 public:
  explicit Layout(const SpirvModule& module) : module_(module) {}

  // Bytes the type occupies; a runtime array counts as empty, so a block ending in one has the
  // size of its fixed part.
  uint32_t size(uint32_t type) const;
  uint32_t alignment(uint32_t type) const;
  uint32_t memberOffset(uint32_t structType, uint32_t member) const;
  uint32_t arrayStride(uint32_t arrayType) const;
  // Distance between the columns of a matrix: `decorated` (a member's MatrixStride) or natural.
  uint32_t columnStride(uint32_t matrixType, uint32_t decorated) const;
  // The element count of an OpTypeArray.
  uint32_t arrayLength(uint32_t arrayType) const;
  // How a struct member that is (or holds) a matrix lies: its MatrixStride (0 when natural) and
  // whether it is RowMajor (then the stride separates rows, and a column's components).
  MatrixLayout memberMatrixLayout(uint32_t structType, uint32_t member) const;

  const Instruction& type(uint32_t id) const;

 private:
  struct StructLayout {
    std::vector<uint32_t> offsets;
    uint32_t size = 0;
    uint32_t alignment = 1;
  };
  const StructLayout& structLayout(uint32_t structType) const;

  const SpirvModule& module_;
  mutable std::unordered_map<uint32_t, StructLayout> structs_;
};

}  // namespace emvk::jit
