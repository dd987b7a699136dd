// VkPipelineCache and the on-disk shader cache (docs/SHADER_CACHE.md), through the loader. Every
// pipeline creation tells the messenger where its machine code came from ("compiled by LLVM",
// "machine code from the pipeline cache", "... from the disk cache"): a test that expects a cache
// hit fails if LLVM compiled anything.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "compute/saxpy.hpp"
#include "harness.hpp"
#include "tools/probe.hpp"

using namespace compute_test;

namespace {

constexpr const char* kCompiled = "compiled by LLVM";
constexpr const char* kFromPipelineCache = "machine code from the pipeline cache";
constexpr const char* kFromDiskCache = "machine code from the disk cache";

size_t countMessages(test::Instance& instance, const std::string& needle) {
  std::lock_guard lock(instance.messages.mutex);
  size_t n = 0;
  for (const std::string& m : instance.messages.all) n += m.find(needle) != std::string::npos;
  return n;
}

void forgetMessages(test::Instance& instance) {
  std::lock_guard lock(instance.messages.mutex);
  instance.messages.all.clear();
}

// Runs saxpy over a few workgroups with the pipeline and checks every element.
void checkSaxpy(test::Device& device, Saxpy& saxpy) {
  const uint32_t n = 1000;
  auto x = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  auto y = device.createBuffer(n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  for (uint32_t i = 0; i < n; ++i) {
    x.as<float>()[i] = float(i);
    y.as<float>()[i] = 1.0f;
  }
  saxpy.bindBuffers(x, y);
  device.run([&](VkCommandBuffer cb) {
    saxpy.record(cb, 2.0f, n);
    vkCmdDispatch(cb, (n + 63) / 64, 1, 1);
    toHost(cb);
  });
  for (uint32_t i = 0; i < n; ++i) {
    if (y.as<float>()[i] != 2.0f * float(i) + 1.0f)
      FAIL("y[" << i << "] = " << y.as<float>()[i] << ", expected " << 2.0f * float(i) + 1.0f);
  }
  device.destroy(x);
  device.destroy(y);
}

VkPipelineCache createCache(test::Device& device, const std::vector<uint8_t>& data = {}) {
  VkPipelineCacheCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  info.initialDataSize = data.size();
  info.pInitialData = data.empty() ? nullptr : data.data();
  VkPipelineCache cache = VK_NULL_HANDLE;
  VK_CHECK(vkCreatePipelineCache(device.handle, &info, nullptr, &cache));
  return cache;
}

std::vector<uint8_t> cacheData(test::Device& device, VkPipelineCache cache) {
  size_t size = 0;
  VK_CHECK(vkGetPipelineCacheData(device.handle, cache, &size, nullptr));
  std::vector<uint8_t> data(size);
  VK_CHECK(vkGetPipelineCacheData(device.handle, cache, &size, data.data()));
  REQUIRE(size == data.size());
  return data;
}

// The blob of a cache that holds saxpy's code, made by a device of its own.
std::vector<uint8_t> saxpyCacheData(test::Instance& instance) {
  test::Device device(instance);
  VkPipelineCache cache = createCache(device);
  { Saxpy saxpy(device, 0, cache); }
  std::vector<uint8_t> data = cacheData(device, cache);
  vkDestroyPipelineCache(device.handle, cache, nullptr);
  return data;
}

// Turns the disk cache on (tests/main.cpp turns it off) in a fresh folder, for one test.
struct DiskCacheFolder {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("emvk-shader-cache-test-" + std::to_string(std::random_device{}()));
  explicit DiskCacheFolder(bool enabled = true) {
    setenv("EMVK_SHADER_CACHE", enabled ? "1" : "0", 1);
    setenv("EMVK_SHADER_CACHE_DIR", path.c_str(), 1);
  }
  ~DiskCacheFolder() {
    setenv("EMVK_SHADER_CACHE", "0", 1);
    unsetenv("EMVK_SHADER_CACHE_DIR");
    std::filesystem::remove_all(path);
  }
  std::vector<std::filesystem::path> files() const {
    std::vector<std::filesystem::path> all;
    std::error_code ignored;
    for (auto it = std::filesystem::directory_iterator(path, ignored);
         !ignored && it != std::filesystem::directory_iterator(); it.increment(ignored))
      all.push_back(it->path());
    return all;
  }
};

}  // namespace

TEST_CASE("pipeline cache: a pipeline made from another cache's data runs without LLVM",
          "[compute][pipeline_cache]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  std::vector<uint8_t> data;
  {
    test::Device device(instance);
    VkPipelineCache cache = createCache(device);
    { Saxpy saxpy(device, 0, cache); }
    CHECK(countMessages(instance, kCompiled) == 1);

    // The two-call idiom: the size, then the data.
    size_t size = 0;
    VK_CHECK(vkGetPipelineCacheData(device.handle, cache, &size, nullptr));
    REQUIRE(size > 32);
    data.resize(size);
    // One byte short: only whole entries are written, here the header alone.
    size_t shorter = size - 1;
    CHECK(vkGetPipelineCacheData(device.handle, cache, &shorter, data.data()) == VK_INCOMPLETE);
    CHECK(shorter == 32);
    // Not even the header fits: nothing is written.
    size_t tiny = 16;
    CHECK(vkGetPipelineCacheData(device.handle, cache, &tiny, data.data()) == VK_INCOMPLETE);
    CHECK(tiny == 0);
    VK_CHECK(vkGetPipelineCacheData(device.handle, cache, &size, data.data()));
    CHECK(size == data.size());
    vkDestroyPipelineCache(device.handle, cache, nullptr);
  }
  // VkPipelineCacheHeaderVersionOne.
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(instance.physical, &properties);
  uint32_t header[4];
  std::memcpy(header, data.data(), sizeof(header));
  CHECK(header[0] == 32);
  CHECK(header[1] == VK_PIPELINE_CACHE_HEADER_VERSION_ONE);
  CHECK(header[2] == properties.vendorID);
  CHECK(header[3] == properties.deviceID);
  CHECK(std::memcmp(data.data() + 16, properties.pipelineCacheUUID, VK_UUID_SIZE) == 0);

  // Another instance and device, as a second run of the program would make.
  test::Instance second;
  test::Device device(second);
  VkPipelineCache cache = createCache(device, data);
  forgetMessages(second);
  {
    Saxpy saxpy(device, 0, cache);
    CHECK(countMessages(second, kFromPipelineCache) == 1);
    CHECK(countMessages(second, kCompiled) == 0);  // LLVM did not run
    checkSaxpy(device, saxpy);
  }
  CHECK(cacheData(device, cache) == data);  // same entries, same bytes
  vkDestroyPipelineCache(device.handle, cache, nullptr);
}

TEST_CASE("pipeline cache: vkMergePipelineCaches carries the code over",
          "[compute][pipeline_cache]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  VkPipelineCache filled = createCache(device);
  { Saxpy saxpy(device, 0, filled); }
  VkPipelineCache empty = createCache(device), merged = createCache(device);
  VkPipelineCache sources[] = {empty, filled};
  VK_CHECK(vkMergePipelineCaches(device.handle, merged, 2, sources));
  CHECK(cacheData(device, merged) == cacheData(device, filled));
  forgetMessages(instance);
  {
    Saxpy saxpy(device, 0, merged);
    CHECK(countMessages(instance, kFromPipelineCache) == 1);
    CHECK(countMessages(instance, kCompiled) == 0);
    checkSaxpy(device, saxpy);
  }
  for (VkPipelineCache c : {filled, empty, merged})
    vkDestroyPipelineCache(device.handle, c, nullptr);
}

TEST_CASE("pipeline cache: foreign, corrupted and truncated initial data starts an empty cache",
          "[compute][pipeline_cache]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  // VUID-VkPipelineCacheCreateInfo-initialDataSize-00769 asks for data from vkGetPipelineCacheData;
  // these blobs break it on purpose, to check that emvk survives what a disk or a network did.
  instance.expectInvalidUsage = true;
  const std::vector<uint8_t> good = saxpyCacheData(instance);
  struct Case {
    const char* what;
    std::vector<uint8_t> data;
  };
  std::vector<Case> cases;
  auto changed = [&](const char* what, size_t at) {
    std::vector<uint8_t> data = good;
    data[at] ^= 0x5a;
    cases.push_back({what, data});
  };
  changed("another driver's UUID", 16);
  changed("another vendor", 8);
  changed("a bad header size", 0);
  changed("a flipped byte in an entry's header", 40);
  changed("a flipped byte in the machine code", good.size() - good.size() / 3);
  cases.push_back({"truncated inside the header", {good.begin(), good.begin() + 20}});
  cases.push_back({"truncated inside an entry", {good.begin(), good.end() - 1}});
  std::vector<uint8_t> appended = good;
  appended.insert(appended.end(), {1, 2, 3, 4, 5, 6, 7});
  cases.push_back({"garbage after the last entry", appended});

  test::Device device(instance);
  for (const Case& c : cases) {
    INFO("initial data: " << c.what);
    forgetMessages(instance);
    VkPipelineCache cache = createCache(device, c.data);
    CHECK(countMessages(instance, "the initial data") == 1);
    CHECK(cacheData(device, cache).size() == 32);  // empty: the header alone
    {
      Saxpy saxpy(device, 0, cache);
      CHECK(countMessages(instance, kCompiled) == 1);
      checkSaxpy(device, saxpy);
    }
    vkDestroyPipelineCache(device.handle, cache, nullptr);
  }
}

TEST_CASE("pipeline cache: several threads create pipelines with one cache at once",
          "[compute][pipeline_cache]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance);
  VkPipelineCache cache = createCache(device);
  Saxpy first(device, 0, cache);  // its layout serves every pipeline below
  const std::vector<uint32_t> words = spirv("saxpy.optimized.spv");
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, nullptr, 0,
                                      words.size() * 4, words.data()};
  VkShaderModule module = VK_NULL_HANDLE;
  VK_CHECK(vkCreateShaderModule(device.handle, &moduleInfo, nullptr, &module));
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                nullptr,
                0,
                VK_SHADER_STAGE_COMPUTE_BIT,
                module,
                "main",
                nullptr};
  info.layout = first.layout;
  // Catch2's assertions are not thread-safe: the threads only record, the test checks after.
  constexpr int kThreads = 4, kEach = 8;
  std::vector<VkResult> results(kThreads * kEach, VK_ERROR_UNKNOWN);
  std::vector<VkPipeline> pipelines(kThreads * kEach, VK_NULL_HANDLE);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t * kEach; i < (t + 1) * kEach; ++i) {
        results[i] =
            vkCreateComputePipelines(device.handle, cache, 1, &info, nullptr, &pipelines[i]);
        // Reading the cache while others write it, too.
        size_t size = 0;
        vkGetPipelineCacheData(device.handle, cache, &size, nullptr);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < pipelines.size(); ++i) {
    CHECK(results[i] == VK_SUCCESS);
    vkDestroyPipeline(device.handle, pipelines[i], nullptr);
  }
  CHECK(countMessages(instance, kCompiled) == 1);  // only `first` compiled
  CHECK(countMessages(instance, kFromPipelineCache) == kThreads * kEach);
  vkDestroyShaderModule(device.handle, module, nullptr);
  vkDestroyPipelineCache(device.handle, cache, nullptr);
}

