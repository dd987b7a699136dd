#include "jit/translator.hpp"

#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <cstddef>

#include "jit/failure.hpp"
#include "jit/spirv_names.hpp"

namespace emvk::jit {

namespace {

// The generated code reads DispatchContext's fields at their offsetof(), with these alignments.
static_assert(offsetof(DispatchContext, buffers) % 8 == 0);
static_assert(offsetof(DispatchContext, bufferRanges) % 8 == 0);
static_assert(offsetof(DispatchContext, pushConstants) % 8 == 0);
static_assert(offsetof(DispatchContext, workgroupId) % 4 == 0);
static_assert(offsetof(DispatchContext, numWorkgroups) % 4 == 0);
static_assert(offsetof(DispatchContext, sharedMemory) % 8 == 0);
static_assert(offsetof(DispatchContext, cancel) % 8 == 0);

std::string builtInName(uint32_t builtIn) {
  switch (builtIn) {
    case spv::BuiltInNumWorkgroups:
      return "NumWorkgroups";
    case spv::BuiltInWorkgroupSize:
      return "WorkgroupSize";
    case spv::BuiltInWorkgroupId:
      return "WorkgroupId";
    case spv::BuiltInLocalInvocationId:
      return "LocalInvocationId";
    case spv::BuiltInGlobalInvocationId:
      return "GlobalInvocationId";
    case spv::BuiltInLocalInvocationIndex:
      return "LocalInvocationIndex";
    case spv::BuiltInSubgroupSize:
      return "SubgroupSize";
    case spv::BuiltInNumSubgroups:
      return "NumSubgroups";
    case spv::BuiltInSubgroupId:
      return "SubgroupId";
    case spv::BuiltInSubgroupLocalInvocationId:
      return "SubgroupLocalInvocationId";
    default:
      return std::to_string(builtIn);
  }
}

// void emvk_workgroup(const DispatchContext*), with the builder at its entry.
llvm::Function* createWorkgroupFunction(llvm::Module& module, llvm::IRBuilder<>& builder) {
  auto* type = llvm::FunctionType::get(builder.getVoidTy(), {builder.getPtrTy()}, false);
  auto* function =
      llvm::Function::Create(type, llvm::Function::ExternalLinkage, kWorkgroupSymbol, module);
  function->setDoesNotThrow();
  builder.SetInsertPoint(llvm::BasicBlock::Create(module.getContext(), "entry", function));
  return function;
}

}  // namespace

ShaderTranslator::ShaderTranslator(const SpirvModule& module, const Layout& layout,
                                   const ShaderInterface& interface, llvm::LLVMContext& context,
                                   uint32_t lanes)
    : module_(module),
      layout_(layout),
      interface_(interface),
      context_(context),
      llvm_(std::make_unique<llvm::Module>("emvk.shader", context)),
      builder_(context),
      types_(module, context, lanes),
      lanes_(lanes) {}

Result<std::unique_ptr<llvm::Module>> ShaderTranslator::translate() {
  try {
    emitModule();
  } catch (const Unsupported& unsupported) {
    return Error{VK_ERROR_UNKNOWN, unsupported.why};
  }
  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyModule(*llvm_, &out)) {
    return Error{VK_ERROR_UNKNOWN,
                 "internal error: the translated LLVM IR is invalid: " + problems};
  }
  return std::move(llvm_);
}

void ShaderTranslator::emitModule() {
  const std::array<uint32_t, 3>& size = interface_.localSize;
  groups_ = (size[0] * size[1] * size[2] + lanes_ - 1) / lanes_;
  // A workgroup that is one SIMD group reaches each barrier all at once: nobody to wait for.
  coroutines_ = interface_.hasBarriers && groups_ > 1;
  llvm::Function* group = emitGroupFunction();
  if (coroutines_) {
    emitWorkgroupTurns(group);
  } else {
    emitWorkgroupLoop(group);
  }
}

// ---- The group function -----------------------------------------------------------------------

llvm::Function* ShaderTranslator::emitGroupFunction() {
  llvm::Type* i32 = builder_.getInt32Ty();
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Type* result = coroutines_ ? ptr : builder_.getVoidTy();
  auto* type = llvm::FunctionType::get(result, {ptr, i32}, false);
  auto* function =
      llvm::Function::Create(type, llvm::Function::InternalLinkage, "emvk.group", llvm_.get());
  function->setDoesNotThrow();
  if (coroutines_) {
    function->addFnAttr(llvm::Attribute::PresplitCoroutine);
  } else {
    function->addFnAttr(llvm::Attribute::AlwaysInline);
  }
  dispatch_ = function->getArg(0);
  group_ = function->getArg(1);

  prologue_ = llvm::BasicBlock::Create(context_, "prologue", function);
  auto* start = llvm::BasicBlock::Create(context_, "start", function);
  auto* done = llvm::BasicBlock::Create(context_, "done", function);
  builder_.SetInsertPoint(prologue_);
  if (coroutines_) emitCoroutineFrame(function);
  builder_.CreateBr(start);
  // Allocas, built-ins and variables go before that branch.
  builder_.SetInsertPoint(prologue_->getTerminator());
  emitLaneIds(group_);
  uniformity_ = std::make_unique<Uniformity>(module_, interface_, lanes_);
  emitVariables();
  findCrossBlockIds();

  builder_.SetInsertPoint(start);
  emitSteps(function, done);

  builder_.SetInsertPoint(done);
  if (coroutines_) {
    builder_.CreateBr(coroutine_.finish);
  } else {
    builder_.CreateRetVoid();
  }
  return function;
}

