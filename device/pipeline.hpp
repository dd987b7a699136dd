// VkPipeline (compute). A compute pipeline is a jit::Program — the shader's machine code, made
// when the pipeline is created (from a VkPipelineCache, the disk cache or the JIT), never at the
// first dispatch — and the pipeline layout it was made with.
#pragma once
#include <memory>

#include "device/object.hpp"
#include "jit/jit.hpp"

namespace emvk {

class PipelineLayout;

class ComputePipeline : public Object {
 public:
  explicit ComputePipeline(std::unique_ptr<jit::Program> program)
      : Object(VK_OBJECT_TYPE_PIPELINE), program_(std::move(program)) {}
  const jit::Program& program() const { return *program_; }

 private:
  std::unique_ptr<jit::Program> program_;
};
EMVK_DEFINE_HANDLE(ComputePipeline, VkPipeline, VK_OBJECT_TYPE_PIPELINE)

}  // namespace emvk
