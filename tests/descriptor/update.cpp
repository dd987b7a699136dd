// Descriptor updates: writes with offsets, ranges and VK_WHOLE_SIZE, writes that continue into the
// next bindings, copies between and within sets, and update templates reading the application's
// own structs. The tests marked emvk-only look at what a set holds through the dynamic offsets a
// bind accepts (descriptor/descriptors.hpp explains why that shows it).
#include <catch2/catch.hpp>
#include <cstddef>
#include <vector>

#include "descriptor/descriptors.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using descriptors::binding;

namespace {

constexpr VkDescriptorType kStorage = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
constexpr VkDescriptorType kUniform = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
constexpr VkDescriptorType kStorageDynamic = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;

// A device with a pool big enough for every test here, and a 1 KiB buffer to describe.
struct Fixture {
  test::Instance instance;
  test::Device device{instance};
  VkDescriptorPool pool =
      descriptors::createPool(device.handle, 16,
                              {{kStorage, 64},
                               {kUniform, 16},
                               {kStorageDynamic, 16},
                               {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 16}});
  test::Buffer buffer = device.createBuffer(1024, descriptors::kBufferUsage);
  std::vector<VkDescriptorSetLayout> layouts;
  std::vector<VkPipelineLayout> pipelineLayouts;

  ~Fixture() {
    vkDestroyDescriptorPool(device.handle, pool, nullptr);
    for (VkPipelineLayout l : pipelineLayouts) vkDestroyPipelineLayout(device.handle, l, nullptr);
    for (VkDescriptorSetLayout l : layouts) vkDestroyDescriptorSetLayout(device.handle, l, nullptr);
    device.destroy(buffer);
  }
  VkDescriptorSetLayout layout(const std::vector<VkDescriptorSetLayoutBinding>& bindings) {
    layouts.push_back(descriptors::createLayout(device.handle, bindings));
    return layouts.back();
  }
  VkPipelineLayout pipelineLayout(VkDescriptorSetLayout set) {
    pipelineLayouts.push_back(descriptors::createPipelineLayout(device.handle, {set}));
    return pipelineLayouts.back();
  }
  VkDescriptorSet allocate(VkDescriptorSetLayout layout) {
    return descriptors::allocateOne(device.handle, pool, layout);
  }
  VkDescriptorBufferInfo info(VkDeviceSize offset, VkDeviceSize range) const {
    return {buffer.buffer, offset, range};
  }

  // On emvk: whether vkCmdBindDescriptorSets takes `offsets` for `set` at set 0. emvk refuses
  // offsets that would carry a written range past the end of its buffer, and says so.
  bool bindAccepts(VkPipelineLayout layout, VkDescriptorSet set,
                   const std::vector<uint32_t>& offsets) {
    const size_t before = descriptors::countMessages(instance, "vkCmdBindDescriptorSets: refused");
    VkCommandBuffer cb = device.begin();
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set,
                            static_cast<uint32_t>(offsets.size()), offsets.data());
    VK_CHECK(vkEndCommandBuffer(cb));
    vkFreeCommandBuffers(device.handle, device.pool, 1, &cb);
    return descriptors::countMessages(instance, "vkCmdBindDescriptorSets: refused") == before;
  }
};

}  // namespace

TEST_CASE("descriptor: buffer descriptors are written with offsets, ranges and VK_WHOLE_SIZE",
          "[descriptor]") {
  Fixture f;
  VkDescriptorSet set = f.allocate(
      f.layout({binding(0, kStorage, 2), binding(1, kUniform), binding(2, kStorageDynamic),
                binding(3, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC)}));
  const VkDescriptorBufferInfo storage[] = {f.info(0, 256), f.info(256, VK_WHOLE_SIZE)};
  const VkDescriptorBufferInfo uniform = f.info(512, 512);
  const VkDescriptorBufferInfo dynamicStorage = f.info(0, 256);
  const VkDescriptorBufferInfo dynamicUniform = f.info(768, VK_WHOLE_SIZE);
  const VkWriteDescriptorSet writes[] = {
      descriptors::bufferWrite(set, 0, 0, kStorage, storage, 2),
      descriptors::bufferWrite(set, 1, 0, kUniform, &uniform),
      descriptors::bufferWrite(set, 2, 0, kStorageDynamic, &dynamicStorage),
      descriptors::bufferWrite(set, 3, 0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC,
                               &dynamicUniform),
  };
  vkUpdateDescriptorSets(f.device.handle, 4, writes, 0, nullptr);
  // Writing again over what is there replaces it.
  descriptors::write(f.device.handle, descriptors::bufferWrite(set, 0, 1, kStorage, storage));
  CHECK(descriptors::driverErrors(f.instance) == 0);

  // The dynamic storage buffer's 256 bytes may move up to the end of the buffer; the dynamic
  // uniform buffer reaches the end already (VK_WHOLE_SIZE), so its offset must be 0.
  VkPipelineLayout layout = f.pipelineLayout(f.layouts.back());
  CHECK(f.bindAccepts(layout, set, {768, 0}));
  CHECK(descriptors::driverErrors(f.instance) == 0);
}

