#include "jit/layout.hpp"

#include <algorithm>

#include "jit/failure.hpp"
#include "jit/spirv_names.hpp"

namespace emvk::jit {

namespace {

uint32_t roundUp(uint32_t value, uint32_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

// Booleans have no defined size (they may not appear in buffers); in our own memory a bool is a
// 32-bit word, as in GLSL.
uint32_t scalarBytes(const Instruction& type) {
  return type.opcode == spv::OpTypeBool ? 4 : type.operand(0) / 8;
}

}  // namespace

const Instruction& Layout::type(uint32_t id) const {
  const Instruction* in = module_.definition(id);
  if (!in) fail("type %" + std::to_string(id) + " is not defined");
  return *in;
}

uint32_t Layout::size(uint32_t id) const {
  const Instruction& t = type(id);
  switch (t.opcode) {
    case spv::OpTypeBool:
    case spv::OpTypeInt:
    case spv::OpTypeFloat:
      return scalarBytes(t);
    case spv::OpTypeVector:
      return size(t.operand(0)) * t.operand(1);
    case spv::OpTypeMatrix:
      return columnStride(id, 0) * t.operand(1);
    case spv::OpTypeArray:
      return arrayStride(id) * arrayLength(id);
    case spv::OpTypeRuntimeArray:
      return 0;
    case spv::OpTypeStruct:
      return structLayout(id).size;
    default:
      fail(describeOpcode(t.opcode) + " has no memory layout");
  }
}

uint32_t Layout::alignment(uint32_t id) const {
  const Instruction& t = type(id);
  switch (t.opcode) {
    case spv::OpTypeBool:
    case spv::OpTypeInt:
    case spv::OpTypeFloat:
      return std::max(scalarBytes(t), 1u);
    case spv::OpTypeVector:
    case spv::OpTypeMatrix:
    case spv::OpTypeArray:
    case spv::OpTypeRuntimeArray:
      return alignment(t.operand(0));
    case spv::OpTypeStruct:
      return structLayout(id).alignment;
    default:
      fail(describeOpcode(t.opcode) + " has no memory layout");
  }
}

uint32_t Layout::memberOffset(uint32_t structType, uint32_t member) const {
  const StructLayout& layout = structLayout(structType);
  if (member >= layout.offsets.size()) fail("struct member index out of range");
  return layout.offsets[member];
}

uint32_t Layout::arrayStride(uint32_t arrayType) const {
  if (auto stride = module_.decorations(arrayType).get(spv::DecorationArrayStride)) return *stride;
  uint32_t element = type(arrayType).operand(0);
  return roundUp(size(element), alignment(element));
}

uint32_t Layout::columnStride(uint32_t matrixType, uint32_t decorated) const {
  if (decorated) return decorated;
  return size(type(matrixType).operand(0));
}

uint32_t Layout::arrayLength(uint32_t arrayType) const {
  auto length = module_.integerConstant(type(arrayType).operand(1));
  if (!length || *length <= 0) fail("array length is not a positive 32-bit constant");
  return static_cast<uint32_t>(*length);
}

MatrixLayout Layout::memberMatrixLayout(uint32_t structType, uint32_t member) const {
  const Decorations& decorations = module_.memberDecorations(structType, member);
  MatrixLayout layout{decorations.get(spv::DecorationMatrixStride).value_or(0),
                      decorations.has(spv::DecorationRowMajor)};
  // A row-major matrix outside explicit layouts has no MatrixStride to find its rows by.
  if (layout.rowMajor && layout.stride == 0) fail("a RowMajor matrix without a MatrixStride");
  return layout;
}

const Layout::StructLayout& Layout::structLayout(uint32_t structType) const {
  if (auto it = structs_.find(structType); it != structs_.end()) return it->second;
  const Instruction& t = type(structType);
  if (t.opcode != spv::OpTypeStruct) fail("member access into a non-struct type");
  StructLayout layout;
  uint32_t end = 0;
  for (uint32_t member = 0; member < t.operands.size(); ++member) {
    uint32_t memberType = t.operand(member);
    uint32_t memberSize = size(memberType);
    if (const Instruction& m = type(memberType); m.opcode == spv::OpTypeMatrix) {
      const MatrixLayout matrix = memberMatrixLayout(structType, member);
      // Row-major: one MatrixStride per row (a column's component count).
      memberSize = matrix.rowMajor ? matrix.stride * type(m.operand(0)).operand(1)
                                   : columnStride(memberType, matrix.stride) * m.operand(1);
    }
    uint32_t memberAlignment = alignment(memberType);
    auto decorated = module_.memberDecorations(structType, member).get(spv::DecorationOffset);
    uint32_t offset = decorated ? *decorated : roundUp(end, memberAlignment);
    layout.offsets.push_back(offset);
    layout.alignment = std::max(layout.alignment, memberAlignment);
    end = std::max(end, offset + memberSize);
  }
  layout.size = roundUp(end, layout.alignment);
  return structs_.emplace(structType, std::move(layout)).first->second;
}

}  // namespace emvk::jit