// The coroutine frame of a group that waits at barriers: created here, in the prologue;
// `finish` is its final suspension, after which emvk_workgroup destroys it.
void ShaderTranslator::emitCoroutineFrame(llvm::Function* function) {
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Value* null = llvm::ConstantPointerNull::get(builder_.getPtrTy());
  coroutine_.id = intrinsic(llvm::Intrinsic::coro_id, {builder_.getInt32(32), null, null, null});
  llvm::Value* size = builder_.CreateCall(llvm::Intrinsic::getDeclaration(
      llvm_.get(), llvm::Intrinsic::coro_size, {builder_.getInt64Ty()}));
  // The frame holds vectors: 64-byte alignment, as AVX-512 spills may want it.
  llvm::FunctionCallee alignedAlloc = llvm_->getOrInsertFunction(
      "aligned_alloc", ptr, builder_.getInt64Ty(), builder_.getInt64Ty());
  llvm::Value* rounded = builder_.CreateAnd(builder_.CreateAdd(size, builder_.getInt64(63)),
                                            builder_.getInt64(~uint64_t{63}));
  llvm::Value* memory = builder_.CreateCall(alignedAlloc, {builder_.getInt64(64), rounded});
  coroutine_.handle = intrinsic(llvm::Intrinsic::coro_begin, {coroutine_.id, memory});

  coroutine_.suspend = llvm::BasicBlock::Create(context_, "coro.suspend", function);
  coroutine_.cleanup = llvm::BasicBlock::Create(context_, "coro.cleanup", function);
  coroutine_.finish = llvm::BasicBlock::Create(context_, "coro.finish", function);
  auto* resumedAfterEnd = llvm::BasicBlock::Create(context_, "coro.resumed.after.end", function);
  llvm::IRBuilder<> b(context_);
  llvm::Value* none = llvm::ConstantTokenNone::get(context_);

  b.SetInsertPoint(coroutine_.finish);
  llvm::Value* state =
      b.CreateCall(llvm::Intrinsic::getDeclaration(llvm_.get(), llvm::Intrinsic::coro_suspend),
                   {none, b.getTrue()});
  llvm::SwitchInst* which = b.CreateSwitch(state, coroutine_.suspend, 2);
  which->addCase(b.getInt8(0), resumedAfterEnd);
  which->addCase(b.getInt8(1), coroutine_.cleanup);

  b.SetInsertPoint(coroutine_.cleanup);
  llvm::Value* frame =
      b.CreateCall(llvm::Intrinsic::getDeclaration(llvm_.get(), llvm::Intrinsic::coro_free),
                   {coroutine_.id, coroutine_.handle});
  b.CreateCall(llvm_->getOrInsertFunction("free", b.getVoidTy(), ptr), {frame});
  b.CreateBr(coroutine_.suspend);

  b.SetInsertPoint(coroutine_.suspend);
  b.CreateCall(llvm::Intrinsic::getDeclaration(llvm_.get(), llvm::Intrinsic::coro_end),
               {coroutine_.handle, b.getFalse(), none});
  b.CreateRet(coroutine_.handle);

  b.SetInsertPoint(resumedAfterEnd);
  b.CreateUnreachable();
}

// OpControlBarrier: this group stops here until emvk_workgroup resumes it, which it does only
// once every group of the workgroup has stopped here too.
void ShaderTranslator::emitBarrier() {
  builder_.CreateFence(llvm::AtomicOrdering::AcquireRelease);
  llvm::Value* state = builder_.CreateCall(
      llvm::Intrinsic::getDeclaration(llvm_.get(), llvm::Intrinsic::coro_suspend),
      {llvm::ConstantTokenNone::get(context_), builder_.getFalse()});
  llvm::Function* function = builder_.GetInsertBlock()->getParent();
  auto* resumed = llvm::BasicBlock::Create(context_, "barrier.passed", function);
  llvm::SwitchInst* which = builder_.CreateSwitch(state, coroutine_.suspend, 2);
  which->addCase(builder_.getInt8(0), resumed);
  which->addCase(builder_.getInt8(1), coroutine_.cleanup);
  builder_.SetInsertPoint(resumed);
}

llvm::Value* ShaderTranslator::contextField(size_t offset, llvm::Type* type) {
  llvm::Value* address =
      builder_.CreateConstInBoundsGEP1_64(builder_.getInt8Ty(), dispatch_, offset);
  llvm::LoadInst* load =
      builder_.CreateAlignedLoad(type, address, llvm::Align(type->isPointerTy() ? 8 : 4));
  // The context does not change while the workgroup runs, whatever the shader stores.
  load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context_, {}));
  return load;
}

llvm::AllocaInst* ShaderTranslator::prologueAlloca(llvm::Type* type, uint64_t bytes) {
  llvm::IRBuilder<> atPrologue(prologue_->getTerminator());
  if (bytes) type = llvm::ArrayType::get(atPrologue.getInt8Ty(), bytes);
  llvm::AllocaInst* memory = atPrologue.CreateAlloca(type);
  memory->setAlignment(llvm::Align(64));
  return memory;
}

// The lanes' LocalInvocationIndex, their local ids, and the shapes those have: with a local
// size x that is a multiple of W, a group lies within one row, so its x are consecutive and its
// y and z uniform.
void ShaderTranslator::emitLaneIds(llvm::Value* group) {
  const std::array<uint32_t, 3>& size = interface_.localSize;
  llvm::Type* i32 = builder_.getInt32Ty();
  llvm::Value* first = builder_.CreateMul(group, builder_.getInt32(lanes_));
  laneIndex_ = builder_.CreateAdd(builder_.CreateVectorSplat(lanes_, first), laneSteps(1, i32));
  auto vec = [&](uint32_t v) { return builder_.CreateVectorSplat(lanes_, builder_.getInt32(v)); };
  localId_[0] = builder_.CreateURem(laneIndex_, vec(size[0]));
  localId_[1] = builder_.CreateURem(builder_.CreateUDiv(laneIndex_, vec(size[0])), vec(size[1]));
  localId_[2] = builder_.CreateUDiv(laneIndex_, vec(size[0] * size[1]));
}

