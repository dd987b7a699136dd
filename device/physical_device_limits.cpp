// VkPhysicalDeviceLimits. Where emvk has no such capability yet (images, graphics) the value is the
// minimum the spec's "Required Limits" table demands; limits of features emvk does not report are
// 0. Memory limits are the CPU's: emvk has no hardware ceilings.
#include "device/physical_device.hpp"

namespace emvk {

VkPhysicalDeviceLimits physicalDeviceLimits() {
  constexpr VkSampleCountFlags kOneAndFour = VK_SAMPLE_COUNT_1_BIT | VK_SAMPLE_COUNT_4_BIT;
  return VkPhysicalDeviceLimits{
      .maxImageDimension1D = 4096,
      .maxImageDimension2D = 4096,
      .maxImageDimension3D = 256,
      .maxImageDimensionCube = 4096,
      .maxImageArrayLayers = 256,
      .maxTexelBufferElements = 65536,
      .maxUniformBufferRange = 16384,
      .maxStorageBufferRange = 1u << 27,
      .maxPushConstantsSize = 128,
      .maxMemoryAllocationCount = 1u << 20,
      .maxSamplerAllocationCount = 4000,
      .bufferImageGranularity = 1,  // linear CPU memory: no aliasing penalty between kinds
      .sparseAddressSpaceSize = 0,
      .maxBoundDescriptorSets = 4,
      .maxPerStageDescriptorSamplers = 16,
      .maxPerStageDescriptorUniformBuffers = 12,
      .maxPerStageDescriptorStorageBuffers = 4,
      .maxPerStageDescriptorSampledImages = 16,
      .maxPerStageDescriptorStorageImages = 4,
      .maxPerStageDescriptorInputAttachments = 4,
      .maxPerStageResources = 128,
      .maxDescriptorSetSamplers = 96,
      .maxDescriptorSetUniformBuffers = 72,
      .maxDescriptorSetUniformBuffersDynamic = 8,
      .maxDescriptorSetStorageBuffers = 24,
      .maxDescriptorSetStorageBuffersDynamic = 4,
      .maxDescriptorSetSampledImages = 96,
      .maxDescriptorSetStorageImages = 24,
      .maxDescriptorSetInputAttachments = 4,
      .maxVertexInputAttributes = 16,
      .maxVertexInputBindings = 16,
      .maxVertexInputAttributeOffset = 2047,
      .maxVertexInputBindingStride = 2048,
      .maxVertexOutputComponents = 64,
      .maxTessellationGenerationLevel = 0,
      .maxTessellationPatchSize = 0,
      .maxTessellationControlPerVertexInputComponents = 0,
      .maxTessellationControlPerVertexOutputComponents = 0,
      .maxTessellationControlPerPatchOutputComponents = 0,
      .maxTessellationControlTotalOutputComponents = 0,
      .maxTessellationEvaluationInputComponents = 0,
      .maxTessellationEvaluationOutputComponents = 0,
      .maxGeometryShaderInvocations = 0,
      .maxGeometryInputComponents = 0,
      .maxGeometryOutputComponents = 0,
      .maxGeometryOutputVertices = 0,
      .maxGeometryTotalOutputComponents = 0,
      .maxFragmentInputComponents = 64,
      .maxFragmentOutputAttachments = 4,
      .maxFragmentDualSrcAttachments = 0,
      .maxFragmentCombinedOutputResources = 4,
      // The JIT runs any workgroup up to 1024 invocations (jit/interface.hpp), barriers
      // included (tests/compute/barriers.cpp); shared memory is a per-worker allocation.
      .maxComputeSharedMemorySize = 32768,
      .maxComputeWorkGroupCount = {65535, 65535, 65535},
      .maxComputeWorkGroupInvocations = 1024,
      .maxComputeWorkGroupSize = {1024, 1024, 64},
      .subPixelPrecisionBits = 4,
      .subTexelPrecisionBits = 4,
      .mipmapPrecisionBits = 4,
      .maxDrawIndexedIndexValue = (1u << 24) - 1,
      .maxDrawIndirectCount = 1,
      .maxSamplerLodBias = 2.0f,
      .maxSamplerAnisotropy = 1.0f,
      .maxViewports = 1,
      .maxViewportDimensions = {4096, 4096},
      .viewportBoundsRange = {-8192.0f, 8191.0f},
      .viewportSubPixelBits = 0,
      .minMemoryMapAlignment = 4096,  // mappings are page aligned
      .minTexelBufferOffsetAlignment = 16,
      .minUniformBufferOffsetAlignment = 16,
      .minStorageBufferOffsetAlignment = 16,
      .minTexelOffset = -8,
      .maxTexelOffset = 7,
      .minTexelGatherOffset = 0,
      .maxTexelGatherOffset = 0,
      .minInterpolationOffset = 0.0f,
      .maxInterpolationOffset = 0.0f,
      .subPixelInterpolationOffsetBits = 0,
      .maxFramebufferWidth = 4096,
      .maxFramebufferHeight = 4096,
      .maxFramebufferLayers = 256,
      .framebufferColorSampleCounts = kOneAndFour,
      .framebufferDepthSampleCounts = kOneAndFour,
      .framebufferStencilSampleCounts = kOneAndFour,
      .framebufferNoAttachmentsSampleCounts = kOneAndFour,
      .maxColorAttachments = 4,
      .sampledImageColorSampleCounts = kOneAndFour,
      .sampledImageIntegerSampleCounts = VK_SAMPLE_COUNT_1_BIT,
      .sampledImageDepthSampleCounts = kOneAndFour,
      .sampledImageStencilSampleCounts = kOneAndFour,
      .storageImageSampleCounts = VK_SAMPLE_COUNT_1_BIT,
      .maxSampleMaskWords = 1,
      .timestampComputeAndGraphics = VK_TRUE,
      .timestampPeriod = 1.0f,  // timestamps are CLOCK_MONOTONIC nanoseconds
      .maxClipDistances = 0,
      .maxCullDistances = 0,
      .maxCombinedClipAndCullDistances = 0,
      .discreteQueuePriorities = 2,
      .pointSizeRange = {1.0f, 1.0f},
      .lineWidthRange = {1.0f, 1.0f},
      .pointSizeGranularity = 0.0f,
      .lineWidthGranularity = 0.0f,
      .strictLines = VK_FALSE,
      .standardSampleLocations = VK_FALSE,
      .optimalBufferCopyOffsetAlignment = 1,
      .optimalBufferCopyRowPitchAlignment = 1,
      .nonCoherentAtomSize = 64,  // a cache line; all memory is coherent anyway
  };
}

}  // namespace emvk

