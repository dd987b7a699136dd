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
                                   const ShaderInterface& interface, llvm::LLVMContext& context)
    : module_(module),
      layout_(layout),
      interface_(interface),
      context_(context),
      llvm_(std::make_unique<llvm::Module>("emvk.shader", context)),
      builder_(context),
      types_(module, context) {}

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
  llvm::Function* invocation = emitInvocation();
  if (interface_.hasBarriers) {
    emitWorkgroupTurns(invocation);
  } else {
    emitWorkgroupLoop(invocation);
  }
}

// ---- The invocation function ----------------------------------------------------------------

llvm::Function* ShaderTranslator::emitInvocation() {
  llvm::Type* i32 = builder_.getInt32Ty();
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Type* result = interface_.hasBarriers ? ptr : builder_.getVoidTy();
  auto* type = llvm::FunctionType::get(result, {ptr, i32, i32, i32}, false);
  auto* function =
      llvm::Function::Create(type, llvm::Function::InternalLinkage, "emvk.invocation", llvm_.get());
  function->setDoesNotThrow();
  if (interface_.hasBarriers) {
    function->addFnAttr(llvm::Attribute::PresplitCoroutine);
  } else {
    function->addFnAttr(llvm::Attribute::AlwaysInline);
  }
  dispatch_ = function->getArg(0);
  for (int i = 0; i < 3; ++i) localId_[i] = function->getArg(1 + i);

  prologue_ = llvm::BasicBlock::Create(context_, "prologue", function);
  for (const Block& block : interface_.entry->blocks) {
    blocks_[block.label] =
        llvm::BasicBlock::Create(context_, "L" + std::to_string(block.label), function);
  }
  builder_.SetInsertPoint(prologue_);
  if (interface_.hasBarriers) emitCoroutineFrame(function);
  builder_.CreateBr(blocks_.at(interface_.entry->blocks.front().label));
  // Allocas and built-ins go before that branch (allocate(), emitVariables()).
  builder_.SetInsertPoint(prologue_->getTerminator());
  emitVariables();

  for (const Block& block : interface_.entry->blocks) emitBlock(block);
  fillPhis();
  return function;
}

// The coroutine frame of an invocation that waits at barriers: created here, in the prologue;
// `finish` is its final suspension (OpReturn), after which emvk_workgroup destroys it.
void ShaderTranslator::emitCoroutineFrame(llvm::Function* function) {
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Value* null = llvm::ConstantPointerNull::get(builder_.getPtrTy());
  coroutine_.id = intrinsic(llvm::Intrinsic::coro_id, {builder_.getInt32(16), null, null, null});
  llvm::Value* size = builder_.CreateCall(llvm::Intrinsic::getDeclaration(
      llvm_.get(), llvm::Intrinsic::coro_size, {builder_.getInt64Ty()}));
  llvm::FunctionCallee malloc = llvm_->getOrInsertFunction("malloc", ptr, builder_.getInt64Ty());
  llvm::Value* memory = builder_.CreateCall(malloc, {size});
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

// OpControlBarrier: this invocation stops here until emvk_workgroup resumes it, which it does only
// once every invocation of the workgroup has stopped here too.
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
  return builder_.CreateAlignedLoad(type, address, llvm::Align(type->isPointerTy() ? 8 : 4));
}

