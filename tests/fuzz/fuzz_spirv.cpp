// Fuzz target: vkCreateShaderModule with the input as its SPIR-V, then, if the module is
// accepted, vkCreateComputePipelines on its "main" (the whole JIT: validation, specialisation,
// translation, LLVM). Seeds: the test shaders the build compiles (tests/jit, tests/compute).
// The pipeline is never dispatched: a fuzzed shader may loop forever.
#include <cstring>
#include <vector>

#include "fuzz_driver.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::driver();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::Driver& d = fuzz::driver();
  // pCode must be 4-byte aligned, and codeSize a multiple of 4
  // (VUID-VkShaderModuleCreateInfo-codeSize-01086): a trailing partial word is dropped, as the
  // driver's own check of that rule is a single comparison not worth the fuzzer's time.
  std::vector<uint32_t> words(size / 4);
  if (!words.empty()) std::memcpy(words.data(), data, words.size() * 4);
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  moduleInfo.codeSize = words.size() * 4;
  moduleInfo.pCode = words.data();
  VkShaderModule module = VK_NULL_HANDLE;
  if (d.CreateShaderModule(d.device, &moduleInfo, nullptr, &module) != VK_SUCCESS) return 0;

  // Not VK_NULL_HANDLE to begin with, so that the check below sees what the driver wrote.
  VkPipeline pipeline = reinterpret_cast<VkPipeline>(uintptr_t{0xbad});
  const VkResult result = fuzz::createComputePipeline(d, module, VK_NULL_HANDLE, &pipeline);
  // vkCreateComputePipelines: a pipeline that failed is VK_NULL_HANDLE.
  fuzz::require(result == VK_SUCCESS || pipeline == VK_NULL_HANDLE,
                "a failed pipeline creation left a handle");
  if (pipeline) d.DestroyPipeline(d.device, pipeline, nullptr);
  d.DestroyShaderModule(d.device, module, nullptr);
  return 0;
}
