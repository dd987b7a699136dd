// The LLVM IR of one workgroup. From the entry function of a specialised, inlined module, the
// translator builds an LLVM module whose one external function runs a whole workgroup:
//
//   void emvk_workgroup(const DispatchContext* context)
//
// SIMD groups. Invocations run W at a time (W = jit::subgroupSize(): 8 with AVX, 16 with
// AVX-512), one per lane of the host's vector registers. The invocations of a workgroup, in
// LocalInvocationIndex order, are cut into groups of W; the entry function becomes
// `emvk.group(context, group)`, which runs the W invocations of one group together: every SPIR-V
// value is a vector with one element per lane (types.hpp), so `a + b` is one vector add for W
// invocations. A group is also a subgroup: the subgroup operations are operations across lanes
// (translator_subgroup.cpp). The last group of a workgroup whose size is not a multiple of W
// has lanes that start inactive.
//
// Divergence. Lanes may disagree at a branch. A group cannot take both sides at once, so the
// control flow is linearised: every block is emitted once, in the order schedule.hpp finds, and
// runs under a mask, the lanes that arrived at it; a block no lane arrived at is skipped. A
// branch adds the lanes that take each edge to the mask waiting at the target ("incoming"). A
// loop's blocks run again while any lane took a back edge. OpPhi becomes a variable that each
// edge writes for the lanes that take it. Side effects (stores, atomics) are masked.
//
// Values live in registers within a block. A value used in another block than its own goes
// through a variable, written for the lanes of the block that defines it ("blended", since the
// other lanes may hold a value from an earlier loop iteration that they still need); LLVM's
// SROA turns those variables back into SSA values and selects.
//
// Shapes. To load x[gl_GlobalInvocationID.x] with one vector load instead of W scalar ones, the
// translator knows, for integers, whether a value is uniform (the same in every lane) or affine
// (lane i holds v0 + i * stride), following them from the built-ins and constants through
// additions and multiplications (translator_lanes.cpp). Memory accesses whose address is uniform
// become one scalar access, affine ones with the element size as stride one vector access, others
// gathers and scatters. Shaped values depend only on the lane, never on control flow or memory
// that changes, so they are computed for every lane and are never blended.
//
// Barriers: an entry function with OpControlBarrier becomes an LLVM coroutine (the
// switched-resume lowering, https://llvm.org/docs/Coroutines.html) that suspends at each barrier.
// emvk_workgroup starts every group, each running up to its first barrier, then resumes them in
// turn until all have finished: no invocation passes a barrier before every one has reached it,
// for any workgroup size. LLVM's CoroSplit pass keeps what lives across a barrier in a frame per
// group (malloc'd). A coroutine per group instead of per invocation also divides the cost by W,
// and a workgroup of at most W invocations, one group, needs none: its lanes reach each barrier
// together.
//
// Memory: every SPIR-V pointer is a base address plus a byte offset per lane and the SPIR-V type
// it points at (Pointer below); loads, stores and access chains compute offsets from layout.hpp,
// whatever the storage class: buffers and push constants by their decorations (std140/std430),
// Workgroup memory by a natural layout. Function and Private memory is private to each lane:
// lane i's copy of a scalar at natural offset o lies at W*o + i*size, so that the lanes' copies
// of one scalar are neighbours and a uniform access is one vector access. Undefined behaviour
// that would crash the host (integer division by zero, shifts past the width, float-to-int
// overflow, dynamic vector indexes out of range) is given a defined result instead; inactive
// lanes compute with whatever they hold, which is harmless for the same reason.
#pragma once
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "jit/interface.hpp"
#include "jit/layout.hpp"
#include "jit/schedule.hpp"
#include "jit/spirv_module.hpp"
#include "jit/types.hpp"
#include "jit/uniformity.hpp"

namespace emvk::jit {

inline constexpr const char* kWorkgroupSymbol = "emvk_workgroup";

class ShaderTranslator {
 public:
  ShaderTranslator(const SpirvModule& module, const Layout& layout,
                   const ShaderInterface& interface, llvm::LLVMContext& context, uint32_t lanes);