TEST_CASE("descriptor: a write longer than its binding continues in the following bindings",
          "[descriptor]") {
  // Section "Descriptor Set Updates", consecutive binding updates: the rest of the write goes to
  // the next binding, from element 0; bindings without descriptors are skipped.
  Fixture f;
  VkDescriptorSet set = f.allocate(f.layout({binding(0, kStorage, 2), binding(1, kStorage, 0),
                                             binding(2, kStorage, 3), binding(3, kUniform)}));
  const VkDescriptorBufferInfo infos[] = {f.info(0, 64), f.info(64, 64), f.info(128, 64),
                                          f.info(192, 64), f.info(256, 64)};
  descriptors::write(f.device.handle, descriptors::bufferWrite(set, 0, 0, kStorage, infos, 5));
  descriptors::write(f.device.handle, descriptors::bufferWrite(set, 0, 1, kStorage, infos, 3));
  CHECK(descriptors::driverErrors(f.instance) == 0);
}

TEST_CASE("descriptor: copies move descriptors between sets and within one", "[descriptor]") {
  Fixture f;
  VkDescriptorSetLayout layout = f.layout({binding(0, kStorage, 4), binding(1, kStorage, 2)});
  VkDescriptorSet a = f.allocate(layout);
  VkDescriptorSet b = f.allocate(layout);
  const VkDescriptorBufferInfo infos[] = {f.info(0, 64),   f.info(64, 64),  f.info(128, 64),
                                          f.info(192, 64), f.info(256, 64), f.info(320, 64)};
  descriptors::write(f.device.handle, descriptors::bufferWrite(a, 0, 0, kStorage, infos, 6));

  VkCopyDescriptorSet copies[3] = {};
  for (VkCopyDescriptorSet& c : copies) c.sType = VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET;
  // a[0][0..3] and a[1][0..1] to b, as one copy spilling over the binding boundary.
  copies[0].srcSet = a;
  copies[0].dstSet = b;
  copies[0].descriptorCount = 6;
  // b[0][3], b[1][0] to b[0][0], b[0][1]: within one set, not overlapping.
  copies[1].srcSet = b;
  copies[1].srcArrayElement = 3;
  copies[1].dstSet = b;
  copies[1].descriptorCount = 2;
  // b[1][1] to a[1][0].
  copies[2].srcSet = b;
  copies[2].srcBinding = 1;
  copies[2].srcArrayElement = 1;
  copies[2].dstSet = a;
  copies[2].dstBinding = 1;
  copies[2].descriptorCount = 1;
  vkUpdateDescriptorSets(f.device.handle, 0, nullptr, 3, copies);
  CHECK(descriptors::driverErrors(f.instance) == 0);
}

namespace {

// What an application might keep per draw: the descriptors sit among its own fields.
struct Params {
  uint32_t id;
  VkDescriptorBufferInfo storage[2];
  float scale;
  VkDescriptorBufferInfo dynamicStorage;
};

VkDescriptorUpdateTemplate createTemplate(VkDevice device, VkDescriptorSetLayout layout) {
  VkDescriptorUpdateTemplateEntry entries[2] = {};
  entries[0].dstBinding = 0;
  entries[0].descriptorCount = 2;
  entries[0].descriptorType = kStorage;
  entries[0].offset = offsetof(Params, storage);
  entries[0].stride = sizeof(VkDescriptorBufferInfo);
  entries[1].dstBinding = 1;
  entries[1].descriptorCount = 1;
  entries[1].descriptorType = kStorageDynamic;
  entries[1].offset = offsetof(Params, dynamicStorage);
  entries[1].stride = 0;  // one descriptor: the stride is never used
  VkDescriptorUpdateTemplateCreateInfo info{
      VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO};
  info.descriptorUpdateEntryCount = 2;
  info.pDescriptorUpdateEntries = entries;
  info.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET;
  info.descriptorSetLayout = layout;
  VkDescriptorUpdateTemplate t = VK_NULL_HANDLE;
  VK_CHECK(vkCreateDescriptorUpdateTemplate(device, &info, nullptr, &t));
  return t;
}

}  // namespace

