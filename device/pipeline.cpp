#include "device/pipeline.hpp"

#include <chrono>
#include <cstring>
#include <new>

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"
#include "device/physical_device.hpp"
#include "device/pipeline_cache.hpp"
#include "device/shader_module.hpp"
#include "device/trace.hpp"
#include "icd/pnext.hpp"
#include "jit/disk_cache.hpp"

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

// What pipeline creation compiles: the stage's SPIR-V, entry point and specialisation.
struct StageSource {
  std::span<const uint32_t> words;
  std::string entry;
  std::vector<jit::SpecializationConstant> specialization;
};

Result<StageSource> stageSource(const VkPipelineShaderStageCreateInfo& stage) {
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
  return StageSource{words, stage.pName, specialization(stage.pSpecializationInfo)};
}

// A program from an artefact a cache held; null (and a message) if it cannot be linked.
std::unique_ptr<jit::Program> loadCached(const Device& d, const jit::Artefact& artefact,
                                         const std::string& name, const char* where) {
  auto program = jit::Program::load(artefact);
  // An entry whose workgroup is outside the reported limits (damaged, or stored before a
  // profile lowered them) is compiled afresh, and the compiled program is checked in turn.
  if (program) {
    const jit::Program& p = *program.value();
    std::string why =
        whyOutsideComputeLimits(d.physicalDevice(), p.localSize(), p.sharedMemorySize());
    if (!why.empty()) program = Error{VK_ERROR_UNKNOWN, std::move(why)};
  }
  if (program) {
    EMVK_LOG(&d.instance(), Info, logObject(&d), name, ": machine code from the ", where);
    return program.take();
  }
  EMVK_LOG(&d.instance(), Warn, logObject(&d), name, ": the ", where,
           "'s machine code cannot be linked, compiling instead: ", program.error().why);
  return nullptr;
}

// The stage's program: from `cache`, else from the disk cache, else compiled by the JIT (docs/
// SHADER_CACHE.md). Each pipeline logs (Info) where its code came from; the tests read that. A
// disk cache problem is logged and never fails the creation.
Result<std::unique_ptr<jit::Program>> buildProgram(const Device& d, PipelineCache* cache,
                                                   const VkPipelineShaderStageCreateInfo& stage) {
  auto source = stageSource(stage);
  if (!source) return source.error();
  const StageSource& s = source.value();
  // VUID-VkShaderModuleCreateInfo-pCode-08740: each capability's feature is enabled (or its
  // subgroup operation reported). Checked before the caches: cached code is no excuse.
  if (std::string missing = missingShaderFeature(s.words, d.shaderFeatures()); !missing.empty())
    return Error{VK_ERROR_UNKNOWN, "the shader's " + missing};
  const jit::CacheKey key =
      jit::cacheKey(s.words, s.entry, s.specialization,
                    std::span<const uint8_t, VK_UUID_SIZE>(
                        d.physicalDevice().properties().pipelineCacheUUID, VK_UUID_SIZE));
  const std::string name = "pipeline " + jit::toHex(key, 8);
  trace::Span span("jit", "build " + name);
  if (span) {
    span.args().add("entry", s.entry).add("spirvBytes", uint64_t(s.words.size() * 4));
    span.args().add("specializationConstants", s.specialization.size());
  }
  if (cache) {
    if (jit::Artefact artefact = cache->code().find(key)) {
      if (auto program = loadCached(d, artefact, name, "pipeline cache")) {
        if (span) span.args().add("code", "from the VkPipelineCache");
        return program;
      }
    }
  }
  const std::optional<jit::DiskCache> disk = jit::DiskCache::fromEnvironment();
  if (disk) {
    jit::DiskCache::Lookup found = disk->load(key);
    if (!found.problem.empty())
      EMVK_LOG(&d.instance(), Warn, logObject(&d), name, ": ", found.problem);
    if (found.artefact) {
      if (auto program = loadCached(d, found.artefact, name, "disk cache")) {
        if (cache) cache->code().insert(key, found.artefact);
        if (span) span.args().add("code", "from the disk cache");
        return program;
      }
    }
  }

  const auto start = std::chrono::steady_clock::now();
  auto program = [&] {
    trace::Span compile("jit", "compile (SPIR-V -> LLVM -> machine code)");
    return jit::Program::compile(s.words, s.entry, s.specialization);
  }();
  if (!program) return program.error();
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  if (span) span.args().add("code", "compiled by LLVM").add("compileMs", took.count());
  EMVK_LOG(&d.instance(), Info, logObject(&d), name, ": compiled by LLVM in ", took.count(), " ms");
  const jit::Artefact& artefact = program.value()->artefact();
  if (cache) cache->code().insert(key, artefact);
  if (disk) {
    const std::string problem = disk->store(key, artefact);
    if (!problem.empty()) EMVK_LOG(&d.instance(), Warn, logObject(&d), name, ": ", problem);
  }
  return program;
}

// No exception may leave the driver: the caches' containers and paths can still throw bad_alloc.
Result<std::unique_ptr<jit::Program>> buildProgramSafely(
    const Device& d, PipelineCache* cache, const VkPipelineShaderStageCreateInfo& stage) {
  try {
    return buildProgram(d, cache, stage);
  } catch (const std::bad_alloc&) {
    return Error{VK_ERROR_OUT_OF_HOST_MEMORY, "out of memory while creating a pipeline"};
  } catch (const std::exception& e) {
    return Error{VK_ERROR_UNKNOWN, std::string("pipeline creation failed: ") + e.what()};
  }
}

}  // namespace

VKAPI_ATTR VkResult VKAPI_CALL
emvk_CreateComputePipelines(VkDevice device, VkPipelineCache pipelineCache, uint32_t count,
                            const VkComputePipelineCreateInfo* pCreateInfos,
                            const VkAllocationCallbacks*, VkPipeline* pPipelines) {
  Device* d = fromHandle(device);
  VkResult result = VK_SUCCESS;
  for (uint32_t i = 0; i < count; ++i) {
    pPipelines[i] = VK_NULL_HANDLE;
    auto program = buildProgramSafely(*d, fromHandle(pipelineCache), pCreateInfos[i].stage);
    // The reported compute limits (EMVK_PROFILE may lower them).
    if (program) {
      const jit::Program& p = *program.value();
      std::string why =
          whyOutsideComputeLimits(d->physicalDevice(), p.localSize(), p.sharedMemorySize());
      if (!why.empty()) program = Error{VK_ERROR_UNKNOWN, std::move(why)};
    }
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