TEST_CASE("disk cache: a second instance links the code from the disk, without LLVM",
          "[compute][pipeline_cache]") {
  test::Instance probeInstance;
  if (!probe::isEmvk(probeInstance.physical)) return;
  DiskCacheFolder folder;
  {
    test::Instance instance;
    test::Device device(instance);
    Saxpy saxpy(device, 0);
    CHECK(countMessages(instance, kCompiled) == 1);
  }
  REQUIRE(folder.files().size() == 1);
  CHECK(folder.files()[0].extension() == ".emvk");

  // A hit writes no dump: EMVK_DUMP_SHADERS shows what LLVM did, and it did nothing.
  const std::filesystem::path dump = folder.path / "dump";
  setenv("EMVK_DUMP_SHADERS", dump.c_str(), 1);
  test::Instance instance;
  test::Device device(instance);
  VkPipelineCache cache = createCache(device);
  {
    Saxpy saxpy(device, 0, cache);
    CHECK(countMessages(instance, kFromDiskCache) == 1);
    CHECK(countMessages(instance, kCompiled) == 0);
    checkSaxpy(device, saxpy);
  }
  unsetenv("EMVK_DUMP_SHADERS");
  CHECK(!std::filesystem::exists(dump));
  // The disk's code went into the VkPipelineCache given.
  CHECK(cacheData(device, cache).size() > 32);
  vkDestroyPipelineCache(device.handle, cache, nullptr);
}

