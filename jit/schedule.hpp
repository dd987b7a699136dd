// The order in which a SIMD group walks the blocks of a function (translator.hpp).
//
// A group of lanes cannot branch: when its lanes disagree at an OpBranchConditional, both sides
// must run, each for its own lanes. So the translator emits every block once, in one fixed order,
// and each block runs for the lanes that arrived at it (its mask), or is skipped when none did.
// That order must put every block after all the blocks that can branch to it (a topological
// order), except for loop back edges; and each loop's blocks must lie together, so that at the
// end of them the group can go back to the loop header while any lane wants another iteration.
// SPIR-V's structured control flow (every loop header declares its merge block) makes such an
// order exist; this file finds it:
//
//   schedule(function) = [Block entry, Block a, Block header, Block body, ..., LoopEnd header,
//                         Block merge, ...]
//
// Loops nest: a loop's blocks are the blocks reachable from its header without passing through
// its merge block, ordered recursively the same way.
#pragma once
#include <cstdint>
#include <vector>

#include "jit/spirv_module.hpp"

namespace emvk::jit {

struct Step {
  enum class Kind { Block, LoopEnd } kind;
  uint32_t label;  // the block, or the header of the loop that ends here
};

// The labels a block may branch to, in operand order, each once.
std::vector<uint32_t> successors(const Block& block);

// Fails (jit/failure.hpp) on control flow that is not structured.
std::vector<Step> schedule(const Function& function);

}  // namespace emvk::jit