namespace emvk {

std::string whyOutsideComputeLimits(const PhysicalDevice& physicalDevice,
                                    const std::array<uint32_t, 3>& localSize, size_t sharedMemory) {
  // The reported limits, so a profile (EMVK_PROFILE) tightens these checks by itself.
  const VkPhysicalDeviceLimits& limits = physicalDevice.properties().limits;
  static constexpr char kAxis[] = "xyz";
  for (int i = 0; i < 3; ++i)
    // VUID-RuntimeSpirv-x-06429, -y-06430, -z-06431.
    if (localSize[i] > limits.maxComputeWorkGroupSize[i])
      return concat("the workgroup's ", kAxis[i], " size ", localSize[i],
                    " exceeds maxComputeWorkGroupSize[", i,
                    "] = ", limits.maxComputeWorkGroupSize[i]);
  // VUID-RuntimeSpirv-x-06432.
  const uint64_t invocations = uint64_t{localSize[0]} * localSize[1] * localSize[2];
  if (invocations > limits.maxComputeWorkGroupInvocations)
    return concat("the workgroup's ", invocations,
                  " invocations exceed maxComputeWorkGroupInvocations = ",
                  limits.maxComputeWorkGroupInvocations);
  // VUID-RuntimeSpirv-Workgroup-06530.
  if (sharedMemory > limits.maxComputeSharedMemorySize)
    return concat("the shader's ", sharedMemory,
                  " bytes of Workgroup memory exceed maxComputeSharedMemorySize = ",
                  limits.maxComputeSharedMemorySize);
  return "";
}

}  // namespace emvk