  // The module, or an Error naming what is not supported ("opcode OpImageWrite is not supported
  // yet"). The translator is used once.
  Result<std::unique_ptr<llvm::Module>> translate();

 private:
  // A SPIR-V pointer: a byte offset per lane from a base address, and what lies there.
  struct Pointer {
    llvm::Value* base = nullptr;    // ptr, computed in the prologue
    llvm::Value* offset = nullptr;  // i64 when uniform, else <W x i64>
    std::optional<Shape> shape;     // of the offset
    uint32_t type = 0;              // the SPIR-V type pointed at
    // The MatrixStride and majorness of a matrix (or array of matrices) reached through a struct
    // member that declares them; a zero stride means the natural layout.
    MatrixLayout matrix;
    // The distance between a vector's components when it is a column of a row-major matrix; 0:
    // packed.
    uint32_t componentStride = 0;
    llvm::Value* range = nullptr;  // bytes of the whole buffer, for OpArrayLength; else null
    llvm::Value* bound = nullptr;  // i64 bytes accessible from base (buffers), for bounds checks
    spv::StorageClass storage = spv::StorageClassFunction;
    bool lanePrivate = false;  // Function and Private memory: W*o + lane*size (see above)
    // Built-in Input variables are values, not memory: their value, and one shape per component.
    llvm::Value* builtIn = nullptr;
    std::vector<std::optional<Shape>> builtInShapes;
  };
  // The coroutine parts of a group function, when the shader has barriers.
  struct Coroutine {
    llvm::Value* id = nullptr;
    llvm::Value* handle = nullptr;
    llvm::BasicBlock* suspend = nullptr;  // returns to emvk_workgroup until resumed
    llvm::BasicBlock* cleanup = nullptr;  // frees the frame (llvm.coro.destroy)
    llvm::BasicBlock* finish = nullptr;   // the final suspension, after the last block
  };

  // translator.cpp: functions, the schedule of blocks, masks, variables and built-ins.
  void emitModule();
  llvm::Function* emitGroupFunction();
  void emitCoroutineFrame(llvm::Function* function);
  void emitLaneIds(llvm::Value* group);
  void emitVariables();
  void emitWorkgroupLoop(llvm::Function* group);
  void emitWorkgroupTurns(llvm::Function* group);
  void emitCountedLoop(uint32_t count, const std::function<void(llvm::Value*)>& body);
  void findCrossBlockIds();
  void emitSteps(llvm::Function* function, llvm::BasicBlock* done);
  void emitBlock(const Block& block, llvm::BasicBlock* next);
  void emitTerminator(const Block& block);
  void emitEdge(uint32_t from, uint32_t to, llvm::Value* lanes);
  void emitPhiInputs(uint32_t from, uint32_t to, llvm::Value* lanes);
  void emitBackEdge(llvm::BasicBlock* header);
  size_t uniformLoopEnd(const std::vector<Step>& steps, size_t first);
  void emitUniformLoop(const std::vector<Step>& steps, size_t first, size_t end,
                       llvm::BasicBlock* after);
  void emitLoopBlocks(const std::vector<Step>& steps, size_t first, size_t end, llvm::Value* lanes,
                      llvm::BasicBlock* after, const std::string& prefix);
  // Uniform loops of at most this many instructions get a version for full groups.
  static constexpr size_t kMaxVersionedLoop = 400;
  void emitBarrier();
  void emitInstruction(const Instruction& in);
  Pointer builtIn(uint32_t variable);
  llvm::Value* contextField(size_t offset, llvm::Type* type);
  llvm::AllocaInst* prologueAlloca(llvm::Type* type, uint64_t bytes = 0);