// Module-scope variables the entry point uses, made addressable in the prologue.
void ShaderTranslator::emitVariables() {
  llvm::Type* ptr = builder_.getPtrTy();
  for (const Instruction* variable : interface_.variables) {
    auto storage = static_cast<spv::StorageClass>(variable->operand(0));
    Pointer pointer;
    pointer.type = types_.definition(variable->resultType).operand(1);
    switch (storage) {
      case spv::StorageClassStorageBuffer:
      case spv::StorageClassUniform: {
        uint64_t index = interface_.bindingOfVariable.at(variable->result);
        llvm::Value* buffers = contextField(offsetof(DispatchContext, buffers), ptr);
        llvm::Value* ranges = contextField(offsetof(DispatchContext, bufferRanges), ptr);
        pointer.address = builder_.CreateAlignedLoad(
            ptr, builder_.CreateConstInBoundsGEP1_64(ptr, buffers, index), llvm::Align(8));
        pointer.range = builder_.CreateAlignedLoad(
            builder_.getInt64Ty(),
            builder_.CreateConstInBoundsGEP1_64(builder_.getInt64Ty(), ranges, index),
            llvm::Align(8));
        break;
      }
      case spv::StorageClassPushConstant:
        pointer.address = contextField(offsetof(DispatchContext, pushConstants), ptr);
        break;
      case spv::StorageClassWorkgroup:
        pointer.address = builder_.CreateConstInBoundsGEP1_64(
            builder_.getInt8Ty(), contextField(offsetof(DispatchContext, sharedMemory), ptr),
            interface_.sharedOffsets.at(variable->result));
        break;
      case spv::StorageClassPrivate:
        pointer.address = allocate(pointer.type);
        if (variable->operands.size() > 1) {
          storeAt(pointer.address, pointer.type, 0, value(variable->operand(1)));
        }
        break;
      case spv::StorageClassInput:
        pointer.address = allocate(pointer.type);
        storeAt(pointer.address, pointer.type, 0, builtIn(variable->result));
        break;
      default:
        fail("variables in storage class " + storageClassName(storage) + " are not supported yet");
    }
    pointers_[variable->result] = pointer;
  }
}

// The value of an Input variable decorated BuiltIn.
llvm::Value* ShaderTranslator::builtIn(uint32_t variable) {
  auto builtIn = module_.decorations(variable).get(spv::DecorationBuiltIn);
  if (!builtIn) fail("Input variables other than built-ins are not supported in compute shaders");
  llvm::Type* uvec3 = llvm::FixedVectorType::get(builder_.getInt32Ty(), 3);
  auto vector = [&](llvm::Value* x, llvm::Value* y, llvm::Value* z) {
    llvm::Value* v = llvm::PoisonValue::get(uvec3);
    v = builder_.CreateInsertElement(v, x, uint64_t{0});
    v = builder_.CreateInsertElement(v, y, uint64_t{1});
    return builder_.CreateInsertElement(v, z, uint64_t{2});
  };
  const std::array<uint32_t, 3>& size = interface_.localSize;
  switch (*builtIn) {
    case spv::BuiltInLocalInvocationId:
      return vector(localId_[0], localId_[1], localId_[2]);
    case spv::BuiltInWorkgroupId:
      return contextField(offsetof(DispatchContext, workgroupId), uvec3);
    case spv::BuiltInNumWorkgroups:
      return contextField(offsetof(DispatchContext, numWorkgroups), uvec3);
    case spv::BuiltInWorkgroupSize:
      return vector(builder_.getInt32(size[0]), builder_.getInt32(size[1]),
                    builder_.getInt32(size[2]));
    case spv::BuiltInGlobalInvocationId: {
      llvm::Value* group = contextField(offsetof(DispatchContext, workgroupId), uvec3);
      llvm::Value* sizes = vector(builder_.getInt32(size[0]), builder_.getInt32(size[1]),
                                  builder_.getInt32(size[2]));
      return builder_.CreateAdd(builder_.CreateMul(group, sizes),
                                vector(localId_[0], localId_[1], localId_[2]));
    }
    // A subgroup is one invocation (isSubgroupScope in interface.hpp): each invocation is
    // subgroup number LocalInvocationIndex of x*y*z, and is lane 0 of a subgroup of 1.
    case spv::BuiltInLocalInvocationIndex:
    case spv::BuiltInSubgroupId: {
      llvm::Value* z = builder_.CreateMul(localId_[2], builder_.getInt32(size[0] * size[1]));
      llvm::Value* y = builder_.CreateMul(localId_[1], builder_.getInt32(size[0]));
      return builder_.CreateAdd(builder_.CreateAdd(z, y), localId_[0]);
    }
    case spv::BuiltInNumSubgroups:
      return builder_.getInt32(size[0] * size[1] * size[2]);
    case spv::BuiltInSubgroupSize:
      return builder_.getInt32(1);
    case spv::BuiltInSubgroupLocalInvocationId:
      return builder_.getInt32(0);
    default:
      fail("built-in " + builtInName(*builtIn) + " is not supported yet");
  }
}

