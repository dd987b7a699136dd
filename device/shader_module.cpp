#include "device/shader_module.hpp"

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "jit/jit.hpp"

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreateShaderModule(VkDevice device,
                                                       const VkShaderModuleCreateInfo* pCreateInfo,
                                                       const VkAllocationCallbacks*,
                                                       VkShaderModule* pModule) {
  Device* d = fromHandle(device);
  // VkShaderModuleCreateInfo: codeSize is a whole number of words, and a module has a 5-word
  // header.
  if (pCreateInfo->codeSize % 4 != 0 || pCreateInfo->codeSize < 20) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateShaderModule: codeSize ",
             pCreateInfo->codeSize, " is not a SPIR-V module (a multiple of 4 bytes, 20 at least)");
    return VK_ERROR_UNKNOWN;
  }
  std::vector<uint32_t> words(pCreateInfo->pCode, pCreateInfo->pCode + pCreateInfo->codeSize / 4);
  if (auto valid = jit::validate(words); !valid) {
    EMVK_LOG(&d->instance(), Error, logObject(d),
             "vkCreateShaderModule refused: ", valid.error().why);
    return valid.error().code;
  }
  *pModule = release<VkShaderModule>(std::make_unique<ShaderModule>(std::move(words)));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyShaderModule(VkDevice, VkShaderModule module,
                                                    const VkAllocationCallbacks*) {
  reclaim(module);
}
