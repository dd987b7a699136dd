#include "device/render_pass.hpp"

#include <bit>

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "icd/pnext.hpp"

namespace emvk {

RenderPass::RenderPass(const VkRenderPassCreateInfo& info)
    : Object(VK_OBJECT_TYPE_RENDER_PASS),
      attachments_(info.pAttachments, info.pAttachments + info.attachmentCount),
      dependencies_(info.pDependencies, info.pDependencies + info.dependencyCount),
      viewMasks_(info.subpassCount, 0) {
  if (auto* multiview = findInChain<VkRenderPassMultiviewCreateInfo>(info.pNext))
    for (uint32_t i = 0; i < multiview->subpassCount && i < info.subpassCount; ++i)
      viewMasks_[i] = multiview->pViewMasks[i];
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateRenderPass(VkDevice device,
                                                     const VkRenderPassCreateInfo* pCreateInfo,
                                                     const VkAllocationCallbacks*,
                                                     VkRenderPass* pRenderPass) {
  if (auto* multiview = findInChain<VkRenderPassMultiviewCreateInfo>(pCreateInfo->pNext)) {
    for (uint32_t i = 0; i < multiview->subpassCount; ++i) {
      // VkPhysicalDeviceMultiviewProperties::maxMultiviewViewCount is 6: the highest view index
      // is 5.
      if (std::bit_width(multiview->pViewMasks[i]) > 6) {
        EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(fromHandle(device)),
                 "vkCreateRenderPass: subpass ", i, " view mask 0x", std::hex,
                 multiview->pViewMasks[i], " exceeds maxMultiviewViewCount (6)", "");
        return VK_ERROR_INITIALIZATION_FAILED;
      }
    }
  }
  *pRenderPass = release<VkRenderPass>(std::make_unique<RenderPass>(*pCreateInfo));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyRenderPass(VkDevice, VkRenderPass renderPass,
                                                  const VkAllocationCallbacks*) {
  reclaim(renderPass);
}

VKAPI_ATTR void VKAPI_CALL emvk_GetRenderAreaGranularity(VkDevice, VkRenderPass,
                                                         VkExtent2D* pGranularity) {
  *pGranularity = {1, 1};  // a CPU renders any rectangle equally well
}
