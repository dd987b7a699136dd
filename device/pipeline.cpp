#include "device/pipeline.hpp"

#include <cstring>

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/shader_module.hpp"
#include "icd/pnext.hpp"

using namespace emvk;

namespace {

std::vector<jit::SpecializationConstant> specialization(const VkSpecializationInfo* info) {
  std::vector<jit::SpecializationConstant> constants;
  if (!info) return constants;
  auto* data = static_cast<const uint8_t*>(info->pData);
  for (uint32_t i = 0; i < info->mapEntryCount; ++i) {
    const VkSpecializationMapEntry& e = info->pMapEntries[i];
    constants.push_back({e.constantID, {data + e.offset, data + e.offset + e.size}});
  }
  return constants;
}

Result<std::unique_ptr<jit::Program>> compileStage(const VkPipelineShaderStageCreateInfo& stage) {
  if (stage.stage != VK_SHADER_STAGE_COMPUTE_BIT)
    return Error{VK_ERROR_UNKNOWN,
                 "a compute pipeline's stage must be VK_SHADER_STAGE_COMPUTE_BIT"};
  std::span<const uint32_t> words;
  if (stage.module) {
    words = fromHandle(stage.module)->words();
  } else if (auto* inline_ = findInChain<VkShaderModuleCreateInfo>(stage.pNext)) {
    // A module's create info chained into the stage instead of a module (VK_KHR_maintenance5
    // style).
    words = {inline_->pCode, inline_->codeSize / 4};
  } else {
    return Error{VK_ERROR_UNKNOWN, "the stage names no shader module"};
  }
  return jit::Program::compile(words, stage.pName, specialization(stage.pSpecializationInfo));
}

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL
emvk_CreateComputePipelines(VkDevice device, VkPipelineCache, uint32_t count,
                            const VkComputePipelineCreateInfo* pCreateInfos,
                            const VkAllocationCallbacks*, VkPipeline* pPipelines) {
  Device* d = fromHandle(device);
  VkResult result = VK_SUCCESS;
  for (uint32_t i = 0; i < count; ++i) {
    pPipelines[i] = VK_NULL_HANDLE;
    auto program = compileStage(pCreateInfos[i].stage);
    if (!program) {
      EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateComputePipelines: pipeline ", i,
               " (entry point \"", pCreateInfos[i].stage.pName,
               "\") cannot be compiled: ", program.error().why);
      result = program.error().code;
      // VkPipelineCreateFlags: EARLY_RETURN_ON_FAILURE stops at the first failure; otherwise the
      // others are still made, and the failed ones stay VK_NULL_HANDLE.
      if (pCreateInfos[i].flags & VK_PIPELINE_CREATE_EARLY_RETURN_ON_FAILURE_BIT) break;
      continue;
    }
    pPipelines[i] = release<VkPipeline>(std::make_unique<ComputePipeline>(program.take()));
  }
  return result;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyPipeline(VkDevice, VkPipeline pipeline,
                                                const VkAllocationCallbacks*) {
  reclaim(pipeline);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_CreatePipelineCache(VkDevice, const VkPipelineCacheCreateInfo*,
                                                        const VkAllocationCallbacks*,
                                                        VkPipelineCache* pCache) {
  // Initial data of any origin is accepted and ignored: it can only speed things up (section
  // "Pipeline Cache"), and this cache keeps nothing yet.
  *pCache = release<VkPipelineCache>(std::make_unique<PipelineCache>());
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyPipelineCache(VkDevice, VkPipelineCache cache,
                                                     const VkAllocationCallbacks*) {
  reclaim(cache);
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_GetPipelineCacheData(VkDevice device, VkPipelineCache,
                                                         size_t* pDataSize, void* pData) {
  // VkPipelineCacheHeaderVersionOne: length, version, vendorID, deviceID, pipelineCacheUUID.
  struct Header {
    uint32_t length, version, vendorID, deviceID;
    uint8_t uuid[VK_UUID_SIZE];
  } header{32, VK_PIPELINE_CACHE_HEADER_VERSION_ONE, 0, 0, {}};
  const VkPhysicalDeviceProperties& p = fromHandle(device)->physicalDevice().properties();
  header.vendorID = p.vendorID;
  header.deviceID = p.deviceID;
  std::memcpy(header.uuid, p.pipelineCacheUUID, VK_UUID_SIZE);
  if (!pData) {
    *pDataSize = sizeof(header);
    return VK_SUCCESS;
  }
  if (*pDataSize < sizeof(header)) {
    *pDataSize = 0;  // vkGetPipelineCacheData: nothing is written when the header does not fit
    return VK_INCOMPLETE;
  }
  std::memcpy(pData, &header, sizeof(header));
  *pDataSize = sizeof(header);
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_MergePipelineCaches(VkDevice, VkPipelineCache, uint32_t,
                                                        const VkPipelineCache*) {
  return VK_SUCCESS;  // nothing to merge yet
}