// Module-scope variables the entry point uses, made addressable in the prologue.
void ShaderTranslator::emitVariables() {
  llvm::Type* ptr = builder_.getPtrTy();
  for (const Instruction* variable : interface_.variables) {
    auto storage = static_cast<spv::StorageClass>(variable->operand(0));
    Pointer pointer;
    pointer.type = types_.definition(variable->resultType).operand(1);
    pointer.storage = storage;
    pointer.offset = builder_.getInt64(0);
    pointer.shape = Shape{0};
    switch (storage) {
      case spv::StorageClassStorageBuffer:
      case spv::StorageClassUniform: {
        uint64_t index = interface_.bindingOfVariable.at(variable->result);
        llvm::Value* buffers = contextField(offsetof(DispatchContext, buffers), ptr);
        llvm::Value* ranges = contextField(offsetof(DispatchContext, bufferRanges), ptr);
        auto* base = builder_.CreateAlignedLoad(
            ptr, builder_.CreateConstInBoundsGEP1_64(ptr, buffers, index), llvm::Align(8));
        auto* range = builder_.CreateAlignedLoad(
            builder_.getInt64Ty(),
            builder_.CreateConstInBoundsGEP1_64(builder_.getInt64Ty(), ranges, index),
            llvm::Align(8));
        base->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context_, {}));
        range->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context_, {}));
        pointer.base = base;
        pointer.range = range;
        pointer.bound = range;
        break;
      }
      case spv::StorageClassPushConstant:
        pointer.base = contextField(offsetof(DispatchContext, pushConstants), ptr);
        pointer.bound = builder_.getInt64(128);  // DispatchContext::pushConstants
        break;
      case spv::StorageClassWorkgroup:
        pointer.base = builder_.CreateConstInBoundsGEP1_64(
            builder_.getInt8Ty(), contextField(offsetof(DispatchContext, sharedMemory), ptr),
            interface_.sharedOffsets.at(variable->result));
        break;
      case spv::StorageClassPrivate:
        pointer.base = allocateLanePrivate(pointer.type);
        pointer.lanePrivate = true;
        if (variable->operands.size() > 1) {
          mask_ = llvm::Constant::getAllOnesValue(
              llvm::FixedVectorType::get(builder_.getInt1Ty(), lanes_));
          storeAt(pointer, 0, pointer.type, {}, value(variable->operand(1)));
        }
        break;
      case spv::StorageClassInput:
        pointer = builtIn(variable->result);
        break;
      case spv::StorageClassUniformConstant:  // texel buffers (translator_image.cpp)
        emitTexelBufferVariable(*variable);
        continue;
      default:
        fail("variables in storage class " + storageClassName(storage) + " are not supported yet");
    }
    pointers_[variable->result] = pointer;
  }
}

// An Input variable decorated BuiltIn: its value, computed in the prologue, with its shapes.
ShaderTranslator::Pointer ShaderTranslator::builtIn(uint32_t variable) {
  auto builtIn = module_.decorations(variable).get(spv::DecorationBuiltIn);
  if (!builtIn) fail("Input variables other than built-ins are not supported in compute shaders");
  llvm::Type* i32 = builder_.getInt32Ty();
  auto uniform = [&](uint32_t v) {
    return builder_.CreateVectorSplat(lanes_, builder_.getInt32(v));
  };
  const std::array<uint32_t, 3>& size = interface_.localSize;
  Pointer p;
  p.storage = spv::StorageClassInput;
  p.type = types_.definition(module_.definition(variable)->resultType).operand(1);
  // Their shapes: Uniformity::builtInShapes, which the analysis uses too.
  p.builtInShapes = Uniformity::builtInShapes(*builtIn, size, lanes_);
  auto three = [&](llvm::Value* x, llvm::Value* y, llvm::Value* z) {
    p.builtIn = fromComponents({x, y, z});
  };
  auto one = [&](llvm::Value* v) { p.builtIn = v; };
  // A uvec3 of the context, the same in every lane.
  auto fromContext = [&](size_t offset) {
    llvm::Value* v = contextField(offset, llvm::FixedVectorType::get(i32, 3));
    return std::array<llvm::Value*, 3>{
        builder_.CreateVectorSplat(lanes_, builder_.CreateExtractElement(v, uint64_t{0})),
        builder_.CreateVectorSplat(lanes_, builder_.CreateExtractElement(v, uint64_t{1})),
        builder_.CreateVectorSplat(lanes_, builder_.CreateExtractElement(v, uint64_t{2}))};
  };
  switch (*builtIn) {
    case spv::BuiltInLocalInvocationId:
      three(localId_[0], localId_[1], localId_[2]);
      break;
    case spv::BuiltInWorkgroupId: {
      auto id = fromContext(offsetof(DispatchContext, workgroupId));
      three(id[0], id[1], id[2]);
      break;
    }
    case spv::BuiltInNumWorkgroups: {
      auto count = fromContext(offsetof(DispatchContext, numWorkgroups));
      three(count[0], count[1], count[2]);
      break;
    }
    case spv::BuiltInWorkgroupSize:
      three(uniform(size[0]), uniform(size[1]), uniform(size[2]));
      break;
    case spv::BuiltInGlobalInvocationId: {
      auto id = fromContext(offsetof(DispatchContext, workgroupId));
      std::array<llvm::Value*, 3> global;
      for (int i = 0; i < 3; ++i) {
        global[i] = builder_.CreateAdd(builder_.CreateMul(id[i], uniform(size[i])), localId_[i]);
      }
      three(global[0], global[1], global[2]);
      break;
    }
    case spv::BuiltInLocalInvocationIndex:
      one(laneIndex_);
      break;
    // A subgroup is a SIMD group: subgroup g holds invocations g*W ... g*W + W-1.
    case spv::BuiltInSubgroupId:
      one(builder_.CreateVectorSplat(lanes_, group_));
      break;
    case spv::BuiltInNumSubgroups:
      one(uniform(groups_));
      break;
    case spv::BuiltInSubgroupSize:
      one(uniform(lanes_));
      break;
    case spv::BuiltInSubgroupLocalInvocationId:
      one(laneSteps(1, i32));
      break;
    // uvec4 masks of the lanes equal, >=, >, <=, < this one, in x (W <= 32); y, z, w zero.
    case spv::BuiltInSubgroupEqMask:
    case spv::BuiltInSubgroupGeMask:
    case spv::BuiltInSubgroupGtMask:
    case spv::BuiltInSubgroupLeMask:
    case spv::BuiltInSubgroupLtMask: {
      const uint32_t valid = lanes_ >= 32 ? ~0u : (1u << lanes_) - 1;
      llvm::Value* lane = laneSteps(1, i32);
      llvm::Value* eq = builder_.CreateShl(uniform(1), lane);
      llvm::Value* lt = builder_.CreateSub(eq, uniform(1));
      llvm::Value* bits = nullptr;
      switch (*builtIn) {
        case spv::BuiltInSubgroupEqMask:
          bits = eq;
          break;
        case spv::BuiltInSubgroupLtMask:
          bits = lt;
          break;
        case spv::BuiltInSubgroupLeMask:
          bits = builder_.CreateOr(lt, eq);
          break;
        case spv::BuiltInSubgroupGeMask:
          bits = builder_.CreateNot(lt);
          break;
        default:
          bits = builder_.CreateNot(builder_.CreateOr(lt, eq));
          break;
      }
      bits = builder_.CreateAnd(bits, uniform(valid));
      llvm::Value* zero = uniform(0);
      p.builtIn = fromComponents({bits, zero, zero, zero});
      break;
    }
    default:
      fail("built-in " + builtInName(*builtIn) + " is not supported yet");
  }
  return p;
}

