// Device memory as an application sees it: allocate in every type, map (whole, at an offset),
// flush and invalidate, read the budget, and fail cleanly on sizes no heap
// can hold.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

constexpr VkDeviceSize kMiB = 1024 * 1024;

bool hasDeviceExtension(VkPhysicalDevice physical, std::string_view name) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, extensions.data());
  for (const auto& extension : extensions)
    if (name == extension.extensionName) return true;
  return false;
}

VkPhysicalDeviceMemoryProperties memoryProperties(VkPhysicalDevice physical) {
  VkPhysicalDeviceMemoryProperties properties;
  vkGetPhysicalDeviceMemoryProperties(physical, &properties);
  return properties;
}

// Returns the VkResult instead of failing, so tests can expect errors.
VkResult allocate(VkDevice device, VkDeviceSize size, uint32_t type, VkDeviceMemory* memory) {
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  info.allocationSize = size;
  info.memoryTypeIndex = type;
  return vkAllocateMemory(device, &info, nullptr, memory);
}

std::vector<uint32_t> hostVisibleTypes(VkPhysicalDevice physical) {
  const auto properties = memoryProperties(physical);
  std::vector<uint32_t> types;
  for (uint32_t i = 0; i < properties.memoryTypeCount; ++i)
    if (properties.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
      types.push_back(i);
  return types;
}

std::vector<uint8_t> pattern(size_t size, uint64_t seed) {
  std::vector<uint8_t> bytes(size);
  test::fillPattern(bytes.data(), size, seed);
  return bytes;
}

}  // namespace

TEST_CASE("memory: every memory type can be allocated and freed", "[memory]") {
  test::Instance instance;
  test::Device device(instance);
  const auto properties = memoryProperties(instance.physical);
  REQUIRE(properties.memoryTypeCount >= 1);

  if (probe::isEmvk(instance.physical)) {
    // emvk's memory is host RAM: one heap, a coherent type and a cached coherent type.
    const VkMemoryPropertyFlags base = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT |
                                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    REQUIRE(properties.memoryHeapCount == 1);
    REQUIRE((properties.memoryHeaps[0].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0);
    REQUIRE(properties.memoryTypeCount == 2);
    REQUIRE(properties.memoryTypes[0].propertyFlags == base);
    REQUIRE(properties.memoryTypes[1].propertyFlags == (base | VK_MEMORY_PROPERTY_HOST_CACHED_BIT));
  }

  for (uint32_t type = 0; type < properties.memoryTypeCount; ++type) {
    // Protected memory needs the protectedMemory feature, which this device was not created with.
    if (properties.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_PROTECTED_BIT) continue;
    for (VkDeviceSize size : {VkDeviceSize{1}, VkDeviceSize{4096}, kMiB + 3}) {
      INFO("memory type " << type << ", size " << size);
      VkDeviceMemory memory = VK_NULL_HANDLE;
      VK_CHECK(allocate(device.handle, size, type, &memory));
      REQUIRE(memory != VK_NULL_HANDLE);
      vkFreeMemory(device.handle, memory, nullptr);
    }
  }
  // Freeing VK_NULL_HANDLE is allowed and does nothing (VUID-vkFreeMemory-memory-parameter).
  vkFreeMemory(device.handle, VK_NULL_HANDLE, nullptr);
}

TEST_CASE("memory: a mapping at an offset sees what a whole mapping wrote", "[memory]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = 64 * 1024;
  const auto bytes = pattern(size, 7);
  VkDeviceMemory memory;
  VK_CHECK(allocate(device.handle, size, device.hostVisibleMemoryType(), &memory));

  void* whole = nullptr;
  VK_CHECK(vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, &whole));
  std::memcpy(whole, bytes.data(), size);
  vkUnmapMemory(device.handle, memory);

  // The returned pointer addresses `offset`, not the start of the allocation.
  void* tail = nullptr;
  VK_CHECK(vkMapMemory(device.handle, memory, 4096, VK_WHOLE_SIZE, 0, &tail));
  REQUIRE(std::memcmp(tail, bytes.data() + 4096, size - 4096) == 0);
  std::memset(tail, 0xAB, 16);
  vkUnmapMemory(device.handle, memory);

  // Offsets need no alignment: only offset < size and offset + size <= allocation size
  // (VUID-vkMapMemory-offset-00679, VUID-vkMapMemory-size-00681).
  void* window = nullptr;
  VK_CHECK(vkMapMemory(device.handle, memory, 100, 200, 0, &window));
  REQUIRE(std::memcmp(window, bytes.data() + 100, 200) == 0);
  vkUnmapMemory(device.handle, memory);

  VK_CHECK(vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, &whole));
  const auto* seen = static_cast<const uint8_t*>(whole);
  for (int i = 0; i < 16; ++i) REQUIRE(seen[4096 + i] == 0xAB);
  REQUIRE(std::memcmp(seen + 4112, bytes.data() + 4112, size - 4112) == 0);
  vkFreeMemory(device.handle, memory, nullptr);  // frees while mapped: an implicit unmap
}

