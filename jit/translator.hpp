// The LLVM IR of one workgroup. From the entry function of a specialised, inlined module, the
// translator builds an LLVM module whose one external function runs a whole workgroup:
//
//   void emvk_workgroup(const DispatchContext* context)
//
// How invocations run (this first version is scalar): the entry function becomes
// `emvk.invocation(context, localX, localY, localZ)`, one invocation per call, and
// emvk_workgroup loops over the local ids and calls it; LLVM inlines it into the loop.
//
// Barriers: an entry function with OpControlBarrier becomes an LLVM coroutine instead (the
// switched-resume lowering, https://llvm.org/docs/Coroutines.html) that suspends at each barrier.
// emvk_workgroup starts every invocation, each running up to its first barrier, then resumes them
// in turn until all have finished: no invocation passes a barrier before every one has reached
// it, for any workgroup size. LLVM's CoroSplit pass keeps what lives across a barrier in a frame
// per invocation (malloc'd).
//
// Subgroups: a subgroup is one invocation (subgroupSize 1), since invocations run one at a time.
// The BASIC operations are then trivial: SubgroupLocalInvocationId 0, SubgroupId the local
// invocation index, OpGroupNonUniformElect true, and a subgroup-scope OpControlBarrier only a
// fence (no coroutine). With SIMD, a subgroup will be the lanes of one invocation function.
//
// The structure is meant to grow into SIMD (issue 4): the invocation function is the unit that
// will be emitted once per group of lanes, with a mask per lane; block merges are kept in
// jit::Block for that.
//
// Memory: every SPIR-V pointer is a byte address plus the SPIR-V type it points at (Pointer
// below), and loads, stores and access chains compute addresses from layout.hpp, whatever the
// storage class: buffers and push constants by their decorations (std140/std430), Function,
// Private and Workgroup memory by a natural layout; LLVM's SROA turns the local ones into
// registers. Undefined behaviour that would crash the host (integer division by zero, shifts
// past the width, float-to-int overflow, dynamic vector indexes out of range) is given a defined
// result instead.
#pragma once
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "jit/interface.hpp"
#include "jit/layout.hpp"
#include "jit/spirv_module.hpp"
#include "jit/types.hpp"

namespace emvk::jit {

inline constexpr const char* kWorkgroupSymbol = "emvk_workgroup";

class ShaderTranslator {
 public:
  ShaderTranslator(const SpirvModule& module, const Layout& layout,
                   const ShaderInterface& interface, llvm::LLVMContext& context);

  // The module, or an Error naming what is not supported ("opcode OpImageWrite is not supported
  // yet"). The translator is used once.
  Result<std::unique_ptr<llvm::Module>> translate();

 private:
  // A SPIR-V pointer: a byte address and what lies there.
  struct Pointer {
    llvm::Value* address = nullptr;
    uint32_t type = 0;  // the SPIR-V type pointed at
    // The MatrixStride of a matrix (or array of matrices) reached through a struct member that
    // declares one; 0 means the natural stride.
    uint32_t matrixStride = 0;
    llvm::Value* range = nullptr;  // bytes of the whole buffer, for OpArrayLength; else null
  };
  // The coroutine parts of an invocation function, when the shader has barriers.
  struct Coroutine {
    llvm::Value* id = nullptr;
    llvm::Value* handle = nullptr;
    llvm::BasicBlock* suspend = nullptr;  // returns to emvk_workgroup until resumed
    llvm::BasicBlock* cleanup = nullptr;  // frees the frame (llvm.coro.destroy)
    llvm::BasicBlock* finish = nullptr;   // the final suspension, where OpReturn goes
  };

  // translator.cpp: functions, blocks, control flow, variables and built-ins.
  void emitModule();
  llvm::Function* emitInvocation();
  void emitCoroutineFrame(llvm::Function* function);
  void emitVariables();
  void emitWorkgroupLoop(llvm::Function* invocation);
  void emitWorkgroupTurns(llvm::Function* invocation);
  void emitCountedLoop(uint32_t count, const std::function<void(llvm::Value*)>& body);
  void emitBlock(const Block& block);
  void emitTerminator(const Instruction& in);
  void emitBarrier();
  void fillPhis();
  void emitInstruction(const Instruction& in);
  llvm::Value* builtIn(uint32_t variable);
  llvm::Value* contextField(size_t offset, llvm::Type* type);

  // translator_memory.cpp: pointers, loads, stores, atomics.
  llvm::AllocaInst* allocate(uint32_t type);
  Pointer accessChain(const Instruction& in);
  llvm::Value* load(const Pointer& pointer);
  void store(const Pointer& pointer, llvm::Value* value);
  llvm::Value* loadAt(llvm::Value* address, uint32_t type, uint32_t matrixStride);
  void storeAt(llvm::Value* address, uint32_t type, uint32_t matrixStride, llvm::Value* value);
  llvm::Value* offsetAddress(llvm::Value* address, llvm::Value* bytes);
  llvm::Value* arrayLength(const Instruction& in);
  llvm::Value* atomic(const Instruction& in);

  // translator_arithmetic.cpp: arithmetic, logic, conversions, composites; null if `in` is none.
  llvm::Value* arithmetic(const Instruction& in);
  llvm::Value* composite(const Instruction& in);
  llvm::Value* divide(const Instruction& in);
  llvm::Value* shiftAmount(llvm::Value* base, llvm::Value* amount);
  llvm::Value* vectorShuffle(const Instruction& in);
  llvm::Value* compositeConstruct(const Instruction& in);
  llvm::Value* compositeInsert(const Instruction& in);
  llvm::Value* compositeExtract(llvm::Value* composite, std::span<const uint32_t> indexes);
  llvm::Value* matrixProduct(const Instruction& in);
  llvm::Value* dot(llvm::Value* a, llvm::Value* b);

  // translator_glsl.cpp: the GLSL.std.450 extended instructions.
  llvm::Value* glslStd450(const Instruction& in);
  llvm::Value* callLibm(const char* name, llvm::ArrayRef<llvm::Value*> args);
  llvm::Value* intrinsic(llvm::Intrinsic::ID id, llvm::ArrayRef<llvm::Value*> args);

  // Values: SSA results, constants on first use, and pointers.
  llvm::Value* value(uint32_t id);
  llvm::Constant* constant(uint32_t id);
  const Pointer& pointer(uint32_t id);
  void define(uint32_t id, llvm::Value* value) { values_[id] = value; }
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

  std::unordered_map<uint32_t, llvm::Value*> values_;
  std::unordered_map<uint32_t, Pointer> pointers_;
  std::unordered_map<uint32_t, llvm::BasicBlock*> blocks_;     // label -> its first LLVM block
  std::unordered_map<uint32_t, llvm::BasicBlock*> blockEnds_;  // label -> its last LLVM block
  std::vector<std::pair<const Instruction*, llvm::PHINode*>> phis_;

  // The invocation being emitted.
  llvm::BasicBlock* prologue_ = nullptr;  // allocas and built-ins, before the first SPIR-V block
  llvm::Value* dispatch_ = nullptr;       // const DispatchContext*
  llvm::Value* localId_[3] = {};
  Coroutine coroutine_;
};

}  // namespace emvk::jit
