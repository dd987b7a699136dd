// Helpers for the compute tests through the loader: load a shader of tests/compute/shaders
// (compiled by glslc at build time, plain and -O), make a compute pipeline with storage buffers,
// push constants and specialisation constants, record its dispatch, and run a story once per worker
// count. Header-only: tests/CMakeLists.txt globs tests/*/*.cpp into the suite.
#pragma once
#include <vulkan/vulkan.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "harness.hpp"

namespace compute_test {

// glslc's output as-is (locals in memory, no phis) and optimised (-O): drivers see both shapes.
enum class Variant { Plain, Optimized };

inline const char* variantName(Variant v) { return v == Variant::Plain ? "plain" : "optimized"; }

// The words of <build>/tests/compute/shaders/<name>.<variant>.spv.
inline std::vector<uint32_t> spirv(const std::string& name, Variant variant) {
  const std::string path = std::string(std::getenv("EMVK_BINARY_DIR")) + "/tests/compute/shaders/" +
                           name + "." + variantName(variant) + ".spv";
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(path);
  REQUIRE(!bytes.empty());
  std::vector<uint32_t> words(bytes.size() / 4);
  std::memcpy(words.data(), bytes.data(), words.size() * 4);
  return words;
}

// A VkSpecializationInfo built value by value; each value gets its own map entry.
class Specialization {
 public:
  template <class T>
  Specialization& set(uint32_t id, T value) {
    const auto offset = static_cast<uint32_t>(data_.size());
    data_.resize(data_.size() + sizeof(T));
    std::memcpy(data_.data() + offset, &value, sizeof(T));
    entries_.push_back({id, offset, sizeof(T)});
    return *this;
  }
  const VkSpecializationInfo* info() {
    info_ = {static_cast<uint32_t>(entries_.size()), entries_.data(), data_.size(), data_.data()};
    return &info_;
  }