TEST_CASE("memory: data written through a map survives unmap and remap", "[memory]") {
  test::Instance instance;
  test::Device device(instance);
  const VkDeviceSize size = kMiB;
  for (uint32_t type : hostVisibleTypes(instance.physical)) {
    INFO("memory type " << type);
    const auto bytes = pattern(size, type + 1);  // test::Pattern seeds must not be 0
    VkDeviceMemory memory;
    VK_CHECK(allocate(device.handle, size, type, &memory));
    void* data = nullptr;
    VK_CHECK(vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, &data));
    std::memcpy(data, bytes.data(), size);
    vkUnmapMemory(device.handle, memory);

    data = nullptr;
    VK_CHECK(vkMapMemory(device.handle, memory, 0, size, 0, &data));
    REQUIRE(std::memcmp(data, bytes.data(), size) == 0);
    vkUnmapMemory(device.handle, memory);
    vkFreeMemory(device.handle, memory, nullptr);
  }
}

TEST_CASE("memory: flushing and invalidating atom-aligned ranges succeeds", "[memory]") {
  test::Instance instance;
  test::Device device(instance);
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(instance.physical, &properties);
  const VkDeviceSize atom = properties.limits.nonCoherentAtomSize;
  REQUIRE(atom > 0);
  const VkDeviceSize size = 16 * atom;

  for (uint32_t type : hostVisibleTypes(instance.physical)) {
    INFO("memory type " << type);
    VkDeviceMemory memory;
    VK_CHECK(allocate(device.handle, size, type, &memory));
    // Map from the second atom on, so ranges are checked against the mapped window.
    uint8_t* data = nullptr;
    VK_CHECK(vkMapMemory(device.handle, memory, atom, VK_WHOLE_SIZE, 0,
                         reinterpret_cast<void**>(&data)));
    std::memset(data, 0x5A, size - atom);

    // Offsets are multiples of nonCoherentAtomSize; sizes are too, or reach the end of the
    // allocation (VUID-VkMappedMemoryRange-offset-00687, VUID-VkMappedMemoryRange-size-01390).
    VkMappedMemoryRange ranges[3]{};
    for (auto& range : ranges) {
      range.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
      range.memory = memory;
    }
    ranges[0].offset = atom;
    ranges[0].size = atom;
    ranges[1].offset = 4 * atom;
    ranges[1].size = 3 * atom;
    ranges[2].offset = 8 * atom;
    ranges[2].size = VK_WHOLE_SIZE;
    VK_CHECK(vkFlushMappedMemoryRanges(device.handle, 3, ranges));
    VK_CHECK(vkInvalidateMappedMemoryRanges(device.handle, 3, ranges));

    VkMappedMemoryRange all{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
    all.memory = memory;
    all.offset = atom;
    all.size = VK_WHOLE_SIZE;
    VK_CHECK(vkFlushMappedMemoryRanges(device.handle, 1, &all));
    VK_CHECK(vkInvalidateMappedMemoryRanges(device.handle, 1, &all));
    // An invalidate on memory the device never wrote must not lose the host's writes.
    for (VkDeviceSize i = 0; i < size - atom; ++i) REQUIRE(data[i] == 0x5A);

    vkUnmapMemory(device.handle, memory);
    vkFreeMemory(device.handle, memory, nullptr);
  }
}

TEST_CASE("memory: commitment is reported for lazily allocated memory types", "[memory]") {
  test::Instance instance;
  test::Device device(instance);
  const auto properties = memoryProperties(instance.physical);
  // vkGetDeviceMemoryCommitment is only valid on lazily allocated types
  // (VUID-vkGetDeviceMemoryCommitment-memory-00690).
  uint32_t lazyTypes = 0;
  for (uint32_t type = 0; type < properties.memoryTypeCount; ++type) {
    if (!(properties.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT))
      continue;
    ++lazyTypes;
    const VkDeviceSize size = kMiB;
    VkDeviceMemory memory;
    VK_CHECK(allocate(device.handle, size, type, &memory));
    VkDeviceSize committed = ~VkDeviceSize{0};
    vkGetDeviceMemoryCommitment(device.handle, memory, &committed);
    REQUIRE(committed <= size);
    vkFreeMemory(device.handle, memory, nullptr);
  }
  if (lazyTypes == 0) {
    // emvk has none: all its memory is host RAM, committed when touched, never lazily.
    WARN("no lazily allocated memory type: vkGetDeviceMemoryCommitment has nothing valid to query");
  }
}

TEST_CASE("memory: sizes beyond the heap fail with VK_ERROR_OUT_OF_DEVICE_MEMORY and leak nothing",
          "[memory][emvk]") {
  test::Instance instance;
  test::Device device(instance);
  const auto properties = memoryProperties(instance.physical);
  const int fdsBefore = test::openFdCount();

  // Sizes above the heap are invalid usage (VUID-vkAllocateMemory-pAllocateInfo-01713); emvk
  // promises a clean VK_ERROR_OUT_OF_DEVICE_MEMORY for them instead of a crash. Other drivers may
  // accept heap size + 1 (lavapipe does), but none can back 4 EiB.
  instance.expectInvalidUsage = true;
  const bool emvk = probe::isEmvk(instance.physical);
  for (uint32_t type = 0; type < properties.memoryTypeCount; ++type) {
    const VkDeviceSize heapSize =
        properties.memoryHeaps[properties.memoryTypes[type].heapIndex].size;
    std::vector<VkDeviceSize> sizes = {VkDeviceSize{1} << 62};
    if (emvk) sizes.push_back(heapSize + 1);
    for (VkDeviceSize size : sizes) {
      INFO("memory type " << type << ", size " << size);
      VkDeviceMemory memory = VK_NULL_HANDLE;
      const VkResult result = allocate(device.handle, size, type, &memory);
      if (result == VK_SUCCESS) vkFreeMemory(device.handle, memory, nullptr);
      REQUIRE(result == VK_ERROR_OUT_OF_DEVICE_MEMORY);
    }
  }
  REQUIRE(test::openFdCount() == fdsBefore);

  // The device is still usable after the failures.
  VkDeviceMemory memory;
  VK_CHECK(allocate(device.handle, 4096, device.hostVisibleMemoryType(), &memory));
  vkFreeMemory(device.handle, memory, nullptr);

  // emvk explains failed allocations through the debug-utils messenger.
  if (emvk) REQUIRE(instance.messages.contains("emvk"));
}

TEST_CASE("memory: mapping memory that is already mapped fails with VK_ERROR_MEMORY_MAP_FAILED",
          "[memory][emvk]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) {
    WARN("skipped: mapping twice is invalid usage; only emvk defines the result");
    return;
  }
  test::Device device(instance);
  VkDeviceMemory memory;
  VK_CHECK(allocate(device.handle, 4096, device.hostVisibleMemoryType(), &memory));
  void* first = nullptr;
  VK_CHECK(vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, &first));
  std::memset(first, 0x11, 4096);

  // VUID-vkMapMemory-memory-00678: memory must not be currently host mapped.
  instance.expectInvalidUsage = true;
  void* second = nullptr;
  REQUIRE(vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, &second) ==
          VK_ERROR_MEMORY_MAP_FAILED);

  // The failed call left the first mapping intact, and unmapping makes the memory mappable again.
  REQUIRE(static_cast<uint8_t*>(first)[4095] == 0x11);
  vkUnmapMemory(device.handle, memory);
  VK_CHECK(vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, &second));
  REQUIRE(static_cast<uint8_t*>(second)[0] == 0x11);
  vkUnmapMemory(device.handle, memory);
  vkFreeMemory(device.handle, memory, nullptr);
}

