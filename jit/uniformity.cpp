#include "jit/uniformity.hpp"

#include <algorithm>

#include "jit/failure.hpp"
#include "jit/schedule.hpp"

namespace emvk::jit {

std::vector<std::optional<Shape>> Uniformity::builtInShapes(uint32_t builtIn,
                                                            const std::array<uint32_t, 3>& size,
                                                            uint32_t lanes) {
  const std::optional<Shape> uniform = Shape{0}, step = Shape{1}, none = std::nullopt;
  // Groups are W consecutive LocalInvocationIndex values: with a row length (x) that is a
  // multiple of W, a group is a piece of one row.
  const uint32_t plane = size[0] * size[1];
  std::array<std::optional<Shape>, 3> local = {size[0] == 1           ? uniform
                                               : size[0] % lanes == 0 ? step
                                                                      : none,
                                               (size[1] == 1 || size[0] % lanes == 0)   ? uniform
                                               : (size[0] == 1 && size[1] % lanes == 0) ? step
                                                                                        : none,
                                               (size[2] == 1 || plane % lanes == 0) ? uniform
                                               : plane == 1                         ? step
                                                                                    : none};
  switch (builtIn) {
    case spv::BuiltInLocalInvocationId:
    case spv::BuiltInGlobalInvocationId:
      return {local[0], local[1], local[2]};
    case spv::BuiltInWorkgroupId:
    case spv::BuiltInNumWorkgroups:
    case spv::BuiltInWorkgroupSize:
      return {uniform, uniform, uniform};
    case spv::BuiltInLocalInvocationIndex:
    case spv::BuiltInSubgroupLocalInvocationId:
      return {step};
    case spv::BuiltInSubgroupId:
    case spv::BuiltInNumSubgroups:
    case spv::BuiltInSubgroupSize:
      return {uniform};
    case spv::BuiltInSubgroupEqMask:
    case spv::BuiltInSubgroupGeMask:
    case spv::BuiltInSubgroupGtMask:
    case spv::BuiltInSubgroupLeMask:
    case spv::BuiltInSubgroupLtMask:
      return {none, uniform, uniform, uniform};
    default:
      return {none};
  }
}

Uniformity::Uniformity(const SpirvModule& module, const ShaderInterface& interface, uint32_t lanes)
    : module_(module), interface_(interface), lanes_(lanes) {
  run();
}

std::optional<Shape> Uniformity::shape(uint32_t id) const {
  if (forcedVarying_.count(id)) return std::nullopt;
  if (auto it = values_.find(id); it != values_.end()) {
    // Still top after the fixed point: nothing ever disagreed, e.g. a loop counter.
    if (it->second.top) return Shape{0, false};
    return it->second.shape;
  }
  const Instruction* in = module_.definition(id);
  if (!in) return std::nullopt;
  switch (in->opcode) {
    case spv::OpConstant:
    case spv::OpConstantTrue:
    case spv::OpConstantFalse:
    case spv::OpConstantNull:
    case spv::OpConstantComposite:
    case spv::OpUndef:
      return Shape{0};
    default:
      return std::nullopt;
  }
}

const std::vector<std::optional<Shape>>* Uniformity::components(uint32_t id) const {
  auto it = components_.find(id);
  return it == components_.end() ? nullptr : &it->second;
}

std::optional<Shape> Uniformity::operandShape(uint32_t id, bool& top) const {
  if (forcedVarying_.count(id)) return std::nullopt;
  if (auto it = values_.find(id); it != values_.end()) {
    if (it->second.top) top = true;
    return it->second.shape;
  }
  return shape(id);
}

void Uniformity::run() {
  const Function& function = *interface_.entry;
  for (const Block& block : function.blocks) {
    index_[block.label] = labels_.size();
    labels_.push_back(block.label);
    for (const Instruction* in : block.instructions) {
      if (in->result) home_[in->result] = block.label;
      if (in->result && in->opcode != spv::OpVariable && in->opcode != spv::OpAccessChain &&
          in->opcode != spv::OpInBoundsAccessChain) {
        values_[in->result] = Value{};
      }
    }
  }
  for (const Block& block : function.blocks) {
    std::vector<size_t> next;
    for (uint32_t label : successors(block)) {
      if (index_.count(label)) next.push_back(index_.at(label));
    }
    successors_.push_back(std::move(next));
  }
  findLoopsAndJoins();

  for (const Instruction* variable : interface_.variables) {
    PointerInfo info;
    auto storage = static_cast<spv::StorageClass>(variable->operand(0));
    info.uniformAddress = true;
    if (storage == spv::StorageClassInput) {
      auto builtIn = module_.decorations(variable->result).get(spv::DecorationBuiltIn);
      info.builtIn = true;
      info.components = builtInShapes(builtIn ? *builtIn : ~0u, interface_.localSize, lanes_);
    }
    info.constantMemory =
        storage == spv::StorageClassPushConstant || storage == spv::StorageClassUniform;
    pointers_[variable->result] = info;
  }

  // Fixed point of the transfer functions; then loops lanes leave apart take the shapes of what
  // is used after them, and the fixed point runs again.
  for (int round = 0; round < 64; ++round) {
    bool changed = true;
    for (int pass = 0; changed; ++pass) {
      if (pass == 1000) {
        // No fixed point (a bug): no shapes at all is always correct, only slower.
        for (auto& [id, value] : values_) value = Value{false, std::nullopt};
        return;
      }
      changed = false;
      for (const Block& block : function.blocks) {
        for (const Instruction* in : block.instructions) changed |= transfer(*in, block.label);
      }
    }
    bool forced = false;
    for (const Loop& loop : loops_) {
      // Lanes leave apart when a divergent branch inside can reach the merge without going round.
      bool apart = false;
      for (size_t x = 0; x < labels_.size() && !apart; ++x) {
        if (!loop.body[x] || !divergentBranch(labels_[x])) continue;
        std::vector<bool> seen(labels_.size(), false);
        std::vector<size_t> work{x};
        while (!work.empty() && !apart) {
          size_t b = work.back();
          work.pop_back();
          for (size_t s : successors_[b]) {
            if (s == loop.merge || !loop.body[s]) apart = true;
            if (s != loop.header && !seen[s]) seen[s] = true, work.push_back(s);
          }
        }
      }
      if (!apart) continue;
      auto inside = [&](uint32_t id) {
        auto it = home_.find(id);
        return it != home_.end() && loop.body[index_.at(it->second)];
      };
      for (const Block& block : function.blocks) {
        bool blockInside = loop.body[index_.at(block.label)];
        auto useAt = [&](uint32_t id, bool atInside) {
          if (!atInside && inside(id) && forcedVarying_.insert(id).second) forced = true;
        };
        for (const Instruction* in : block.instructions) {
          if (in->opcode == spv::OpPhi) {
            for (size_t i = 0; i + 1 < in->operands.size(); i += 2) {
              auto parent = index_.find(in->operand(i + 1));
              useAt(in->operand(i), parent != index_.end() && loop.body[parent->second]);
            }
            continue;
          }
          for (uint32_t word : in->operands) useAt(word, blockInside);
        }
        if (block.terminator) {
          for (uint32_t word : block.terminator->operands) useAt(word, blockInside);
        }
      }
    }
    if (!forced) return;
  }
}

// Dominators (for joins) and loops, by block index; the functions are small.
void Uniformity::findLoopsAndJoins() {
  const size_t n = labels_.size();
  reaches_.assign(n, std::vector<bool>(n, false));
  for (size_t a = 0; a < n; ++a) {
    std::vector<size_t> work{a};
    while (!work.empty()) {
      size_t b = work.back();
      work.pop_back();
      for (size_t s : successors_[b]) {
        if (!reaches_[a][s]) reaches_[a][s] = true, work.push_back(s);
      }
    }
  }
  std::vector<std::vector<size_t>> predecessors(n);
  for (size_t b = 0; b < n; ++b) {
    for (size_t s : successors_[b]) predecessors[s].push_back(b);
  }
  std::vector<bool> reachable(n, false);
  reachable[0] = true;
  for (size_t b = 1; b < n; ++b) reachable[b] = reaches_[0][b];
  std::vector<std::vector<bool>> dominators(n, std::vector<bool>(n, true));
  dominators[0].assign(n, false);
  dominators[0][0] = true;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t b = 1; b < n; ++b) {
      if (!reachable[b]) continue;
      std::vector<bool> meet(n, true);
      for (size_t p : predecessors[b]) {
        if (!reachable[p]) continue;
        for (size_t i = 0; i < n; ++i) meet[i] = meet[i] && dominators[p][i];
      }
      meet[b] = true;
      if (meet != dominators[b]) dominators[b] = std::move(meet), changed = true;
    }
  }
  // The immediate dominator: the strict dominator dominated by all the others.
  idom_.assign(n, SIZE_MAX);
  for (size_t b = 1; b < n; ++b) {
    size_t best = SIZE_MAX, bestCount = 0;
    for (size_t d = 0; d < n; ++d) {
      if (d == b || !dominators[b][d]) continue;
      size_t count =
          static_cast<size_t>(std::count(dominators[d].begin(), dominators[d].end(), true));
      if (count > bestCount) best = d, bestCount = count;
    }
    idom_[b] = best;
  }
  for (size_t h = 0; h < n; ++h) {
    const Instruction* merge = interface_.entry->blocks[h].merge;
    if (!merge || merge->opcode != spv::OpLoopMerge || !index_.count(merge->operand(0))) continue;
    Loop loop{h, index_.at(merge->operand(0)), std::vector<bool>(n, false)};
    std::vector<size_t> work{h};
    loop.body[h] = true;
    while (!work.empty()) {
      size_t b = work.back();
      work.pop_back();
      for (size_t s : successors_[b]) {
        if (s != loop.merge && !loop.body[s]) loop.body[s] = true, work.push_back(s);
      }
    }
    loops_.push_back(std::move(loop));
  }
}

