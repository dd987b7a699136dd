// Texel buffers: OpTypeImage of Dim Buffer. A uniform texel buffer (Sampled 1, GLSL
// textureBuffer) is read by OpImageFetch; a storage texel buffer (Sampled 2, imageBuffer) by
// OpImageRead, written by OpImageWrite, and reached by OpImageTexelPointer for atomics. Both
// answer OpImageQuerySize. A view's format is known only at dispatch time (a uniform texel
// buffer's SPIR-V names none), so a group's W texels are converted by one call to the runtime
// functions of jit/texel_formats.hpp, with the view's first byte, range and format, which the
// prologue reads from the DispatchContext. Their values are 4 components of 32 bits per lane,
// component-major like every value here. Out-of-range texels read 0 and are not written.
#include <cstddef>

#include "jit/failure.hpp"
#include "jit/spirv_names.hpp"
#include "jit/translator.hpp"

namespace emvk::jit {

static_assert(offsetof(DispatchContext, texelFormats) % 8 == 0);

// A texel buffer variable: its binding's view, loaded in the prologue.
void ShaderTranslator::emitTexelBufferVariable(const Instruction& variable) {
  const uint64_t index = interface_.bindingOfVariable.at(variable.result);
  auto element = [&](size_t field, llvm::Type* type) {
    llvm::Value* array = contextField(field, builder_.getPtrTy());
    llvm::LoadInst* load =
        builder_.CreateAlignedLoad(type, builder_.CreateConstInBoundsGEP1_64(type, array, index),
                                   llvm::Align(type->getPrimitiveSizeInBits() == 32 ? 4 : 8));
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context_, {}));
    return load;
  };
  texelBuffers_[variable.result] = {
      element(offsetof(DispatchContext, buffers), builder_.getPtrTy()),
      element(offsetof(DispatchContext, bufferRanges), builder_.getInt64Ty()),
      element(offsetof(DispatchContext, texelFormats), builder_.getInt32Ty())};
}

const ShaderTranslator::TexelBuffer& ShaderTranslator::texelBuffer(uint32_t id) {
  auto it = texelBuffers_.find(id);
  if (it == texelBuffers_.end()) {
    fail("%" + std::to_string(id) + " is an image that is not a texel buffer variable");
  }
  return it->second;
}

// The texel indexes of the running lanes, as the runtime functions take them.
llvm::Value* ShaderTranslator::texelIndexes(uint32_t coordinate) {
  llvm::Value* indexes = value(coordinate);
  if (indexes->getType() != llvm::FixedVectorType::get(builder_.getInt32Ty(), lanes_)) {
    fail("a texel buffer coordinate that is not a 32-bit integer");
  }
  llvm::AllocaInst* memory = prologueAlloca(indexes->getType());
  builder_.CreateStore(indexes, memory);
  return memory;
}

llvm::Value* ShaderTranslator::readTexels(const Instruction& in) {
  const TexelBuffer& view = texelBuffer(in.operand(0));
  llvm::Type* i32 = builder_.getInt32Ty();
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Type* i64 = builder_.getInt64Ty();
  llvm::FunctionCallee read = llvm_->getOrInsertFunction("emvk_texel_read", builder_.getVoidTy(),
                                                         ptr, i64, i32, ptr, i32, i64, ptr);
  auto* words = llvm::FixedVectorType::get(i32, 4 * lanes_);
  llvm::AllocaInst* values = prologueAlloca(words);
  builder_.CreateCall(
      read, {view.data, view.range, view.format, texelIndexes(in.operand(1)),
             builder_.getInt32(lanes_), builder_.CreateZExt(laneBits(mask_), i64), values});
  llvm::Value* texels = builder_.CreateLoad(words, values);
  // The result may have fewer than 4 components (OpImageRead): the first ones.
  llvm::Type* type = types_.get(in.resultType);
  const uint32_t count = llvm::cast<llvm::FixedVectorType>(type)->getNumElements();
  if (type->getScalarSizeInBits() != 32)
    fail("a texel buffer read of components other than 32-bit");
  if (count < 4 * lanes_) {
    std::vector<int> first(count);
    for (uint32_t i = 0; i < count; ++i) first[i] = static_cast<int>(i);
    texels = builder_.CreateShuffleVector(texels, first);
  }
  return builder_.CreateBitCast(texels, type);
}