 private:
  std::vector<VkSpecializationMapEntry> entries_;
  std::vector<uint8_t> data_;
  VkSpecializationInfo info_{};
};

// One shader module with descriptors of `types` at set 0, bindings 0, 1, ... (or `bindings` storage
// buffers) and `pushBytes` of push constants: its layouts, one descriptor set and any number of
// pipelines (specialisations).
class Program {
 public:
  Program(test::Device& device, const std::vector<uint32_t>& words, uint32_t bindings,
          uint32_t pushBytes = 0)
      : Program(device, words,
                std::vector<VkDescriptorType>(bindings, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER),
                pushBytes) {}
  Program(test::Device& device, const std::vector<uint32_t>& words,
          const std::vector<VkDescriptorType>& types, uint32_t pushBytes = 0)
      : device_(device.handle) {
    const auto bindings = static_cast<uint32_t>(types.size());
    std::vector<VkDescriptorSetLayoutBinding> slots(bindings);
    std::vector<VkDescriptorPoolSize> sizes(bindings);
    for (uint32_t i = 0; i < bindings; ++i) {
      slots[i] = {i, types[i], 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
      sizes[i] = {types[i], 1};
    }
    VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                            nullptr, 0, bindings, slots.data()};
    REQUIRE(vkCreateDescriptorSetLayout(device_, &setInfo, nullptr, &setLayout_) == VK_SUCCESS);
    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes};
    VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                          nullptr,
                                          0,
                                          1,
                                          &setLayout_,
                                          pushBytes ? 1u : 0u,
                                          &push};
    REQUIRE(vkCreatePipelineLayout(device_, &layoutInfo, nullptr, &layout) == VK_SUCCESS);
    VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, nullptr, 0,
                                        words.size() * 4, words.data()};
    REQUIRE(vkCreateShaderModule(device_, &moduleInfo, nullptr, &module_) == VK_SUCCESS);
    VkDescriptorPoolCreateInfo poolInfo{
        VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, nullptr, 0, 1, bindings, sizes.data()};
    REQUIRE(vkCreateDescriptorPool(device_, &poolInfo, nullptr, &pool_) == VK_SUCCESS);
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, nullptr,
                                      pool_, 1, &setLayout_};
    REQUIRE(vkAllocateDescriptorSets(device_, &alloc, &set_) == VK_SUCCESS);
  }
  ~Program() {
    for (VkPipeline p : pipelines_) vkDestroyPipeline(device_, p, nullptr);
    vkDestroyDescriptorPool(device_, pool_, nullptr);
    vkDestroyShaderModule(device_, module_, nullptr);
    vkDestroyPipelineLayout(device_, layout, nullptr);
    vkDestroyDescriptorSetLayout(device_, setLayout_, nullptr);
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // A pipeline of the module's "main", specialised by `spec` (none: the defaults).
  VkPipeline pipeline(Specialization* spec = nullptr) {
    VkPipeline p = VK_NULL_HANDLE;
    REQUIRE(tryPipeline(&p, spec) == VK_SUCCESS);
    return p;
  }

  // The same for a pipeline that may be refused: vkCreateComputePipelines' result.
  VkResult tryPipeline(VkPipeline* out, Specialization* spec = nullptr) {
    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                  nullptr,
                  0,
                  VK_SHADER_STAGE_COMPUTE_BIT,
                  module_,
                  "main",
                  spec ? spec->info() : nullptr};
    info.layout = layout;
    *out = VK_NULL_HANDLE;
    const VkResult result =
        vkCreateComputePipelines(device_, VK_NULL_HANDLE, 1, &info, nullptr, out);
    if (*out) pipelines_.push_back(*out);
    return result;
  }

  // Points bindings 0, 1, ... at the whole of each buffer, in order.
  void bindBuffers(std::initializer_list<const test::Buffer*> buffers) {
    std::vector<VkDescriptorBufferInfo> infos;
    for (const test::Buffer* b : buffers) infos.push_back({b->buffer, 0, VK_WHOLE_SIZE});
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                               nullptr,
                               set_,
                               0,
                               0,
                               static_cast<uint32_t>(infos.size()),
                               VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                               nullptr,
                               infos.data(),
                               nullptr};
    vkUpdateDescriptorSets(device_, 1, &write, 0, nullptr);
  }

  void bind(VkCommandBuffer cb, VkPipeline p) const {
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set_, 0, nullptr);
  }

  template <class T>
  void push(VkCommandBuffer cb, const T& constants, uint32_t offset = 0) const {
    vkCmdPushConstants(cb, layout, VK_SHADER_STAGE_COMPUTE_BIT, offset, sizeof(T), &constants);
  }

  VkDescriptorSet set() const { return set_; }
  VkPipelineLayout layout = VK_NULL_HANDLE;

 private:
  VkDevice device_;
  VkDescriptorSetLayout setLayout_ = VK_NULL_HANDLE;
  VkShaderModule module_ = VK_NULL_HANDLE;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  VkDescriptorSet set_ = VK_NULL_HANDLE;
  std::vector<VkPipeline> pipelines_;
};

// Shader writes made available to the host (the fence alone covers device access only).
inline void toHost(VkCommandBuffer cb) {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT,
                    VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &b, 0, nullptr, 0, nullptr);
}

// One dispatch's writes visible to the next dispatch's reads and writes.
inline void computeToCompute(VkCommandBuffer cb) {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT,
                    VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &b, 0, nullptr, 0, nullptr);
}

// Runs `story` once with EMVK_THREADS=1 and once with the default worker count (every core). The
// variable is read when a device is created, so `story` makes its own instance and device; it is
// checked against its C++ reference both times, so the two runs agree element for element.
inline void forEachWorkerCount(const std::function<void()>& story) {
  for (const char* threads : {"1", ""}) {
    if (*threads)
      setenv("EMVK_THREADS", threads, 1);
    else
      unsetenv("EMVK_THREADS");
    INFO("EMVK_THREADS=" << (*threads ? threads : "(default)"));
    story();
  }
  unsetenv("EMVK_THREADS");
}

}  // namespace compute_test
