// VkPipelineCache: the machine code of compute pipelines, kept by the application. Its contents
// are a jit::CodeCache (artefacts filed under their keys); this class adds what Vulkan asks of
// it: the VkPipelineCacheHeaderVersionOne header in front of vkGetPipelineCacheData's blob, and
// the check of that header when a cache is created from such a blob (docs/SHADER_CACHE.md).
#pragma once
#include <span>

#include "device/object.hpp"
#include "jit/code_cache.hpp"

namespace emvk {

class Device;

class PipelineCache : public Object {
 public:
  PipelineCache() : Object(VK_OBJECT_TYPE_PIPELINE_CACHE) {}

  // Fills the cache from vkGetPipelineCacheData's blob. A blob of another driver, device or
  // build, or a damaged one, leaves the cache empty: the answer is why (empty when accepted).
  std::string load(const Device& device, std::span<const uint8_t> blob);
  // The size of the whole blob, and the blob itself: the header, then whole entry records while
  // they fit in `capacity` bytes; `complete` says whether every entry fit.
  size_t dataSize() const;
  std::vector<uint8_t> data(const Device& device, size_t capacity, bool& complete) const;

  jit::CodeCache& code() { return code_; }
  const jit::CodeCache& code() const { return code_; }

 private:
  // Locks itself, so that several threads may share one cache (section "Pipeline Cache"); with
  // VK_PIPELINE_CACHE_CREATE_EXTERNALLY_SYNCHRONIZED_BIT the lock is merely never contended.
  jit::CodeCache code_;
};
EMVK_DEFINE_HANDLE(PipelineCache, VkPipelineCache, VK_OBJECT_TYPE_PIPELINE_CACHE)

}  // namespace emvk