  // translator_lanes.cpp: moving values between lanes and components, masks, shapes.
  uint32_t componentsOf(llvm::Type* type) const;
  llvm::Value* component(llvm::Value* vector, uint32_t c);
  llvm::Value* withComponent(llvm::Value* vector, uint32_t c, llvm::Value* part);
  llvm::Value* fromComponents(llvm::ArrayRef<llvm::Value*> parts);
  llvm::Value* replicate(llvm::Value* lanes, uint32_t components);
  llvm::Value* toLaneMajor(llvm::Value* vector);
  llvm::Value* toComponentMajor(llvm::Value* vector);
  llvm::Value* blend(llvm::Value* mask, llvm::Value* taken, llvm::Value* kept);
  llvm::Value* anyLane(llvm::Value* mask);
  llvm::Value* laneBits(llvm::Value* mask);
  llvm::Value* laneSteps(int64_t step, llvm::Type* element);
  llvm::Value* uniformScalar(llvm::Value* lanes, bool allLanes);
  llvm::Value* firstRunningLane();
  llvm::Value* affineBase(llvm::Value* offsets, const Shape& shape);
  llvm::Constant* liftConstant(llvm::Constant* element);
  std::optional<Shape> shapeOf(uint32_t id) const { return uniformity_->shape(id); }

  // translator_memory.cpp: pointers, loads, stores, atomics.
  llvm::Value* allocateLanePrivate(uint32_t type);
  Pointer accessChain(const Instruction& in);
  llvm::Value* load(const Pointer& pointer);
  void store(const Pointer& pointer, llvm::Value* value);
  llvm::Value* loadAt(const Pointer& p, uint64_t extra, uint32_t type, MatrixLayout matrix,
                      uint32_t componentStride = 0);
  void storeAt(const Pointer& p, uint64_t extra, uint32_t type, MatrixLayout matrix,
               llvm::Value* value, uint32_t componentStride = 0);
  llvm::Value* loadLeaf(const Pointer& p, uint64_t extra, llvm::Type* element, uint32_t align);
  void storeLeaf(const Pointer& p, uint64_t extra, llvm::Value* value, uint32_t align);
  llvm::Value* laneAddresses(const Pointer& p, uint64_t extra, uint64_t leafSize);
  llvm::Value* lanesInBounds(const Pointer& p, uint64_t extra, uint64_t bytes);
  // The lane-major mask of a vector of `count` scalars of `size` bytes per lane: each component is
  // checked on its own (robustBufferAccess2: a vector partly in range keeps its in-range part).
  llvm::Value* componentsInBounds(const Pointer& p, uint64_t extra, uint64_t size, uint32_t count);
  llvm::Value* zeroes();
  llvm::Value* allLanesInBounds(const Pointer& p, uint64_t extra, uint64_t bytes);
  llvm::Value* wholeOrMasked(llvm::Value* full, const std::function<llvm::Value*()>& whole,
                             const std::function<llvm::Value*()>& masked);
  llvm::Value* arrayLength(const Instruction& in);
  llvm::Value* atomic(const Instruction& in);

  // translator_image.cpp: texel buffers. image() handles `in` if it is theirs.
  struct TexelBuffer {
    llvm::Value* data = nullptr;    // ptr: the view's first byte
    llvm::Value* range = nullptr;   // i64 bytes
    llvm::Value* format = nullptr;  // i32 VkFormat
  };
  void emitTexelBufferVariable(const Instruction& variable);
  bool image(const Instruction& in);
  const TexelBuffer& texelBuffer(uint32_t id);
  llvm::Value* texelIndexes(uint32_t coordinate);
  llvm::Value* readTexels(const Instruction& in);
  void writeTexels(const Instruction& in);

  // translator_arithmetic.cpp: arithmetic, logic, conversions, composites; null if `in` is none.
  llvm::Value* arithmetic(const Instruction& in);
  llvm::Value* composite(const Instruction& in);
  llvm::Value* divide(const Instruction& in);
  llvm::Value* shiftAmount(llvm::Value* base, llvm::Value* amount);
  llvm::Value* bitcast(llvm::Value* value, uint32_t resultType);
  llvm::Value* bitField(const Instruction& in);
  llvm::Value* vectorShuffle(const Instruction& in);
  llvm::Value* compositeConstruct(const Instruction& in);
  llvm::Value* compositeInsert(const Instruction& in);
  llvm::Value* compositeExtract(llvm::Value* composite, std::span<const uint32_t> indexes);
  llvm::Value* matrixProduct(const Instruction& in);
  llvm::Value* dot(llvm::Value* a, llvm::Value* b);