TEST_CASE("descriptor: update templates write descriptors from the application's own structs",
          "[descriptor]") {
  Fixture f;
  VkDescriptorSetLayout layout = f.layout({binding(0, kStorage, 2), binding(1, kStorageDynamic)});
  VkDescriptorUpdateTemplate updateTemplate = createTemplate(f.device.handle, layout);
  // The template outlives nothing it needs: the layout could go, sets of that shape remain.
  std::vector<VkDescriptorSet> sets = {f.allocate(layout), f.allocate(layout)};
  const Params params[2] = {
      {1, {f.info(0, 128), f.info(128, 128)}, 0.5f, f.info(256, 256)},
      {2, {f.info(512, VK_WHOLE_SIZE), f.info(0, 16)}, 2.0f, f.info(0, VK_WHOLE_SIZE)},
  };
  for (int i = 0; i < 2; ++i)
    vkUpdateDescriptorSetWithTemplate(f.device.handle, sets[i], updateTemplate, &params[i]);
  vkDestroyDescriptorUpdateTemplate(f.device.handle, updateTemplate, nullptr);
  CHECK(descriptors::driverErrors(f.instance) == 0);
}

TEST_CASE(
    "descriptor: the ranges writes, copies and templates leave decide the dynamic offsets "
    "a bind takes",
    "[descriptor]") {
  Fixture f;
  if (!probe::isEmvk(f.instance.physical)) return;
  f.instance.expectInvalidUsage = true;  // every refused offset breaks VUID-...-01979 on purpose
  VkDescriptorSetLayout layout =
      f.layout({binding(0, kStorageDynamic), binding(1, kStorageDynamic, 2)});
  VkPipelineLayout pipelineLayout = f.pipelineLayout(layout);
  VkDescriptorSet set = f.allocate(layout);
  auto write = [&](VkDescriptorSet dst, const std::vector<VkDescriptorBufferInfo>& infos) {
    descriptors::write(f.device.handle,
                       descriptors::bufferWrite(dst, 0, 0, kStorageDynamic, infos.data(),
                                                static_cast<uint32_t>(infos.size())));
  };

  SECTION("a write: ranges, VK_WHOLE_SIZE and spilling into binding 1") {
    // 256 bytes at 0, then the rest of the buffer from 256, then 512 bytes at 512.
    write(set, {f.info(0, 256), f.info(256, VK_WHOLE_SIZE), f.info(512, 512)});
    CHECK(f.bindAccepts(pipelineLayout, set, {768, 0, 0}));
    CHECK_FALSE(f.bindAccepts(pipelineLayout, set, {784, 0, 0}));  // 784 + 256 > 1024
    CHECK_FALSE(f.bindAccepts(pipelineLayout, set, {0, 16, 0}));   // VK_WHOLE_SIZE: only 0
    CHECK_FALSE(f.bindAccepts(pipelineLayout, set, {0, 0, 16}));   // 512 + 16 + 512 > 1024
    CHECK(
        f.instance.messages.contains("binding 0[0]: offset 0 + dynamic offset 784 + range 256 "
                                     "runs past the buffer's 1024 bytes"));
  }
  SECTION("a refused write leaves the set as it was") {
    write(set, {f.info(0, 256), f.info(0, 256), f.info(0, 256)});
    // A misaligned second descriptor refuses the whole write, the valid first one included.
    write(set, {f.info(0, 512), f.info(8, 512), f.info(0, 512)});
    CHECK(f.instance.messages.contains("minStorageBufferOffsetAlignment"));
    CHECK(f.bindAccepts(pipelineLayout, set, {768, 768, 768}));
  }
  SECTION("a copy takes the ranges with it") {
    write(set, {f.info(0, 256), f.info(0, 512), f.info(0, 768)});
    VkDescriptorSet other = f.allocate(layout);
    VkCopyDescriptorSet copy{VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET};
    copy.srcSet = set;
    copy.srcBinding = 1;  // 512 and 768 bytes
    copy.dstSet = other;
    copy.dstBinding = 0;  // to other[0][0] and other[1][0]
    copy.descriptorCount = 2;
    vkUpdateDescriptorSets(f.device.handle, 0, nullptr, 1, &copy);
    copy.srcSet = set;  // and 256 bytes to other[1][1]
    copy.srcBinding = 0;
    copy.dstBinding = 1;
    copy.dstArrayElement = 1;
    copy.descriptorCount = 1;
    vkUpdateDescriptorSets(f.device.handle, 0, nullptr, 1, &copy);
    CHECK(f.bindAccepts(pipelineLayout, other, {512, 256, 768}));
    CHECK_FALSE(f.bindAccepts(pipelineLayout, other, {528, 256, 768}));
    CHECK_FALSE(f.bindAccepts(pipelineLayout, other, {512, 272, 768}));
    CHECK_FALSE(f.bindAccepts(pipelineLayout, other, {512, 256, 784}));
  }
  SECTION("a template reads each descriptor at its offset and stride") {
    // Records of {tag, descriptor}: binding 0 from the first, binding 1 from the next two.
    struct Record {
      uint64_t tag;
      VkDescriptorBufferInfo info;
    };
    VkDescriptorUpdateTemplateEntry entries[2] = {};
    entries[0].dstBinding = 0;
    entries[0].descriptorCount = 1;
    entries[0].descriptorType = kStorageDynamic;
    entries[0].offset = offsetof(Record, info);
    entries[1].dstBinding = 1;
    entries[1].descriptorCount = 2;
    entries[1].descriptorType = kStorageDynamic;
    entries[1].offset = sizeof(Record) + offsetof(Record, info);
    entries[1].stride = sizeof(Record);
    VkDescriptorUpdateTemplateCreateInfo info{
        VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO};
    info.descriptorUpdateEntryCount = 2;
    info.pDescriptorUpdateEntries = entries;
    info.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET;
    info.descriptorSetLayout = layout;
    VkDescriptorUpdateTemplate updateTemplate;
    VK_CHECK(vkCreateDescriptorUpdateTemplate(f.device.handle, &info, nullptr, &updateTemplate));
    const Record data[3] = {{1, f.info(0, 128)}, {2, f.info(0, 640)}, {3, f.info(0, 1024)}};
    vkUpdateDescriptorSetWithTemplate(f.device.handle, set, updateTemplate, data);
    vkDestroyDescriptorUpdateTemplate(f.device.handle, updateTemplate, nullptr);
    CHECK(f.bindAccepts(pipelineLayout, set, {896, 384, 0}));
    CHECK_FALSE(f.bindAccepts(pipelineLayout, set, {912, 384, 0}));
    CHECK_FALSE(f.bindAccepts(pipelineLayout, set, {896, 400, 0}));
    CHECK_FALSE(f.bindAccepts(pipelineLayout, set, {896, 384, 16}));
  }
}