TEST_CASE("disk cache: EMVK_SHADER_CACHE=0 writes nothing", "[compute][pipeline_cache]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  DiskCacheFolder folder(/*enabled=*/false);
  test::Device device(instance);
  { Saxpy saxpy(device, 0); }
  CHECK(countMessages(instance, kCompiled) == 1);
  CHECK(!std::filesystem::exists(folder.path));
}

TEST_CASE("disk cache: a corrupted file is a miss, removed and written again",
          "[compute][pipeline_cache]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  DiskCacheFolder folder;
  test::Device device(instance);
  { Saxpy saxpy(device, 0); }
  REQUIRE(folder.files().size() == 1);
  const std::filesystem::path file = folder.files()[0];
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    const auto middle = static_cast<std::streamoff>(std::filesystem::file_size(file) / 2);
    f.seekg(middle);
    const char byte = static_cast<char>(f.get());
    f.seekp(middle);
    f.put(static_cast<char>(~byte));
  }
  forgetMessages(instance);
  {
    Saxpy saxpy(device, 0);
    CHECK(countMessages(instance, "removed") == 1);
    CHECK(countMessages(instance, kCompiled) == 1);
    checkSaxpy(device, saxpy);
  }
  // The compile wrote a good file again: the next pipeline is a hit.
  forgetMessages(instance);
  { Saxpy saxpy(device, 0); }
  CHECK(countMessages(instance, kFromDiskCache) == 1);
  CHECK(countMessages(instance, kCompiled) == 0);
}