void ShaderTranslator::writeTexels(const Instruction& in) {
  const TexelBuffer& view = texelBuffer(in.operand(0));
  llvm::Type* i32 = builder_.getInt32Ty();
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::Type* i64 = builder_.getInt64Ty();
  llvm::Value* texels = operand(in, 2);
  auto* type = llvm::cast<llvm::FixedVectorType>(texels->getType());
  if (type->getScalarSizeInBits() != 32)
    fail("a texel buffer write of components other than 32-bit");
  const uint32_t count = type->getNumElements();
  texels = builder_.CreateBitCast(texels, llvm::FixedVectorType::get(i32, count));
  if (count < 4 * lanes_) {  // fewer than 4 components: the others are 0
    std::vector<int> padded(4 * lanes_);
    for (uint32_t i = 0; i < 4 * lanes_; ++i) padded[i] = static_cast<int>(i < count ? i : count);
    texels = builder_.CreateShuffleVector(texels, llvm::Constant::getNullValue(texels->getType()),
                                          padded);
  }
  llvm::AllocaInst* values = prologueAlloca(texels->getType());
  builder_.CreateStore(texels, values);
  llvm::FunctionCallee write = llvm_->getOrInsertFunction("emvk_texel_write", builder_.getVoidTy(),
                                                          ptr, i64, i32, ptr, i32, i64, ptr);
  builder_.CreateCall(
      write, {view.data, view.range, view.format, texelIndexes(in.operand(1)),
              builder_.getInt32(lanes_), builder_.CreateZExt(laneBits(mask_), i64), values});
}

bool ShaderTranslator::image(const Instruction& in) {
  switch (in.opcode) {
    case spv::OpLoad:
    case spv::OpCopyObject:
      // An image value is its variable's view, the same in every lane.
      if (!texelBuffers_.count(in.operand(0))) return false;
      texelBuffers_[in.result] = texelBuffers_.at(in.operand(0));
      return true;
    case spv::OpImageFetch:
    case spv::OpImageRead:
      define(in.result, readTexels(in));
      return true;
    case spv::OpImageWrite:
      writeTexels(in);
      return true;
    case spv::OpImageQuerySize: {
      const TexelBuffer& view = texelBuffer(in.operand(0));
      llvm::FunctionCallee count = llvm_->getOrInsertFunction(
          "emvk_texel_count", builder_.getInt32Ty(), builder_.getInt64Ty(), builder_.getInt32Ty());
      llvm::Value* texels = builder_.CreateCall(count, {view.range, view.format});
      if (types_.get(in.resultType) != llvm::FixedVectorType::get(builder_.getInt32Ty(), lanes_)) {
        fail("OpImageQuerySize of a texel buffer into other than a 32-bit integer");
      }
      define(in.result, builder_.CreateVectorSplat(lanes_, texels));
      return true;
    }
    case spv::OpImageTexelPointer: {
      // A 32-bit texel of an R32_UINT or R32_SINT view, for OpAtomic* (bounds as for buffers).
      const TexelBuffer& view = texelBuffer(in.operand(0));
      Pointer p;
      p.base = view.data;
      p.bound = view.range;
      p.offset = builder_.CreateMul(index64(in.operand(1)),
                                    builder_.CreateVectorSplat(lanes_, builder_.getInt64(4)));
      p.type = types_.definition(in.resultType).operand(1);
      p.storage = spv::StorageClassImage;
      definePointer(in.result, p);
      return true;
    }
    case spv::OpImage:
    case spv::OpSampledImage:
    case spv::OpImageSampleImplicitLod:
    case spv::OpImageSampleExplicitLod:
    case spv::OpImageGather:
    case spv::OpImageQuerySizeLod:
    case spv::OpImageQueryLevels:
    case spv::OpImageQuerySamples:
      fail("opcode " + describeOpcode(in.opcode) + " is not supported yet (only texel buffers)");
    default:
      return false;
  }
}

}  // namespace emvk::jit