// ---- The workgroup function -----------------------------------------------------------------

// No barriers: every group runs to its end, one after another.
void ShaderTranslator::emitWorkgroupLoop(llvm::Function* group) {
  llvm::Function* workgroup = createWorkgroupFunction(*llvm_, builder_);
  llvm::Value* context = workgroup->getArg(0);
  emitCountedLoop(groups_, [&](llvm::Value* g) { builder_.CreateCall(group, {context, g}); });
  builder_.CreateRetVoid();
}

// Barriers: every group is a coroutine. Start them all (each runs to its first barrier), then
// give each a turn until all have finished, then free their frames.
void ShaderTranslator::emitWorkgroupTurns(llvm::Function* group) {
  llvm::Function* workgroup = createWorkgroupFunction(*llvm_, builder_);
  llvm::Value* context = workgroup->getArg(0);
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Value* handles = builder_.CreateAlloca(llvm::ArrayType::get(ptr, groups_));
  llvm::Value* pending = builder_.CreateAlloca(builder_.getInt1Ty());
  auto handle = [&](llvm::Value* index) {
    return builder_.CreateInBoundsGEP(ptr, handles, {index});
  };
  auto call = [&](llvm::Intrinsic::ID id, llvm::Value* h) {
    return builder_.CreateCall(llvm::Intrinsic::getDeclaration(llvm_.get(), id), {h});
  };

  emitCountedLoop(groups_, [&](llvm::Value* g) {
    builder_.CreateStore(builder_.CreateCall(group, {context, g}), handle(g));
  });

  auto* round = llvm::BasicBlock::Create(context_, "round", workgroup);
  auto* finished = llvm::BasicBlock::Create(context_, "finished", workgroup);
  builder_.CreateBr(round);
  builder_.SetInsertPoint(round);
  builder_.CreateStore(builder_.getFalse(), pending);
  emitCountedLoop(groups_, [&](llvm::Value* index) {
    llvm::Value* h = builder_.CreateLoad(ptr, handle(index));
    auto* resume = llvm::BasicBlock::Create(context_, "resume", workgroup);
    auto* next = llvm::BasicBlock::Create(context_, "next", workgroup);
    builder_.CreateCondBr(call(llvm::Intrinsic::coro_done, h), next, resume);
    builder_.SetInsertPoint(resume);
    call(llvm::Intrinsic::coro_resume, h);
    llvm::Value* stillRunning = builder_.CreateNot(call(llvm::Intrinsic::coro_done, h));
    builder_.CreateStore(
        builder_.CreateOr(builder_.CreateLoad(builder_.getInt1Ty(), pending), stillRunning),
        pending);
    builder_.CreateBr(next);
    builder_.SetInsertPoint(next);
  });
  builder_.CreateCondBr(builder_.CreateLoad(builder_.getInt1Ty(), pending), round, finished);

  builder_.SetInsertPoint(finished);
  emitCountedLoop(groups_, [&](llvm::Value* index) {
    call(llvm::Intrinsic::coro_destroy, builder_.CreateLoad(ptr, handle(index)));
  });
  builder_.CreateRetVoid();
}

// for (i = 0; i < count; ++i) body(i), with count >= 1.
void ShaderTranslator::emitCountedLoop(uint32_t count,
                                       const std::function<void(llvm::Value*)>& body) {
  llvm::Function* function = builder_.GetInsertBlock()->getParent();
  llvm::BasicBlock* before = builder_.GetInsertBlock();
  auto* loop = llvm::BasicBlock::Create(context_, "loop", function);
  auto* done = llvm::BasicBlock::Create(context_, "loop.done", function);
  builder_.CreateBr(loop);
  builder_.SetInsertPoint(loop);
  llvm::PHINode* i = builder_.CreatePHI(builder_.getInt32Ty(), 2);
  i->addIncoming(builder_.getInt32(0), before);
  body(i);
  llvm::Value* next = builder_.CreateNUWAdd(i, builder_.getInt32(1));
  i->addIncoming(next, builder_.GetInsertBlock());
  llvm::BranchInst* back =
      builder_.CreateCondBr(builder_.CreateICmpULT(next, builder_.getInt32(count)), loop, done);
  // Copies of a whole group's code buy nothing and cost compile time: no unrolling.
  llvm::MDNode* disable =
      llvm::MDNode::get(context_, {llvm::MDString::get(context_, "llvm.loop.unroll.disable")});
  llvm::MDNode* loopId = llvm::MDNode::getDistinct(context_, {nullptr, disable});
  loopId->replaceOperandWith(0, loopId);
  back->setMetadata(llvm::LLVMContext::MD_loop, loopId);
  builder_.SetInsertPoint(done);
}

// ---- Blocks, masks and control flow ---------------------------------------------------------

// Which ids are used outside the block that defines them (an OpPhi's input counts as used at the
// end of the block it comes from).
void ShaderTranslator::findCrossBlockIds() {
  std::unordered_map<uint32_t, uint32_t> home;  // id -> its block
  for (const Block& block : interface_.entry->blocks) {
    for (const Instruction* in : block.instructions) {
      if (in->result) home[in->result] = block.label;
    }
  }
  auto use = [&](uint32_t id, uint32_t block) {
    auto it = home.find(id);
    if (it != home.end() && it->second != block) crossBlock_.insert(id);
  };
  for (const Block& block : interface_.entry->blocks) {
    for (const Instruction* in : block.instructions) {
      if (in->opcode == spv::OpPhi) {
        for (size_t i = 0; i + 1 < in->operands.size(); i += 2)
          use(in->operand(i), in->operand(i + 1));
        continue;
      }
      for (uint32_t word : in->operands) use(word, block.label);
    }
    if (block.terminator) {
      for (uint32_t word : block.terminator->operands) use(word, block.label);
    }
  }
}

