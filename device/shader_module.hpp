// VkShaderModule: the SPIR-V words, validated when the module is created so that a malformed
// module is refused at once with the validator's reason (jit/ compiles it later, per pipeline).
#pragma once
#include <cstdint>
#include <vector>

#include "device/object.hpp"

namespace emvk {

class ShaderModule : public Object {
 public:
  explicit ShaderModule(std::vector<uint32_t> words)
      : Object(VK_OBJECT_TYPE_SHADER_MODULE), words_(std::move(words)) {}
  const std::vector<uint32_t>& words() const { return words_; }

 private:
  std::vector<uint32_t> words_;
};
EMVK_DEFINE_HANDLE(ShaderModule, VkShaderModule, VK_OBJECT_TYPE_SHADER_MODULE)

}  // namespace emvk
