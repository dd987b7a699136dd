// OpGroupNonUniform*: operations across the lanes of a subgroup, which is one SIMD group
// (translator.hpp). Only the running lanes (mask_) take part.
#include "jit/failure.hpp"
#include "jit/interface.hpp"
#include "jit/spirv_names.hpp"
#include "jit/translator.hpp"

namespace emvk::jit {

llvm::Value* ShaderTranslator::subgroup(const Instruction& in) {
  switch (in.opcode) {
    case spv::OpGroupNonUniformElect: {
      // Other scopes are not valid for compute shaders under Vulkan.
      if (!isSubgroupScope(module_, in.operand(0))) {
        fail("OpGroupNonUniformElect with a scope other than Subgroup is not supported yet");
      }
      // The lowest running lane.
      llvm::Value* bits = laneBits(mask_);
      llvm::Value* lowest = builder_.CreateAnd(bits, builder_.CreateNeg(bits));
      return builder_.CreateBitCast(lowest, mask_->getType());
    }
    default:
      return nullptr;
  }
}

}  // namespace emvk::jit