// The blocks in schedule order; `done` follows the last one.
void ShaderTranslator::emitSteps(llvm::Function* function, llvm::BasicBlock* done) {
  llvm::Type* maskType = llvm::FixedVectorType::get(builder_.getInt1Ty(), lanes_);
  done_ = done;
  {
    llvm::IRBuilder<> atPrologue(prologue_->getTerminator());
    llvm::Value* address = atPrologue.CreateConstInBoundsGEP1_64(atPrologue.getInt8Ty(), dispatch_,
                                                                 offsetof(DispatchContext, cancel));
    auto* load = atPrologue.CreateAlignedLoad(atPrologue.getPtrTy(), address, llvm::Align(8));
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context_, {}));
    cancel_ = load;
  }
  std::vector<Step> steps = schedule(*interface_.entry);
  for (const Block& block : interface_.entry->blocks) {
    blocks_[block.label] = &block;
    incoming_[block.label] = prologueAlloca(maskType);
    llvm::IRBuilder<>(prologue_->getTerminator())
        .CreateStore(llvm::Constant::getNullValue(maskType), incoming_[block.label]);
    for (const Instruction* in : block.instructions) {
      if (in->opcode != spv::OpPhi) continue;
      if (types_.opcode(in->resultType) == spv::OpTypePointer) {
        fail("OpPhi of pointers (variable pointers) is not supported yet");
      }
      phiInputs_[in->result] = prologueAlloca(types_.get(in->resultType));
    }
  }
  // The lanes that exist enter the entry block.
  llvm::Value* total = builder_.CreateVectorSplat(
      lanes_, builder_.getInt32(interface_.localSize[0] * interface_.localSize[1] *
                                interface_.localSize[2]));
  {
    llvm::IRBuilder<> atPrologue(prologue_->getTerminator());
    atPrologue.CreateStore(atPrologue.CreateICmpULT(laneIndex_, total),
                           incoming_.at(interface_.entry->blocks.front().label));
  }

  std::vector<llvm::BasicBlock*> entries;
  for (const Step& step : steps) {
    std::string name =
        (step.kind == Step::Kind::Block ? "L" : "loop.end.L") + std::to_string(step.label);
    entries.push_back(llvm::BasicBlock::Create(context_, name, function));
    if (step.kind == Step::Kind::Block) stepBlocks_[step.label] = entries.back();
  }
  entries.push_back(done);
  builder_.CreateBr(entries.front());
  for (size_t i = 0; i < steps.size(); ++i) {
    builder_.SetInsertPoint(entries[i]);
    if (steps[i].kind == Step::Kind::Block) {
      if (size_t end = uniformLoopEnd(steps, i); end != SIZE_MAX) {
        for (size_t k = i + 1; k <= end; ++k) entries[k]->eraseFromParent();
        emitUniformLoop(steps, i, end, entries[end + 1]);
        i = end;
        continue;
      }
      emitBlock(*blocks_.at(steps[i].label), entries[i + 1]);
      continue;
    }
    // The end of a loop's blocks: again, while any lane took a back edge to the header.
    llvm::Value* again = builder_.CreateLoad(maskType, incoming_.at(steps[i].label));
    auto* round = llvm::BasicBlock::Create(context_, "loop.again", function);
    builder_.CreateCondBr(anyLane(again), round, entries[i + 1]);
    builder_.SetInsertPoint(round);
    emitBackEdge(stepBlocks_.at(steps[i].label));
  }
}

// A loop whose every branch is uniform: all its lanes go round together and leave together, so
// it needs no masks inside. If steps[first] heads such a loop, the index of its LoopEnd step.
size_t ShaderTranslator::uniformLoopEnd(const std::vector<Step>& steps, size_t first) {
  const Block& header = *blocks_.at(steps[first].label);
  if (!header.merge || header.merge->opcode != spv::OpLoopMerge) return SIZE_MAX;
  for (size_t k = first; k < steps.size(); ++k) {
    if (steps[k].kind == Step::Kind::LoopEnd) {
      if (steps[k].label == header.label) return k;
      continue;
    }
    const Instruction* t = blocks_.at(steps[k].label)->terminator;
    if (!t) return SIZE_MAX;
    switch (t->opcode) {
      case spv::OpBranch:
      case spv::OpReturn:
      case spv::OpUnreachable:
        break;
      case spv::OpBranchConditional: {
        if (t->operand(1) == t->operand(2)) break;
        std::optional<Shape> shape = shapeOf(t->operand(0));
        if (!shape || !shape->uniform()) return SIZE_MAX;
        break;
      }
      default:
        return SIZE_MAX;
    }
  }
  return SIZE_MAX;
}

// Steps first..end (a uniform loop, above) as ordinary LLVM control flow: the lanes that arrive
// at the header, M, run every block of the loop they reach, with real branches and real back
// edges; exits hand M to the blocks after the loop, which `after` starts.
void ShaderTranslator::emitUniformLoop(const std::vector<Step>& steps, size_t first, size_t end,
                                       llvm::BasicBlock* after) {
  llvm::Type* maskType = llvm::FixedVectorType::get(builder_.getInt1Ty(), lanes_);
  const uint32_t headerLabel = steps[first].label;
  llvm::AllocaInst* arrived = incoming_.at(headerLabel);
  llvm::Value* lanes = builder_.CreateLoad(maskType, arrived);
  builder_.CreateStore(llvm::Constant::getNullValue(maskType), arrived);
  // Two versions: one for a group whose lanes all run (the usual case), where the mask is a
  // constant and every blend, mask test and masked access folds away; one for the others. Big
  // loops get only the second, to keep compile time in check.
  size_t instructions = 0;
  for (size_t k = first; k < end; ++k) {
    if (steps[k].kind == Step::Kind::Block) {
      instructions += blocks_.at(steps[k].label)->instructions.size();
    }
  }
  auto* function = builder_.GetInsertBlock()->getParent();
  auto* some = llvm::BasicBlock::Create(context_, "uniform.loop.some", function);
  builder_.CreateCondBr(anyLane(lanes), some, after);
  builder_.SetInsertPoint(some);
  if (instructions <= kMaxVersionedLoop) {
    auto* all = llvm::BasicBlock::Create(context_, "uniform.loop.all", function);
    auto* partial = llvm::BasicBlock::Create(context_, "uniform.loop.partial", function);
    llvm::Value* full = builder_.CreateICmpEQ(
        laneBits(lanes), llvm::Constant::getAllOnesValue(builder_.getIntNTy(lanes_)));
    builder_.CreateCondBr(full, all, partial);
    builder_.SetInsertPoint(all);
    emitLoopBlocks(steps, first, end, llvm::Constant::getAllOnesValue(maskType), after, "F");
    builder_.SetInsertPoint(partial);
  }
  emitLoopBlocks(steps, first, end, lanes, after, "U");
}

