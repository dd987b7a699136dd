// Which values are the same in every lane of a SIMD group, or step evenly from lane to lane: a
// divergence analysis over the entry function, run before translation (translator.hpp).
//
// A value's shape says lane i holds v0 + i * stride (uniform: stride 0). Shapes start at the
// built-ins (gl_LocalInvocationID.x steps by 1 when a group lies within one row, .y and .z are
// uniform), constants, push constants and uniform buffers, and flow through additions and
// multiplications by constants. Control flow can break them:
//   - an OpPhi after a branch on which lanes disagree ("divergent") merges values from different
//     paths: it has no shape;
//   - a loop that lanes leave at different iterations: its values seen after the loop are from
//     different iterations in different lanes: no shape there.
// Otherwise a phi of uniform values stays uniform: the counter of a loop all lanes run together
// is uniform, so A[row][k] is one scalar load, not W. The analysis is optimistic (a phi starts
// with the shape of its inputs and loses it only when an input or a branch says so) and runs to
// a fixed point, so loop-carried values get their shapes.
//
// allLanes: whether every lane of the group, running or not, holds the value (a value computed
// from other allLanes values in straight-line code). A phi's inputs are written only for the lanes
// on each edge, so a phi's value is right only in the running lanes: a uniform value that is not
// allLanes is read from the first running lane, not from lane 0.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "jit/interface.hpp"
#include "jit/spirv_module.hpp"

namespace emvk::jit {

struct Shape {
  int64_t stride = 0;
  bool allLanes = true;
  bool uniform() const { return stride == 0; }
};

class Uniformity {
 public:
  Uniformity(const SpirvModule& module, const ShaderInterface& interface, uint32_t lanes);

  // The shape of value `id` (constants included), or nothing when it has none.
  std::optional<Shape> shape(uint32_t id) const;
  // For a loaded built-in vector (gl_GlobalInvocationID), one shape per component.
  const std::vector<std::optional<Shape>>* components(uint32_t id) const;
  // The shapes of a built-in's components, for a workgroup of `localSize` in groups of `lanes`.
  static std::vector<std::optional<Shape>> builtInShapes(uint32_t builtIn,
                                                         const std::array<uint32_t, 3>& localSize,
                                                         uint32_t lanes);

 private:
  struct PointerInfo {
    bool builtIn = false;
    std::vector<std::optional<Shape>> components;  // built-in: per component
    bool constantMemory = false;                   // push constants, uniform buffers
    bool uniformAddress = false;
  };
  // Top (not yet known, optimistically anything) is kept apart from "no shape".
  struct Value {
    bool top = true;
    std::optional<Shape> shape;
  };

  void run();
  bool transfer(const Instruction& in, uint32_t block);
  std::optional<Shape> operandShape(uint32_t id, bool& top) const;
  void findLoopsAndJoins();
  bool divergentBranch(uint32_t block) const;
  bool divergentJoin(uint32_t block) const;

  const SpirvModule& module_;
  const ShaderInterface& interface_;
  const uint32_t lanes_;
  std::unordered_map<uint32_t, Value> values_;
  std::unordered_map<uint32_t, PointerInfo> pointers_;
  std::unordered_map<uint32_t, std::vector<std::optional<Shape>>> components_;
  std::unordered_set<uint32_t> forcedVarying_;  // used after a loop lanes leave apart

  // The CFG: labels, successors, reachability and dominators, by block index.
  std::vector<uint32_t> labels_;
  std::unordered_map<uint32_t, size_t> index_;
  std::vector<std::vector<size_t>> successors_;
  std::vector<size_t> idom_;
  std::vector<std::vector<bool>> reaches_;  // reaches_[a][b]: b reachable from a
  struct Loop {
    size_t header, merge;
    std::vector<bool> body;
  };
  std::vector<Loop> loops_;
  std::unordered_map<uint32_t, uint32_t> home_;  // id -> its block label
};

}  // namespace emvk::jit
