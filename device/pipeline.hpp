// VkPipeline (compute) and VkPipelineCache. A compute pipeline is a jit::Program — the shader's
// machine code, compiled when the pipeline is created, never at the first dispatch — and the
// pipeline layout it was made with.
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

// Until the JIT's code can be cached (issue 4, "Caching"), a pipeline cache holds only its header:
// vkGetPipelineCacheData returns the 32-byte header the spec requires, so that data round-trips
// and a foreign blob is recognised — and ignored — by its UUID.
class PipelineCache : public Object {
 public:
  PipelineCache() : Object(VK_OBJECT_TYPE_PIPELINE_CACHE) {}
};
EMVK_DEFINE_HANDLE(PipelineCache, VkPipelineCache, VK_OBJECT_TYPE_PIPELINE_CACHE)

}  // namespace emvk