// One version of a uniform loop's blocks, run by `lanes`, from the current insertion point.
void ShaderTranslator::emitLoopBlocks(const std::vector<Step>& steps, size_t first, size_t end,
                                      llvm::Value* lanes, llvm::BasicBlock* after,
                                      const std::string& prefix) {
  llvm::Function* function = builder_.GetInsertBlock()->getParent();
  std::unordered_map<uint32_t, llvm::BasicBlock*> direct;
  for (size_t k = first; k < end; ++k) {
    if (steps[k].kind != Step::Kind::Block) continue;
    direct[steps[k].label] =
        llvm::BasicBlock::Create(context_, prefix + std::to_string(steps[k].label), function);
  }
  builder_.CreateBr(direct.at(steps[first].label));

  for (size_t k = first; k < end; ++k) {
    if (steps[k].kind != Step::Kind::Block) continue;
    const Block& block = *blocks_.at(steps[k].label);
    builder_.SetInsertPoint(direct.at(block.label));
    mask_ = lanes;
    for (const Instruction* in : block.instructions) emitInstruction(*in);
    // An edge: phi inputs, then on inside the loop, or out of it with the loop's lanes.
    auto edge = [&](uint32_t target) {
      if (!blocks_.count(target)) fail("a branch to a label outside the function");
      if (auto inside = direct.find(target); inside != direct.end()) {
        emitPhiInputs(block.label, target, lanes);
        if (target == steps[first].label) {
          emitBackEdge(inside->second);  // round the loop again
        } else {
          builder_.CreateBr(inside->second);
        }
      } else {
        emitEdge(block.label, target, lanes);
        builder_.CreateBr(after);
      }
    };
    const Instruction& t = *block.terminator;
    if (t.opcode == spv::OpBranch) {
      edge(t.operand(0));
    } else if (t.opcode == spv::OpBranchConditional && t.operand(1) == t.operand(2)) {
      edge(t.operand(1));
    } else if (t.opcode == spv::OpBranchConditional) {
      std::optional<Shape> shape = shapeOf(t.operand(0));
      llvm::Value* taken = uniformScalar(operand(t, 0), shape && shape->allLanes);
      auto* yes = llvm::BasicBlock::Create(context_, prefix + ".yes", function);
      auto* no = llvm::BasicBlock::Create(context_, prefix + ".no", function);
      builder_.CreateCondBr(taken, yes, no);
      builder_.SetInsertPoint(yes);
      edge(t.operand(1));
      builder_.SetInsertPoint(no);
      edge(t.operand(2));
    } else {
      builder_.CreateBr(after);  // OpReturn, OpUnreachable: the lanes are done
    }
    for (uint32_t id : blockIds_) values_.erase(id);
    blockIds_.clear();
    blockOffsets_.clear();
  }
}

// A loop's back edge to `header`, unless the watchdog asked the dispatch to stop
// (device/watchdog.hpp): then the group ends here. Every endless execution goes round some loop,
// so this is the one place a runaway shader is caught.
void ShaderTranslator::emitBackEdge(llvm::BasicBlock* header) {
  llvm::LoadInst* word = builder_.CreateAlignedLoad(builder_.getInt32Ty(), cancel_, llvm::Align(4));
  word->setAtomic(llvm::AtomicOrdering::Monotonic);
  llvm::Value* stop = builder_.CreateICmpNE(word, builder_.getInt32(0));
  builder_.CreateCondBr(stop, done_, header);
}

// A block runs for the lanes that arrived at it, or is skipped.
void ShaderTranslator::emitBlock(const Block& block, llvm::BasicBlock* next) {
  llvm::Type* maskType = llvm::FixedVectorType::get(builder_.getInt1Ty(), lanes_);
  llvm::AllocaInst* arrived = incoming_.at(block.label);
  mask_ = builder_.CreateLoad(maskType, arrived);
  builder_.CreateStore(llvm::Constant::getNullValue(maskType), arrived);
  auto* body = llvm::BasicBlock::Create(context_, "L" + std::to_string(block.label) + ".run",
                                        builder_.GetInsertBlock()->getParent());
  builder_.CreateCondBr(anyLane(mask_), body, next);
  builder_.SetInsertPoint(body);

  for (const Instruction* in : block.instructions) emitInstruction(*in);
  if (!block.terminator) fail("a block without a terminator");
  emitTerminator(block);
  builder_.CreateBr(next);

  for (uint32_t id : blockIds_) values_.erase(id);
  blockIds_.clear();
  blockOffsets_.clear();
}

