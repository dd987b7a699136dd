// VkRenderPass: a description of attachments and subpasses, kept so that multiview (the one
// feature Vulkan 1.1 requires beyond 1.0) is real: view masks are validated and stored. Nothing
// executes a render pass until emvk has a graphics queue.
#pragma once
#include <vector>

#include "device/object.hpp"

namespace emvk {

class RenderPass : public Object {
 public:
  explicit RenderPass(const VkRenderPassCreateInfo& info);

  const std::vector<VkAttachmentDescription>& attachments() const { return attachments_; }
  const std::vector<uint32_t>& viewMasks() const { return viewMasks_; }  // one per subpass

 private:
  std::vector<VkAttachmentDescription> attachments_;
  std::vector<VkSubpassDependency> dependencies_;
  std::vector<uint32_t> viewMasks_;
};
EMVK_DEFINE_HANDLE(RenderPass, VkRenderPass, VK_OBJECT_TYPE_RENDER_PASS)

}  // namespace emvk