TEST_CASE("descriptor: updates that break a rule are refused with a reason", "[descriptor]") {
  Fixture f;
  if (!probe::isEmvk(f.instance.physical)) return;
  f.instance.expectInvalidUsage = true;  // every update here breaks a valid-usage rule on purpose
  VkDescriptorSet set =
      f.allocate(f.layout({binding(0, kStorage, 2), binding(1, kUniform), binding(3, kStorage)}));
  auto refused = [&](const VkWriteDescriptorSet& w, const char* because) {
    descriptors::write(f.device.handle, w);
    CHECK(f.instance.messages.contains("vkUpdateDescriptorSets: write 0 refused: "));
    CHECK(f.instance.messages.contains(because));
  };
  const VkDescriptorBufferInfo good[3] = {f.info(0, 64), f.info(64, 64), f.info(128, 64)};

  SECTION("a misaligned offset (VUID-VkWriteDescriptorSet-descriptorType-00328)") {
    const VkDescriptorBufferInfo info = f.info(4, 64);
    refused(descriptors::bufferWrite(set, 0, 0, kStorage, &info),
            "descriptor 0: offset 4 is not a multiple of minStorageBufferOffsetAlignment (16)");
  }
  SECTION("a range past the buffer (VUID-VkDescriptorBufferInfo-range-00342)") {
    const VkDescriptorBufferInfo info = f.info(512, 1024);
    refused(descriptors::bufferWrite(set, 0, 0, kStorage, &info), "does not fit the buffer");
  }
  SECTION("an offset past the buffer (VUID-VkDescriptorBufferInfo-offset-00340)") {
    const VkDescriptorBufferInfo info = f.info(1024, VK_WHOLE_SIZE);
    refused(descriptors::bufferWrite(set, 0, 0, kStorage, &info), "is not inside the buffer");
  }
  SECTION("a type other than the binding's (VUID-VkWriteDescriptorSet-descriptorType-00319)") {
    refused(descriptors::bufferWrite(set, 1, 0, kStorage, good),
            "STORAGE_BUFFER does not match binding 1, which is UNIFORM_BUFFER");
  }
  SECTION("a write spilling into a binding of another type (-descriptorCount-00317)") {
    refused(descriptors::bufferWrite(set, 0, 1, kStorage, good, 2),
            "spills from binding 0 into binding 1");
  }
  SECTION("a write past the end of the set (VUID-VkWriteDescriptorSet-dstArrayElement-00321)") {
    refused(descriptors::bufferWrite(set, 3, 0, kStorage, good, 2), "run past the end of the set");
  }
  SECTION("a binding the layout does not have (VUID-VkWriteDescriptorSet-dstBinding-00316)") {
    // The validation layer (1.3.239) crashes on this write; emvk's answer is checked without it.
    if (!f.instance.validationEnabled)
      refused(descriptors::bufferWrite(set, 2, 0, kStorage, good),
              "binding 2 is not in the layout");
  }
  SECTION("a buffer without STORAGE_BUFFER usage (-descriptorType-00331)") {
    auto plain = f.device.createBuffer(256);  // transfer usage only
    const VkDescriptorBufferInfo info{plain.buffer, 0, 64};
    refused(descriptors::bufferWrite(set, 0, 0, kStorage, &info),
            "created without STORAGE_BUFFER usage");
    f.device.destroy(plain);
  }
  SECTION("a uniform range over maxUniformBufferRange (-descriptorType-00332)") {
    auto big = f.device.createBuffer(32768, descriptors::kBufferUsage);
    const VkDescriptorBufferInfo info{big.buffer, 0, VK_WHOLE_SIZE};
    refused(descriptors::bufferWrite(set, 1, 0, kUniform, &info),
            "range 32768 exceeds maxUniformBufferRange (16384)");
    f.device.destroy(big);
  }
  SECTION("a copy between types (VUID-VkCopyDescriptorSet-dstBinding-02632)") {
    VkCopyDescriptorSet copy{VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET};
    copy.srcSet = set;
    copy.dstSet = set;
    copy.dstBinding = 1;
    copy.descriptorCount = 1;
    vkUpdateDescriptorSets(f.device.handle, 0, nullptr, 1, &copy);
    CHECK(
        f.instance.messages.contains("vkUpdateDescriptorSets: copy 0 refused: source binding 0 "
                                     "is STORAGE_BUFFER and destination binding 1 is "
                                     "UNIFORM_BUFFER"));
  }
  SECTION("an overlapping copy within one set (VUID-VkCopyDescriptorSet-srcSet-00349)") {
    VkCopyDescriptorSet copy{VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET};
    copy.srcSet = set;
    copy.dstSet = set;
    copy.dstArrayElement = 1;
    copy.descriptorCount = 1;
    copy.srcArrayElement = 1;
    vkUpdateDescriptorSets(f.device.handle, 0, nullptr, 1, &copy);
    CHECK(f.instance.messages.contains("ranges of one set overlap"));
  }
  SECTION("a template entry that does not fit its layout is refused at creation") {
    VkDescriptorUpdateTemplateEntry entry{};
    entry.dstBinding = 0;
    entry.descriptorCount = 3;  // two in binding 0, then binding 1 is a uniform buffer
    entry.descriptorType = kStorage;
    entry.stride = sizeof(VkDescriptorBufferInfo);
    VkDescriptorUpdateTemplateCreateInfo info{
        VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO};
    info.descriptorUpdateEntryCount = 1;
    info.pDescriptorUpdateEntries = &entry;
    info.templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET;
    info.descriptorSetLayout = f.layouts.back();
    VkDescriptorUpdateTemplate updateTemplate = VK_NULL_HANDLE;
    CHECK(vkCreateDescriptorUpdateTemplate(f.device.handle, &info, nullptr, &updateTemplate) ==
          VK_ERROR_INITIALIZATION_FAILED);
    CHECK(
        f.instance.messages.contains("vkCreateDescriptorUpdateTemplate: entry 0: the update "
                                     "spills from binding 0 into binding 1"));
  }
}