// A conditional branch or switch whose lanes may disagree.
bool Uniformity::divergentBranch(uint32_t label) const {
  const Instruction* t = interface_.entry->blocks[index_.at(label)].terminator;
  if (!t) return false;
  if (t->opcode == spv::OpBranchConditional && t->operand(1) == t->operand(2)) return false;
  if (t->opcode != spv::OpBranchConditional && t->opcode != spv::OpSwitch) return false;
  bool top = false;
  std::optional<Shape> condition = operandShape(t->operand(0), top);
  if (top) return false;  // optimistic until known
  return !condition || !condition->uniform();
}

// Whether lanes that split at a divergent branch may meet again at `label`: some divergent
// branch after its immediate dominator reaches it. (A loop header's back edge is no such meeting:
// the lanes on it are the lanes still looping, together.)
bool Uniformity::divergentJoin(uint32_t label) const {
  size_t b = index_.at(label);
  size_t d = idom_[b];
  if (d == SIZE_MAX) return false;
  for (size_t x = 0; x < labels_.size(); ++x) {
    if (x != d && !(reaches_[d][x])) continue;
    if (x == b || !reaches_[x][b]) continue;
    if (divergentBranch(labels_[x])) return true;
  }
  return false;
}

bool Uniformity::transfer(const Instruction& in, uint32_t block) {
  // Pointers: where they point and whether the address is the same in every lane.
  if (in.opcode == spv::OpVariable) {
    pointers_[in.result] = PointerInfo{false, {}, false, false};  // lane-private memory
    return false;
  }
  if (in.opcode == spv::OpAccessChain || in.opcode == spv::OpInBoundsAccessChain ||
      (in.opcode == spv::OpCopyObject && pointers_.count(in.operand(0)))) {
    auto base = pointers_.find(in.operand(0));
    if (base == pointers_.end()) return false;
    PointerInfo info = base->second;
    for (size_t i = 1; in.opcode != spv::OpCopyObject && i < in.operands.size(); ++i) {
      if (info.builtIn) {
        auto c = module_.integerConstant(in.operand(i));
        std::optional<Shape> component;
        if (c && *c >= 0 && static_cast<size_t>(*c) < info.components.size()) {
          component = info.components[static_cast<size_t>(*c)];
        }
        info.components = {component};
        continue;
      }
      bool top = false;
      std::optional<Shape> index = operandShape(in.operand(i), top);
      if (!top && (!index || !index->uniform())) info.uniformAddress = false;
    }
    auto old = pointers_.find(in.result);
    bool changed = old == pointers_.end() || old->second.uniformAddress != info.uniformAddress ||
                   old->second.components.size() != info.components.size();
    pointers_[in.result] = info;
    return changed;
  }
  if (!in.result || !values_.count(in.result)) return false;
  Value& result = values_.at(in.result);
  if (!result.top && !result.shape) return false;  // already at the bottom

  Value next;
  next.top = false;
  bool top = false;
  auto operand = [&](size_t i) { return operandShape(in.operand(i), top); };
  auto constantOf = [&](size_t i) { return module_.integerConstant(in.operand(i)); };
  auto both = [](const Shape& a, const Shape& b) { return a.allLanes && b.allLanes; };
  switch (in.opcode) {
    case spv::OpLoad: {
      auto p = pointers_.find(in.operand(0));
      if (p == pointers_.end()) break;
      if (p->second.builtIn) {
        const auto& c = p->second.components;
        if (c.size() == 1) {
          next.shape = c[0];
        } else {
          components_[in.result] = c;
          bool uniform = std::all_of(c.begin(), c.end(), [](auto& s) { return s && s->uniform(); });
          if (uniform) next.shape = Shape{0};
        }
      } else if (p->second.constantMemory && p->second.uniformAddress) {
        next.shape = Shape{0};  // one scalar load, splatted to every lane
      }
      break;
    }
    case spv::OpPhi: {
      // The meet of the inputs; only valid in running lanes.
      std::optional<Shape> meet;
      bool first = true, any = false;
      for (size_t i = 0; i + 1 < in.operands.size(); i += 2) {
        bool inputTop = false;
        std::optional<Shape> s = operandShape(in.operand(i), inputTop);
        if (inputTop) continue;  // optimistic: no opinion yet
        any = true;
        if (!s) {
          meet.reset();
          first = false;
          break;
        }
        if (first) {
          meet = s;
          first = false;
        } else if (!meet || meet->stride != s->stride) {
          meet.reset();
        } else {
          meet->allLanes = meet->allLanes && s->allLanes;
        }
      }
      if (!any) return false;  // nothing known yet
      bool isHeader = std::any_of(loops_.begin(), loops_.end(),
                                  [&](const Loop& l) { return labels_[l.header] == block; });
      if (!isHeader && divergentJoin(block)) meet.reset();
      next.shape = meet;
      top = false;  // the inputs still unknown were left out on purpose
      break;
    }
    case spv::OpIAdd:
    case spv::OpISub: {
      auto a = operand(0), b = operand(1);
      if (a && b) {
        next.shape = Shape{in.opcode == spv::OpIAdd ? a->stride + b->stride : a->stride - b->stride,
                           both(*a, *b)};
      }
      break;
    }
    case spv::OpIMul: {
      auto a = operand(0), b = operand(1);
      if (a && b && a->uniform() && b->uniform()) {
        next.shape = Shape{0, both(*a, *b)};
      } else if (a && b && b->uniform() && constantOf(1)) {
        next.shape = Shape{a->stride * *constantOf(1), a->allLanes};
      } else if (a && b && a->uniform() && constantOf(0)) {
        next.shape = Shape{b->stride * *constantOf(0), b->allLanes};
      }
      break;
    }
    case spv::OpShiftLeftLogical: {
      auto a = operand(0), b = operand(1);
      auto amount = constantOf(1);
      if (a && b && b->uniform() && amount && *amount >= 0 && *amount < 32) {
        next.shape = Shape{a->stride * (int64_t{1} << *amount), a->allLanes};
      } else if (a && b && a->uniform() && b->uniform()) {
        next.shape = Shape{0, both(*a, *b)};
      }
      break;
    }
    case spv::OpSConvert:
    case spv::OpUConvert:
    case spv::OpCopyObject:
      // Widening an affine index: the running lanes of one group do not wrap around 2^32 in an
      // access that stays inside a buffer (lanes that do not run may: translator_lanes.cpp's
      // affineBase takes the base from a running lane).
      next.shape = operand(0);
      break;
    case spv::OpCompositeExtract: {
      std::optional<Shape> whole = operand(0);
      if (whole && whole->uniform()) next.shape = whole;
      auto c = components_.find(in.operand(0));
      if (c != components_.end() && in.operands.size() == 2 && in.operand(1) < c->second.size()) {
        next.shape = c->second[in.operand(1)];
      }
      break;
    }
    case spv::OpArrayLength:
      next.shape = Shape{0};
      break;
    default: {
      // Results that depend on more than the operands' values: memory, other lanes.
      if (isAtomic(in.opcode) || (in.opcode >= spv::OpGroupNonUniformElect &&
                                  in.opcode <= spv::OpGroupNonUniformQuadSwap)) {
        break;
      }
      // Anything else pure of uniform operands is uniform.
      bool uniform = true, allLanes = true;
      size_t firstOperand = in.opcode == spv::OpExtInst ? 2 : 0;
      for (size_t i = firstOperand; i < in.operands.size(); ++i) {
        const Instruction* def = module_.definition(in.operand(i));
        if (!def || def->resultType == 0) continue;  // a literal, a type, a label
        auto s = operand(i);
        if (!s || !s->uniform()) uniform = false;
        if (s) allLanes = allLanes && s->allLanes;
      }
      if (uniform) next.shape = Shape{0, allLanes};
      break;
    }
  }
  if (top && next.shape) return false;  // wait for the operands
  bool changed = result.top || result.shape.has_value() != next.shape.has_value() ||
                 (next.shape && (result.shape->stride != next.shape->stride ||
                                 result.shape->allLanes != next.shape->allLanes));
  if (!changed) return false;
  result = next;
  return true;
}

}  // namespace emvk::jit