TEST_CASE("memory: the budget covers usage and usage grows with a 64 MiB allocation", "[memory]") {
  test::Instance instance;
  if (!hasDeviceExtension(instance.physical, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME)) {
    REQUIRE_FALSE(probe::isEmvk(instance.physical));
    WARN("skipped: the device lacks VK_EXT_memory_budget");
    return;
  }
  test::DeviceOptions options;
  options.extensions = {VK_EXT_MEMORY_BUDGET_EXTENSION_NAME};
  test::Device device(instance, options);
  const auto properties = memoryProperties(instance.physical);
  auto budget = [&] {
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
    VkPhysicalDeviceMemoryProperties2 properties2{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
    properties2.pNext = &budget;
    vkGetPhysicalDeviceMemoryProperties2(instance.physical, &properties2);
    return budget;
  };

  const auto before = budget();
  for (uint32_t heap = 0; heap < VK_MAX_MEMORY_HEAPS; ++heap) {
    INFO("heap " << heap);
    if (heap >= properties.memoryHeapCount) {
      // Heaps that do not exist report zero (VkPhysicalDeviceMemoryBudgetPropertiesEXT).
      REQUIRE(before.heapBudget[heap] == 0);
      REQUIRE(before.heapUsage[heap] == 0);
      continue;
    }
    // A real heap's budget is non-zero and at most the heap's size.
    REQUIRE(before.heapBudget[heap] > 0);
    REQUIRE(before.heapBudget[heap] <= properties.memoryHeaps[heap].size);
    REQUIRE(before.heapBudget[heap] >= before.heapUsage[heap]);
  }

  const VkDeviceSize size = 64 * kMiB;
  for (uint32_t heap = 0; heap < properties.memoryHeapCount; ++heap) {
    uint32_t type = UINT32_MAX;
    for (uint32_t i = 0; i < properties.memoryTypeCount && type == UINT32_MAX; ++i)
      if (properties.memoryTypes[i].heapIndex == heap) type = i;
    if (type == UINT32_MAX) continue;
    INFO("heap " << heap << ", memory type " << type);

    const auto idle = budget();
    VkDeviceMemory memory;
    VK_CHECK(allocate(device.handle, size, type, &memory));
    const auto busy = budget();
    REQUIRE(busy.heapUsage[heap] >= idle.heapUsage[heap] + size);
    REQUIRE(busy.heapBudget[heap] >= busy.heapUsage[heap]);
    vkFreeMemory(device.handle, memory, nullptr);
    REQUIRE(budget().heapUsage[heap] < busy.heapUsage[heap]);
  }
}

TEST_CASE("memory: 2000 small allocations and frees leak no file descriptors", "[memory]") {
  test::Instance instance;
  test::Device device(instance);
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(instance.physical, &properties);
  constexpr uint32_t kCount = 2000;
  REQUIRE(properties.limits.maxMemoryAllocationCount >= kCount);

  const int fdsBefore = test::openFdCount();
  std::vector<VkDeviceMemory> memories(kCount, VK_NULL_HANDLE);
  for (uint32_t i = 0; i < kCount; ++i) {
    VK_CHECK(
        allocate(device.handle, 256 + 16 * (i % 64), device.hostVisibleMemoryType(), &memories[i]));
    // Touch every other one through a map, so mapped allocations are freed too.
    if (i % 2 == 0) {
      void* data = nullptr;
      VK_CHECK(vkMapMemory(device.handle, memories[i], 0, VK_WHOLE_SIZE, 0, &data));
      static_cast<uint8_t*>(data)[0] = static_cast<uint8_t>(i);
    }
  }
  for (VkDeviceMemory memory : memories) vkFreeMemory(device.handle, memory, nullptr);
  REQUIRE(test::openFdCount() == fdsBefore);
}

// EMVK_POISON_MEMORY=1 (memory/allocation.cpp): new memory, plain or exportable, starts as 0xCD
// bytes, so reads of memory nobody wrote stand out; without it, emvk hands out the kernel's zeros.
TEST_CASE("memory: EMVK_POISON_MEMORY=1 fills new allocations with 0xCD", "[memory]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  const uint32_t type = hostVisibleTypes(instance.physical).front();
  auto firstNotPoisoned = [&](VkDeviceMemory memory, VkDeviceSize size) -> int64_t {
    void* data = nullptr;
    REQUIRE(vkMapMemory(device.handle, memory, 0, VK_WHOLE_SIZE, 0, &data) == VK_SUCCESS);
    const auto* bytes = static_cast<const uint8_t*>(data);
    int64_t first = -1;
    for (VkDeviceSize i = 0; i < size && first < 0; ++i)
      if (bytes[i] != 0xCD) first = static_cast<int64_t>(i);
    vkUnmapMemory(device.handle, memory);
    return first;
  };
  REQUIRE(setenv("EMVK_POISON_MEMORY", "1", 1) == 0);
  for (VkDeviceSize size : {VkDeviceSize{64 * 1024}, 4 * kMiB}) {  // small, and huge-page sized
    VkDeviceMemory memory;
    REQUIRE(allocate(device.handle, size, type, &memory) == VK_SUCCESS);
    CHECK(firstNotPoisoned(memory, size) == -1);
    vkFreeMemory(device.handle, memory, nullptr);
  }
  // Exportable memory (a memfd) too.
  VkExportMemoryAllocateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO, nullptr,
                                        VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT};
  VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &exportInfo, 64 * 1024, type};
  VkDeviceMemory exportable;
  REQUIRE(vkAllocateMemory(device.handle, &info, nullptr, &exportable) == VK_SUCCESS);
  CHECK(firstNotPoisoned(exportable, 64 * 1024) == -1);
  vkFreeMemory(device.handle, exportable, nullptr);
  unsetenv("EMVK_POISON_MEMORY");

  VkDeviceMemory plain;
  REQUIRE(allocate(device.handle, 64 * 1024, type, &plain) == VK_SUCCESS);
  CHECK(firstNotPoisoned(plain, 64 * 1024) == 0);  // zeros: the first byte already differs
  vkFreeMemory(device.handle, plain, nullptr);
}