// ---- The workgroup function -----------------------------------------------------------------

// No barriers: every invocation runs to its end, one after another.
void ShaderTranslator::emitWorkgroupLoop(llvm::Function* invocation) {
  llvm::Function* workgroup = createWorkgroupFunction(*llvm_, builder_);
  llvm::Value* context = workgroup->getArg(0);
  const std::array<uint32_t, 3>& size = interface_.localSize;
  emitCountedLoop(size[2], [&](llvm::Value* z) {
    emitCountedLoop(size[1], [&](llvm::Value* y) {
      emitCountedLoop(size[0], [&](llvm::Value* x) {
        builder_.CreateCall(invocation, {context, x, y, z});
      });
    });
  });
  builder_.CreateRetVoid();
}

// Barriers: every invocation is a coroutine. Start them all (each runs to its first barrier),
// then give each a turn until all have finished, then free their frames.
void ShaderTranslator::emitWorkgroupTurns(llvm::Function* invocation) {
  llvm::Function* workgroup = createWorkgroupFunction(*llvm_, builder_);
  llvm::Value* context = workgroup->getArg(0);
  const std::array<uint32_t, 3>& size = interface_.localSize;
  uint32_t count = size[0] * size[1] * size[2];
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Value* handles = builder_.CreateAlloca(llvm::ArrayType::get(ptr, count));
  llvm::Value* pending = builder_.CreateAlloca(builder_.getInt1Ty());
  auto handle = [&](llvm::Value* index) {
    return builder_.CreateInBoundsGEP(ptr, handles, {index});
  };
  auto call = [&](llvm::Intrinsic::ID id, llvm::Value* h) {
    return builder_.CreateCall(llvm::Intrinsic::getDeclaration(llvm_.get(), id), {h});
  };

  emitCountedLoop(size[2], [&](llvm::Value* z) {
    emitCountedLoop(size[1], [&](llvm::Value* y) {
      emitCountedLoop(size[0], [&](llvm::Value* x) {
        llvm::Value* index = builder_.CreateAdd(
            builder_.CreateMul(z, builder_.getInt32(size[0] * size[1])),
            builder_.CreateAdd(builder_.CreateMul(y, builder_.getInt32(size[0])), x));
        builder_.CreateStore(builder_.CreateCall(invocation, {context, x, y, z}), handle(index));
      });
    });
  });

  auto* round = llvm::BasicBlock::Create(context_, "round", workgroup);
  auto* finished = llvm::BasicBlock::Create(context_, "finished", workgroup);
  builder_.CreateBr(round);
  builder_.SetInsertPoint(round);
  builder_.CreateStore(builder_.getFalse(), pending);
  emitCountedLoop(count, [&](llvm::Value* index) {
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
  emitCountedLoop(count, [&](llvm::Value* index) {
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
  builder_.CreateCondBr(builder_.CreateICmpULT(next, builder_.getInt32(count)), loop, done);
  builder_.SetInsertPoint(done);
}

// ---- Blocks and control flow ----------------------------------------------------------------

void ShaderTranslator::emitBlock(const Block& block) {
  builder_.SetInsertPoint(blocks_.at(block.label));
  for (const Instruction* in : block.instructions) emitInstruction(*in);
  if (!block.terminator) fail("a block without a terminator");
  blockEnds_[block.label] = builder_.GetInsertBlock();
  emitTerminator(*block.terminator);
}

void ShaderTranslator::emitTerminator(const Instruction& in) {
  auto target = [&](size_t i) {
    auto it = blocks_.find(in.operand(i));
    if (it == blocks_.end()) fail(describeOpcode(in.opcode) + " to a label outside the function");
    return it->second;
  };
  switch (in.opcode) {
    case spv::OpBranch:
      builder_.CreateBr(target(0));
      return;
    case spv::OpBranchConditional:
      if (in.operand(1) == in.operand(2)) {
        builder_.CreateBr(target(1));
      } else {
        builder_.CreateCondBr(operand(in, 0), target(1), target(2));
      }
      return;
    case spv::OpSwitch: {
      llvm::Value* selector = operand(in, 0);
      if (!selector->getType()->isIntegerTy(32)) fail("OpSwitch on a non-32-bit selector");
      llvm::SwitchInst* s = builder_.CreateSwitch(selector, target(1));
      for (size_t i = 2; i + 1 < in.operands.size(); i += 2) {
        llvm::ConstantInt* literal = builder_.getInt32(in.operand(i));
        if (s->findCaseValue(literal) == s->case_default()) s->addCase(literal, target(i + 1));
      }
      return;
    }
    case spv::OpReturn:
      if (interface_.hasBarriers) {
        builder_.CreateBr(coroutine_.finish);
      } else {
        builder_.CreateRetVoid();
      }
      return;
    case spv::OpUnreachable:
      builder_.CreateUnreachable();
      return;
    default:
      fail("opcode " + describeOpcode(in.opcode) + " is not supported yet");
  }
}

// Phi operands may come from blocks translated later (loop back edges), so they are filled last.
// An LLVM phi needs one entry per incoming edge: a switch with two cases to the same block gives
// two.
void ShaderTranslator::fillPhis() {
  for (auto [in, phi] : phis_) {
    for (size_t i = 0; i + 1 < in->operands.size(); i += 2) {
      auto end = blockEnds_.find(in->operand(i + 1));
      if (end == blockEnds_.end()) fail("OpPhi names a block that is not its predecessor");
      llvm::Value* incoming = value(in->operand(i));
      llvm::Instruction* terminator = end->second->getTerminator();
      for (unsigned s = 0; terminator && s < terminator->getNumSuccessors(); ++s) {
        if (terminator->getSuccessor(s) == phi->getParent())
          phi->addIncoming(incoming, end->second);
      }
    }
  }
}

// ---- Values ---------------------------------------------------------------------------------

llvm::Value* ShaderTranslator::value(uint32_t id) {
  if (auto it = values_.find(id); it != values_.end()) return it->second;
  if (pointers_.count(id))
    fail("pointers used as values (variable pointers) are not supported yet");
  llvm::Constant* c = constant(id);
  values_[id] = c;
  return c;
}

llvm::Constant* ShaderTranslator::constant(uint32_t id) {
  const Instruction* in = module_.definition(id);
  if (!in) fail("%" + std::to_string(id) + " is used but never defined");
  switch (in->opcode) {
    case spv::OpConstant: {
      // A 64-bit literal takes two words, the low-order one first.
      llvm::Type* type = types_.get(in->resultType);
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
      return llvm::Constant::getNullValue(types_.get(in->resultType));
    case spv::OpConstantComposite: {
      std::vector<llvm::Constant*> parts;
      for (uint32_t part : in->operands) parts.push_back(constant(part));
      llvm::Type* type = types_.get(in->resultType);
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

const ShaderTranslator::Pointer& ShaderTranslator::pointer(uint32_t id) {
  auto it = pointers_.find(id);
  if (it == pointers_.end()) fail("%" + std::to_string(id) + " is not a pointer the JIT knows");
  return it->second;
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
  bool isSigned = def && types_.isSigned(def->resultType);
  return isSigned ? builder_.CreateSExt(index, builder_.getInt64Ty())
                  : builder_.CreateZExt(index, builder_.getInt64Ty());
}

// ---- Instructions ---------------------------------------------------------------------------

void ShaderTranslator::emitInstruction(const Instruction& in) {
  if (llvm::Value* result = arithmetic(in)) return define(in.result, result);
  if (llvm::Value* result = composite(in)) return define(in.result, result);
  switch (in.opcode) {
    case spv::OpNop:
    case spv::OpLine:
    case spv::OpNoLine:
      return;
    case spv::OpUndef:
      return define(in.result, llvm::Constant::getNullValue(types_.get(in.resultType)));
    case spv::OpPhi: {
      if (types_.opcode(in.resultType) == spv::OpTypePointer) {
        fail("OpPhi of pointers (variable pointers) is not supported yet");
      }
      llvm::PHINode* phi = builder_.CreatePHI(types_.get(in.resultType),
                                              static_cast<unsigned>(in.operands.size() / 2));
      phis_.emplace_back(&in, phi);
      return define(in.result, phi);
    }
    case spv::OpVariable: {
      auto storage = static_cast<spv::StorageClass>(in.operand(0));
      if (storage != spv::StorageClassFunction) fail("a non-Function OpVariable inside a function");
      Pointer p;
      p.type = types_.definition(in.resultType).operand(1);
      p.address = allocate(p.type);
      if (in.operands.size() > 1) storeAt(p.address, p.type, 0, value(in.operand(1)));
      pointers_[in.result] = p;
      return;
    }
    case spv::OpAccessChain:
    case spv::OpInBoundsAccessChain:
      pointers_[in.result] = accessChain(in);
      return;
    case spv::OpLoad:
      return define(in.result, load(pointer(in.operand(0))));
    case spv::OpStore:
      return store(pointer(in.operand(0)), operand(in, 1));
    case spv::OpCopyMemory: {
      const Pointer& target = pointer(in.operand(0));
      return store(target, load(pointer(in.operand(1))));
    }
    case spv::OpCopyObject:
      if (pointers_.count(in.operand(0))) {
        pointers_[in.result] = pointer(in.operand(0));
        return;
      }
      return define(in.result, operand(in, 0));
    case spv::OpArrayLength:
      return define(in.result, arrayLength(in));
    case spv::OpAtomicLoad:
    case spv::OpAtomicStore:
    case spv::OpAtomicExchange:
    case spv::OpAtomicCompareExchange:
    case spv::OpAtomicIIncrement:
    case spv::OpAtomicIDecrement:
    case spv::OpAtomicIAdd:
    case spv::OpAtomicISub:
    case spv::OpAtomicSMin:
    case spv::OpAtomicUMin:
    case spv::OpAtomicSMax:
    case spv::OpAtomicUMax:
    case spv::OpAtomicAnd:
    case spv::OpAtomicOr:
    case spv::OpAtomicXor: {
      llvm::Value* result = atomic(in);
      if (in.result) define(in.result, result);
      return;
    }
    case spv::OpControlBarrier:
      // A subgroup is one invocation: nobody to wait for, but its memory semantics still order
      // this invocation's accesses against the others', as OpMemoryBarrier does.
      if (isSubgroupScope(module_, in.operand(0))) {
        builder_.CreateFence(llvm::AtomicOrdering::AcquireRelease);
        return;
      }
      return emitBarrier();
    case spv::OpMemoryBarrier:
      builder_.CreateFence(llvm::AtomicOrdering::AcquireRelease);
      return;
    case spv::OpGroupNonUniformElect:
      // The one invocation of its subgroup is always the one elected. Other scopes are not valid
      // for compute shaders under Vulkan.
      if (!isSubgroupScope(module_, in.operand(0))) {
        fail("OpGroupNonUniformElect with a scope other than Subgroup is not supported yet");
      }
      return define(in.result, builder_.getTrue());
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