void ShaderTranslator::emitTerminator(const Block& block) {
  const Instruction& in = *block.terminator;
  auto check = [&](uint32_t label) {
    if (!blocks_.count(label)) fail(describeOpcode(in.opcode) + " to a label outside the function");
    return label;
  };
  // Lanes in `condition` (and in the mask), without letting an undefined condition of an
  // inactive lane in: select, not and.
  auto taking = [&](llvm::Value* condition) {
    return builder_.CreateSelect(mask_, condition, llvm::Constant::getNullValue(mask_->getType()));
  };
  switch (in.opcode) {
    case spv::OpBranch:
      return emitEdge(block.label, check(in.operand(0)), mask_);
    case spv::OpBranchConditional: {
      uint32_t yes = check(in.operand(1)), no = check(in.operand(2));
      if (yes == no) return emitEdge(block.label, yes, mask_);
      llvm::Value* condition = operand(in, 0);
      if (std::optional<Shape> shape = shapeOf(in.operand(0)); shape && shape->uniform()) {
        // Every running lane goes the same way: one scalar test, and LLVM sees a plain branch.
        llvm::Value* all = uniformScalar(condition, shape->allLanes);
        llvm::Value* none = llvm::Constant::getNullValue(mask_->getType());
        emitEdge(block.label, yes, builder_.CreateSelect(all, mask_, none));
        return emitEdge(block.label, no, builder_.CreateSelect(all, none, mask_));
      }
      emitEdge(block.label, yes, taking(condition));
      return emitEdge(block.label, no, taking(builder_.CreateNot(condition)));
    }
    case spv::OpSwitch: {
      llvm::Value* selector = operand(in, 0);
      if (!selector->getType()->isIntOrIntVectorTy(32)) fail("OpSwitch on a non-32-bit selector");
      // Each target gets the lanes of its literals; the default the lanes of none.
      std::vector<uint32_t> order;
      std::unordered_map<uint32_t, llvm::Value*> lanes;
      llvm::Value* matched = llvm::Constant::getNullValue(mask_->getType());
      for (size_t i = 2; i + 1 < in.operands.size(); i += 2) {
        llvm::Value* equal = builder_.CreateICmpEQ(
            selector, builder_.CreateVectorSplat(lanes_, builder_.getInt32(in.operand(i))));
        uint32_t target = check(in.operand(i + 1));
        if (!lanes.count(target)) {
          order.push_back(target);
          lanes[target] = equal;
        } else {
          lanes[target] = builder_.CreateOr(lanes[target], equal);
        }
        matched = builder_.CreateOr(matched, equal);
      }
      uint32_t otherwise = check(in.operand(1));
      llvm::Value* none = builder_.CreateNot(matched);
      if (!lanes.count(otherwise)) {
        order.push_back(otherwise);
        lanes[otherwise] = none;
      } else {
        lanes[otherwise] = builder_.CreateOr(lanes[otherwise], none);
      }
      for (uint32_t target : order) emitEdge(block.label, target, taking(lanes[target]));
      return;
    }
    case spv::OpReturn:
    case spv::OpUnreachable:
      return;  // the lanes are done
    default:
      fail("opcode " + describeOpcode(in.opcode) + " is not supported yet");
  }
}

// The lanes `lanes` go from block `from` to block `to`: they write to's phis and wait there.
void ShaderTranslator::emitEdge(uint32_t from, uint32_t to, llvm::Value* lanes) {
  emitPhiInputs(from, to, lanes);
  llvm::AllocaInst* waiting = incoming_.at(to);
  llvm::Value* before = builder_.CreateLoad(waiting->getAllocatedType(), waiting);
  builder_.CreateStore(builder_.CreateOr(before, lanes), waiting);
}

void ShaderTranslator::emitPhiInputs(uint32_t from, uint32_t to, llvm::Value* lanes) {
  for (const Instruction* in : blocks_.at(to)->instructions) {
    if (in->opcode != spv::OpPhi) continue;
    for (size_t i = 0; i + 1 < in->operands.size(); i += 2) {
      if (in->operand(i + 1) != from) continue;
      llvm::AllocaInst* input = phiInputs_.at(in->result);
      if (std::optional<Shape> shape = shapeOf(in->result); shape && shape->allLanes) {
        builder_.CreateStore(value(in->operand(i)), input);  // the same for every lane
        continue;
      }
      llvm::Value* old = builder_.CreateLoad(input->getAllocatedType(), input);
      builder_.CreateStore(blend(lanes, value(in->operand(i)), old), input);
    }
  }
}

// ---- Values ---------------------------------------------------------------------------------

llvm::Value* ShaderTranslator::value(uint32_t id) {
  if (auto it = values_.find(id); it != values_.end()) return it->second;
  if (auto it = variables_.find(id); it != variables_.end()) {
    llvm::Value* v = builder_.CreateLoad(it->second->getAllocatedType(), it->second);
    values_[id] = v;
    blockIds_.push_back(id);
    return v;
  }
  if (pointers_.count(id))
    fail("pointers used as values (variable pointers) are not supported yet");
  return constant(id);
}

// A value of this block; one used in other blocks also goes to its variable, for the running
// lanes (or all lanes, when it has a shape: it is the same function of the lane everywhere).
void ShaderTranslator::define(uint32_t id, llvm::Value* v) {
  values_[id] = v;
  blockIds_.push_back(id);
  if (!crossBlock_.count(id)) return;
  llvm::AllocaInst*& variable = variables_[id];
  if (!variable) variable = prologueAlloca(v->getType());
  if (std::optional<Shape> shape = shapeOf(id); shape && shape->allLanes) {
    builder_.CreateStore(v, variable);
  } else {
    llvm::Value* old = builder_.CreateLoad(v->getType(), variable);
    builder_.CreateStore(blend(mask_, v, old), variable);
  }
}

// Pointers cross blocks like values: their offsets go through a variable.
void ShaderTranslator::definePointer(uint32_t id, Pointer p) {
  pointers_[id] = p;
  blockOffsets_[id] = p.offset;
  if (!crossBlock_.count(id) || llvm::isa<llvm::Constant>(p.offset)) return;
  llvm::AllocaInst*& variable = pointerOffsets_[id];
  if (!variable) variable = prologueAlloca(p.offset->getType());
  if (p.shape && p.shape->allLanes) {
    builder_.CreateStore(p.offset, variable);
  } else {
    llvm::Value* old = builder_.CreateLoad(p.offset->getType(), variable);
    builder_.CreateStore(blend(mask_, p.offset, old), variable);
  }
}

ShaderTranslator::Pointer ShaderTranslator::pointer(uint32_t id) {
  auto it = pointers_.find(id);
  if (it == pointers_.end()) fail("%" + std::to_string(id) + " is not a pointer the JIT knows");
  Pointer p = it->second;
  if (auto here = blockOffsets_.find(id); here != blockOffsets_.end()) {
    p.offset = here->second;
  } else if (auto variable = pointerOffsets_.find(id); variable != pointerOffsets_.end()) {
    p.offset = builder_.CreateLoad(variable->second->getAllocatedType(), variable->second);
    blockOffsets_[id] = p.offset;
  }
  return p;
}

llvm::Constant* ShaderTranslator::constant(uint32_t id) {
  if (auto it = constants_.find(id); it != constants_.end()) return it->second;
  llvm::Constant* c = liftConstant(elementConstant(id));
  constants_[id] = c;
  return c;
}