  // translator_glsl.cpp: the GLSL.std.450 extended instructions.
  llvm::Value* glslStd450(const Instruction& in);
  llvm::Value* glslStd450Value(const Instruction& in, llvm::ArrayRef<llvm::Value*> operands,
                               llvm::Type* type);
  llvm::Value* callLibm(const char* name, llvm::ArrayRef<llvm::Value*> args);
  llvm::Value* intrinsic(llvm::Intrinsic::ID id, llvm::ArrayRef<llvm::Value*> args);

  // translator_subgroup.cpp: OpGroupNonUniform*, across the lanes of the group.
  llvm::Value* subgroup(const Instruction& in);
  llvm::Value* eachComponent(llvm::Value* v,
                             const std::function<llvm::Value*(llvm::Value*)>& perComponent);

  // Values: SSA results, constants on first use, and pointers.
  llvm::Value* value(uint32_t id);
  llvm::Constant* constant(uint32_t id);
  llvm::Constant* elementConstant(uint32_t id);
  Pointer pointer(uint32_t id);
  void define(uint32_t id, llvm::Value* value);
  void definePointer(uint32_t id, Pointer pointer);
  llvm::Value* operand(const Instruction& in, size_t i) { return value(in.operand(i)); }
  // A constant of `type` (scalar or vector, splatted), for numbers built into the translation.
  llvm::Constant* splat(llvm::Type* type, double value);
  llvm::Constant* splatInt(llvm::Type* type, uint64_t value);
  // Extends an index to 64 bits by its SPIR-V signedness.
  llvm::Value* index64(uint32_t id);

  const SpirvModule& module_;
  const Layout& layout_;
  const ShaderInterface& interface_;
  llvm::LLVMContext& context_;
  std::unique_ptr<llvm::Module> llvm_;
  llvm::IRBuilder<> builder_;
  Types types_;
  const uint32_t lanes_;
  uint32_t groups_ = 1;      // SIMD groups per workgroup
  bool coroutines_ = false;  // barriers that must wait for other groups (more than one group)

  std::unordered_map<uint32_t, llvm::Constant*> constants_;
  std::unordered_map<uint32_t, llvm::Value*> values_;  // of the block being emitted
  std::vector<uint32_t> blockIds_;                     // what values_ holds of that block
  std::unique_ptr<Uniformity> uniformity_;             // the shapes of the entry function's values
  std::unordered_map<uint32_t, Pointer> pointers_;
  std::unordered_map<uint32_t, TexelBuffer> texelBuffers_;  // variables and images loaded from them
  std::unordered_set<uint32_t> crossBlock_;  // ids used outside the block defining them
  std::unordered_map<uint32_t, llvm::AllocaInst*> variables_;       // of cross-block ids
  std::unordered_map<uint32_t, llvm::AllocaInst*> pointerOffsets_;  // of cross-block pointers
  std::unordered_map<uint32_t, llvm::Value*> blockOffsets_;         // pointer offsets at hand here
  std::unordered_map<uint32_t, llvm::AllocaInst*> phiInputs_;       // phi -> its edges' writes
  std::unordered_map<uint32_t, llvm::AllocaInst*> incoming_;        // label -> lanes arriving
  std::unordered_map<uint32_t, const Block*> blocks_;               // label -> block
  std::unordered_map<uint32_t, llvm::BasicBlock*> stepBlocks_;      // label -> its LLVM entry

  // The group being emitted.
  llvm::BasicBlock* prologue_ = nullptr;  // allocas and built-ins, before the first block
  llvm::Value* dispatch_ = nullptr;       // const DispatchContext*
  llvm::Value* group_ = nullptr;          // i32, the group's index in the workgroup
  llvm::Value* laneIndex_ = nullptr;      // <W x i32> LocalInvocationIndex of each lane
  llvm::Value* localId_[3] = {};          // <W x i32> each
  llvm::Value* mask_ = nullptr;           // <W x i1>: the lanes running the current block
  llvm::BasicBlock* done_ = nullptr;      // after the last block: the group ends
  llvm::Value* cancel_ = nullptr;         // const uint32_t*: DispatchContext::cancel
  Coroutine coroutine_;
};

}  // namespace emvk::jit
