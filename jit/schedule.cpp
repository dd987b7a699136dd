#include "jit/schedule.hpp"

#include <algorithm>
#include <queue>
#include <set>
#include <unordered_map>

#include "jit/failure.hpp"

namespace emvk::jit {

std::vector<uint32_t> successors(const Block& block) {
  std::vector<uint32_t> targets;
  auto add = [&](uint32_t label) {
    if (std::find(targets.begin(), targets.end(), label) == targets.end()) {
      targets.push_back(label);
    }
  };
  const Instruction* t = block.terminator;
  if (!t) return targets;
  switch (t->opcode) {
    case spv::OpBranch:
      add(t->operand(0));
      break;
    case spv::OpBranchConditional:
      add(t->operand(1));
      add(t->operand(2));
      break;
    case spv::OpSwitch:
      add(t->operand(1));
      for (size_t i = 3; i < t->operands.size(); i += 2) add(t->operand(i));
      break;
    default:  // OpReturn, OpReturnValue, OpUnreachable, OpKill...: nowhere
      break;
  }
  return targets;
}

namespace {

class Scheduler {
 public:
  explicit Scheduler(const Function& function) : function_(function) {
    for (size_t i = 0; i < function.blocks.size(); ++i) index_[function.blocks[i].label] = i;
    for (const Block& block : function.blocks) {
      std::vector<size_t> next;
      for (uint32_t label : successors(block)) {
        auto it = index_.find(label);
        if (it == index_.end()) fail("a branch to a label outside the function");
        next.push_back(it->second);
      }
      successors_.push_back(std::move(next));
    }
  }

  std::vector<Step> run() {
    std::set<size_t> reachable = reach(0, SIZE_MAX);
    std::vector<Step> steps;
    order(0, reachable, /*loopHeader=*/SIZE_MAX, steps);
    return steps;
  }

 private:
  // Blocks reachable from `from` without entering `barrier`.
  std::set<size_t> reach(size_t from, size_t barrier) const {
    std::set<size_t> seen{from};
    std::vector<size_t> work{from};
    while (!work.empty()) {
      size_t b = work.back();
      work.pop_back();
      for (size_t s : successors_[b]) {
        if (s != barrier && seen.insert(s).second) work.push_back(s);
      }
    }
    return seen;
  }

  // The merge block of a loop header, or SIZE_MAX for other blocks.
  size_t loopMerge(size_t b) const {
    const Instruction* merge = function_.blocks[b].merge;
    if (!merge || merge->opcode != spv::OpLoopMerge) return SIZE_MAX;
    auto it = index_.find(merge->operand(0));
    if (it == index_.end()) fail("OpLoopMerge names a label outside the function");
    return it->second;
  }

  // Appends the blocks of `members` (entered at `entry`) in a topological order in which each
  // nested loop is one node, ordered recursively. For a loop's own blocks (`loopHeader` is
  // `entry`), back edges to the header are left out, and LoopEnd closes the list.
  void order(size_t entry, const std::set<size_t>& members, size_t loopHeader,
             std::vector<Step>& steps) const {
    // Each block belongs to the outermost nested loop that holds it, or stands alone.
    std::unordered_map<size_t, size_t> node;
    std::unordered_map<size_t, std::set<size_t>> loops;
    std::vector<size_t> headers;
    for (size_t b : members) {
      if (b == loopHeader || loopMerge(b) == SIZE_MAX) continue;
      std::set<size_t> body = reach(b, loopMerge(b));
      for (size_t inner : body) {
        if (!members.count(inner)) fail("a loop whose blocks leave the construct around it");
      }
      loops[b] = std::move(body);
      headers.push_back(b);
    }
    std::sort(headers.begin(), headers.end(),
              [&](size_t a, size_t b) { return loops[a].size() > loops[b].size(); });
    for (size_t h : headers) {
      for (size_t b : loops[h]) node.emplace(b, h);
    }
    for (size_t b : members) node.emplace(b, b);

    // Edges between nodes, and Kahn's algorithm, taking ready nodes in the module's order.
    std::unordered_map<size_t, std::set<size_t>> edges;
    std::unordered_map<size_t, size_t> indegree;
    for (size_t b : members) indegree.emplace(node[b], 0);
    for (size_t b : members) {
      for (size_t s : successors_[b]) {
        if (s == loopHeader || !members.count(s)) continue;
        size_t from = node[b], to = node[s];
        if (from != to && edges[from].insert(to).second) ++indegree[to];
      }
    }
    std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
    if (indegree[node[entry]] != 0) fail("control flow that is not structured (entry has edges)");
    ready.push(node[entry]);
    size_t done = 0;
    while (!ready.empty()) {
      size_t n = ready.top();
      ready.pop();
      ++done;
      if (n != entry && loops.count(n)) {
        order(n, loops[n], n, steps);
      } else {
        steps.push_back({Step::Kind::Block, function_.blocks[n].label});
      }
      for (size_t to : edges[n]) {
        if (--indegree[to] == 0) ready.push(to);
      }
    }
    if (done != indegree.size()) fail("control flow that is not structured");
    if (loopHeader != SIZE_MAX) {
      steps.push_back({Step::Kind::LoopEnd, function_.blocks[loopHeader].label});
    }
  }

  const Function& function_;
  std::unordered_map<uint32_t, size_t> index_;
  std::vector<std::vector<size_t>> successors_;
};

}  // namespace

std::vector<Step> schedule(const Function& function) {
  if (function.blocks.empty()) fail("a function without blocks");
  return Scheduler(function).run();
}

}  // namespace emvk::jit