// One lane's value of a constant.
llvm::Constant* ShaderTranslator::elementConstant(uint32_t id) {
  const Instruction* in = module_.definition(id);
  if (!in) fail("%" + std::to_string(id) + " is used but never defined");
  switch (in->opcode) {
    case spv::OpConstant: {
      // A 64-bit literal takes two words, the low-order one first.
      llvm::Type* type = types_.element(in->resultType);
      unsigned width = type->getScalarSizeInBits();
      uint64_t bits = in->operand(0);
      if (width == 64) {
        if (in->operands.size() < 2) fail("a 64-bit OpConstant with a one-word literal");
        bits |= uint64_t{in->operand(1)} << 32;
      }
      if (type->isFloatingPointTy()) {
        return llvm::ConstantFP::get(
            context_, llvm::APFloat(type->getFltSemantics(), llvm::APInt(width, bits)));
      }
      return llvm::ConstantInt::get(type, bits);
    }
    case spv::OpConstantTrue:
      return builder_.getTrue();
    case spv::OpConstantFalse:
      return builder_.getFalse();
    case spv::OpConstantNull:
    case spv::OpUndef:  // any value will do; zero is reproducible
      return llvm::Constant::getNullValue(types_.element(in->resultType));
    case spv::OpConstantComposite: {
      std::vector<llvm::Constant*> parts;
      for (uint32_t part : in->operands) parts.push_back(elementConstant(part));
      llvm::Type* type = types_.element(in->resultType);
      if (type->isVectorTy()) return llvm::ConstantVector::get(parts);
      if (auto* array = llvm::dyn_cast<llvm::ArrayType>(type)) {
        return llvm::ConstantArray::get(array, parts);
      }
      return llvm::ConstantStruct::get(llvm::cast<llvm::StructType>(type), parts);
    }
    case spv::OpSpecConstantOp:
      fail("OpSpecConstantOp with " + describeOpcode(in->operand(0)) +
           " is not supported yet (it could not be folded)");
    default:
      fail(describeOpcode(in->opcode) + " used as a value is not supported yet");
  }
}

llvm::Constant* ShaderTranslator::splat(llvm::Type* type, double value) {
  return llvm::ConstantFP::get(type, value);
}

llvm::Constant* ShaderTranslator::splatInt(llvm::Type* type, uint64_t value) {
  return llvm::ConstantInt::get(type, value);
}

llvm::Value* ShaderTranslator::index64(uint32_t id) {
  const Instruction* def = module_.definition(id);
  llvm::Value* index = value(id);
  llvm::Type* i64 = llvm::FixedVectorType::get(builder_.getInt64Ty(), lanes_);
  bool isSigned = def && types_.isSigned(def->resultType);
  return isSigned ? builder_.CreateSExt(index, i64) : builder_.CreateZExt(index, i64);
}

// ---- Instructions ---------------------------------------------------------------------------

void ShaderTranslator::emitInstruction(const Instruction& in) {
  if (llvm::Value* result = arithmetic(in)) return define(in.result, result);
  if (llvm::Value* result = composite(in)) return define(in.result, result);
  if (llvm::Value* result = subgroup(in)) return define(in.result, result);
  if (isAtomic(in.opcode)) {
    llvm::Value* result = atomic(in);
    if (in.result) define(in.result, result);
    return;
  }
  if (image(in)) return;
  switch (in.opcode) {
    case spv::OpNop:
    case spv::OpLine:
    case spv::OpNoLine:
    case spv::OpSelectionMerge:
    case spv::OpLoopMerge:
      return;
    case spv::OpUndef:
      return define(in.result, llvm::Constant::getNullValue(types_.get(in.resultType)));
    case spv::OpPhi: {
      llvm::AllocaInst* input = phiInputs_.at(in.result);
      return define(in.result, builder_.CreateLoad(input->getAllocatedType(), input));
    }
    case spv::OpVariable: {
      auto storage = static_cast<spv::StorageClass>(in.operand(0));
      if (storage != spv::StorageClassFunction) fail("a non-Function OpVariable inside a function");
      Pointer p;
      p.type = types_.definition(in.resultType).operand(1);
      p.base = allocateLanePrivate(p.type);
      p.offset = builder_.getInt64(0);
      p.shape = Shape{0};
      p.lanePrivate = true;
      if (in.operands.size() > 1) storeAt(p, 0, p.type, {}, value(in.operand(1)));
      return definePointer(in.result, p);
    }
    case spv::OpAccessChain:
    case spv::OpInBoundsAccessChain:
      return definePointer(in.result, accessChain(in));
    case spv::OpLoad: {
      Pointer p = pointer(in.operand(0));
      return define(in.result, load(p));
    }
    case spv::OpStore:
      return store(pointer(in.operand(0)), operand(in, 1));
    case spv::OpCopyMemory: {
      Pointer target = pointer(in.operand(0));
      return store(target, load(pointer(in.operand(1))));
    }
    case spv::OpCopyObject:
      if (pointers_.count(in.operand(0))) return definePointer(in.result, pointer(in.operand(0)));
      return define(in.result, operand(in, 0));
    case spv::OpArrayLength:
      return define(in.result, arrayLength(in));
    case spv::OpControlBarrier:
      // The lanes of a subgroup run in step: nobody to wait for, but the memory semantics still
      // order this group's accesses against the others', as OpMemoryBarrier does.
      if (isSubgroupScope(module_, in.operand(0)) || !coroutines_) {
        builder_.CreateFence(llvm::AtomicOrdering::AcquireRelease);
        return;
      }
      return emitBarrier();
    case spv::OpMemoryBarrier:
      builder_.CreateFence(llvm::AtomicOrdering::AcquireRelease);
      return;
    case spv::OpExtInst: {
      std::string set = module_.extInstSetName(in.operand(0));
      if (set.rfind("NonSemantic.", 0) == 0) return;  // debug info and the like: no effect
      if (set != "GLSL.std.450") fail("extended instruction set " + set + " is not supported");
      return define(in.result, glslStd450(in));
    }
    default:
      fail("opcode " + describeOpcode(in.opcode) + " is not supported yet");
  }
}

}  // namespace emvk::jit
