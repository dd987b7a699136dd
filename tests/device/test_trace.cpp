// EMVK_TRACE: the timeline a program gets, read back as a user's viewer would read it. Each test
// traces into a file of its own, checks it against docs/trace/trace_event.schema.json (the JSON
// object form of the trace-event format, the one Perfetto's JSON importer reads) and then checks
// the events, their arguments, their nesting and their order.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "compute/jit_shaders.hpp"
#include "compute/pipeline.hpp"
#include "device/json.hpp"
#include "harness.hpp"
#include "interop/external_semaphore.hpp"
#include "tools/json_schema.hpp"
#include "tools/scoped_env.hpp"

namespace {

using emvk::json::Value;

using test::ScopedEnv;

std::string tempPath(const std::string& leaf) {
  auto dir =
      std::filesystem::temp_directory_path() / ("emvk-trace-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / leaf;
  std::filesystem::remove(path);
  return path.string();
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The file parsed and checked against the schema.
Value readTrace(const std::string& path) {
  auto parsed = emvk::json::parse(readFile(path));
  INFO(path << ": " << parsed.error);
  REQUIRE(parsed.value);
  auto schemaText =
      readFile(std::string(EMVK_TEST_SOURCE_DIR) + "/docs/trace/trace_event.schema.json");
  auto schema = emvk::json::parse(schemaText);
  REQUIRE(schema.value);
  test::SchemaChecker checker(*schema.value);
  auto problems = checker.check(*parsed.value);
  for (const auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
  return std::move(*parsed.value);
}

const std::vector<Value>& events(const Value& trace) { return trace.find("traceEvents")->array(); }

std::string str(const Value& event, std::string_view key) {
  const Value* v = event.find(key);
  return v && v->isString() ? v->string() : std::string();
}
double num(const Value& event, std::string_view key) {
  const Value* v = event.find(key);
  return v && v->isNumber() ? v->number() : -1;
}
const Value* arg(const Value& event, std::string_view key) { return event.at({"args", key}); }

// tid of the track called `name` in process `pid` (from thread_name metadata), or -1.
double trackOf(const Value& trace, double pid, const std::string& name) {
  for (const Value& e : events(trace))
    if (str(e, "ph") == "M" && str(e, "name") == "thread_name" && num(e, "pid") == pid &&
        arg(e, "name") && arg(e, "name")->string() == name)
      return num(e, "tid");
  return -1;
}

// Complete slices of one track, by start time.
std::vector<const Value*> slices(const Value& trace, double pid, double tid) {
  std::vector<const Value*> out;
  for (const Value& e : events(trace))
    if (str(e, "ph") == "X" && num(e, "pid") == pid && num(e, "tid") == tid) out.push_back(&e);
  std::stable_sort(out.begin(), out.end(),
                   [](const Value* a, const Value* b) { return num(*a, "ts") < num(*b, "ts"); });
  return out;
}

bool inside(const Value& inner, const Value& outer) {
  // Timestamps carry three decimals: allow one nanosecond of rounding at each end.
  return num(inner, "ts") + 0.002 >= num(outer, "ts") &&
         num(inner, "ts") + num(inner, "dur") <= num(outer, "ts") + num(outer, "dur") + 0.002;
}

void submitWithTimeline(VkQueue queue, VkCommandBuffer cb, VkSemaphore semaphore,
                        uint64_t waitValue, uint64_t signalValue, VkFence fence) {
  VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.pNext = &values;
  if (waitValue) {
    values.waitSemaphoreValueCount = 1;
    values.pWaitSemaphoreValues = &waitValue;
    submit.waitSemaphoreCount = 1;
    submit.pWaitSemaphores = &semaphore;
    submit.pWaitDstStageMask = &stage;
  }
  if (signalValue) {
    values.signalSemaphoreValueCount = 1;
    values.pSignalSemaphoreValues = &signalValue;
    submit.signalSemaphoreCount = 1;
    submit.pSignalSemaphores = &semaphore;
  }
  if (cb) {
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cb;
  }
  REQUIRE(vkQueueSubmit(queue, 1, &submit, fence) == VK_SUCCESS);
}

}  // namespace

TEST_CASE("trace: a compute submission's timeline, nested and in order", "[trace]") {
  const std::string path = tempPath("compute.json");
  ScopedEnv trace("EMVK_TRACE", path);
  ScopedEnv noDiskCache("EMVK_SHADER_CACHE", "0");  // the pipeline must really compile
  float result = 0;
  {
    test::Instance instance;
    VkPhysicalDeviceTimelineSemaphoreFeatures timeline{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES, nullptr, VK_TRUE};
    test::Device device(instance, {.queueCount = 2,
                                   .extensions = {VK_KHR_TIMELINE_SEMAPHORE_EXTENSION_NAME},
                                   .pNext = &timeline});
    const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                     VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                     VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    test::Buffer x = device.createBuffer(4096, usage);
    test::Buffer y = device.createBuffer(4096, usage);
    test::Buffer z = device.createBuffer(4096, usage);
    compute_test::Program program(device, compute_test::jitShader("saxpy.optimized.spv"), 2, 8);
    VkPipeline pipeline = program.pipeline();
    program.bindBuffers({&x, &y});
    VkSemaphore semaphore = external::createSemaphore(device, true, false);

    VkCommandBuffer cb = device.begin();
    auto setName = instance.proc<PFN_vkSetDebugUtilsObjectNameEXT>("vkSetDebugUtilsObjectNameEXT");
    VkDebugUtilsObjectNameInfoEXT name{VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT, nullptr,
                                       VK_OBJECT_TYPE_COMMAND_BUFFER,
                                       reinterpret_cast<uint64_t>(cb), "saxpy work"};
    REQUIRE(setName(device.handle, &name) == VK_SUCCESS);
    vkCmdFillBuffer(cb, x.buffer, 0, VK_WHOLE_SIZE, 0x3f800000);  // 1.0f
    vkCmdFillBuffer(cb, y.buffer, 0, VK_WHOLE_SIZE, 0x40000000);  // 2.0f
    VkMemoryBarrier toShader{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr,
                             VK_ACCESS_TRANSFER_WRITE_BIT,
                             VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT};
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         0, 1, &toShader, 0, nullptr, 0, nullptr);
    program.bind(cb, pipeline);
    struct {
      float a;
      uint32_t n;
    } push{3.0f, 1024};
    program.push(cb, push);
    vkCmdDispatch(cb, 16, 1, 1);
    VkMemoryBarrier toCopy{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT,
                           VK_ACCESS_TRANSFER_READ_BIT};
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                         0, 1, &toCopy, 0, nullptr, 0, nullptr);
    VkBufferCopy region{0, 0, 4096};
    vkCmdCopyBuffer(cb, y.buffer, z.buffer, 1, &region);
    test::barrierToHost(cb);
    REQUIRE(vkEndCommandBuffer(cb) == VK_SUCCESS);

    // Queue 0 waits for value 5, which queue 1 signals (whichever of the two gets there first).
    VkFence fence = device.createFence();
    submitWithTimeline(device.queues[0], cb, semaphore, 5, 0, fence);
    submitWithTimeline(device.queues[1], VK_NULL_HANDLE, semaphore, 0, 5, VK_NULL_HANDLE);
    REQUIRE(vkWaitForFences(device.handle, 1, &fence, VK_TRUE, UINT64_MAX) == VK_SUCCESS);
    result = z.as<float>()[1023];
    vkDestroyFence(device.handle, fence, nullptr);
    vkDestroySemaphore(device.handle, semaphore, nullptr);
    device.destroy(x);
    device.destroy(y);
    device.destroy(z);
  }
  CHECK(result == 5.0f);  // 3 * 1 + 2: the traced work did its job

  const Value t = readTrace(path);
  const double pid = getpid();
  for (const Value& e : events(t)) REQUIRE(num(e, "pid") == pid);
  const double queue0 = trackOf(t, pid, "queue 0.0");
  const double queue1 = trackOf(t, pid, "queue 0.1");
  REQUIRE(queue0 >= 0);
  REQUIRE(queue1 >= 0);

  // Queue 0's track: the submission, its wait, the command buffer and its commands in order.
  std::vector<const Value*> track;
  for (const Value* s : slices(t, pid, queue0))
    if (str(*s, "name") != "workgroups") track.push_back(s);
  std::vector<std::string> names;
  for (const Value* s : track) names.push_back(str(*s, "name"));
  const std::vector<std::string> expected{
      "submit",          "wait semaphore",       "command buffer", "vkCmdFillBuffer",
      "vkCmdFillBuffer", "vkCmdPipelineBarrier", "vkCmdDispatch",  "vkCmdPipelineBarrier",
      "vkCmdCopyBuffer", "vkCmdPipelineBarrier"};
  REQUIRE(names == expected);
  const Value& submit = *track[0];
  const Value& wait = *track[1];
  const Value& commandBuffer = *track[2];
  CHECK(inside(wait, submit));
  CHECK(inside(commandBuffer, submit));
  CHECK(num(commandBuffer, "ts") >= num(wait, "ts") + num(wait, "dur") - 0.002);
  CHECK(arg(commandBuffer, "commandBuffer")->string() == "saxpy work");
  CHECK(arg(commandBuffer, "commands")->unsignedInteger() == 7u);
  for (size_t i = 3; i < track.size(); ++i) CHECK(inside(*track[i], commandBuffer));
  CHECK(arg(wait, "value")->unsignedInteger() == 5u);

  const Value& fill = *track[3];
  CHECK(arg(fill, "bytes")->unsignedInteger() == 4096u);
  CHECK(arg(fill, "data")->string() == "0x3f800000");
  const Value& dispatch = *track[6];
  CHECK(arg(dispatch, "groupCountX")->unsignedInteger() == 16u);
  CHECK(arg(dispatch, "groupCountY")->unsignedInteger() == 1u);
  CHECK(arg(dispatch, "groupCountZ")->unsignedInteger() == 1u);
  CHECK(arg(dispatch, "localSize")->string() == "64x1x1");
  CHECK(arg(dispatch, "invocations")->unsignedInteger() == 1024u);
  CHECK(arg(*track[5], "memoryBarriers")->unsignedInteger() == 1u);
  CHECK(arg(*track[5], "srcStageMask")->string() == "0x1000");  // TRANSFER
  CHECK(arg(*track[8], "bytes")->unsignedInteger() == 4096u);

  // The dispatch's workgroups, spread over workers: every one of the 16 exactly once, each piece
  // within the dispatch's time.
  uint64_t workgroups = 0;
  for (const Value& e : events(t)) {
    if (str(e, "name") != "workgroups") continue;
    workgroups += *arg(e, "count")->unsignedInteger();
    CHECK(inside(e, dispatch));
  }
  CHECK(workgroups == 16u);

  // Queue 1 signals value 5; an arrow goes from that signal to queue 0's wait, which ends after it.
  const Value* signal = nullptr;
  for (const Value& e : events(t))
    if (str(e, "name") == "signal semaphore" && num(e, "tid") == queue1) signal = &e;
  REQUIRE(signal);
  CHECK(arg(*signal, "value")->unsignedInteger() == 5u);
  CHECK(num(wait, "ts") + num(wait, "dur") + 0.002 >= num(*signal, "ts"));
  const Value *flowStart = nullptr, *flowEnd = nullptr;
  for (const Value& e : events(t)) {
    if (str(e, "cat") != "sync") continue;
    if (str(e, "ph") == "s" && num(e, "tid") == queue1) flowStart = &e;
    if (str(e, "ph") == "f" && num(e, "tid") == queue0) flowEnd = &e;
  }
  REQUIRE(flowStart);
  REQUIRE(flowEnd);
  CHECK(num(*flowStart, "id") == num(*flowEnd, "id"));
  CHECK(inside(*flowEnd, wait));  // the arrow ends on the wait it released

  // The application's thread: the pipeline was compiled by LLVM before the work ran, and each
  // vkQueueSubmit has an arrow to where its queue ran it.
  const Value* build = nullptr;
  for (const Value& e : events(t))
    if (str(e, "cat") == "jit" && str(e, "name").rfind("build pipeline ", 0) == 0) build = &e;
  REQUIRE(build);
  CHECK(arg(*build, "code")->string() == "compiled by LLVM");
  CHECK(arg(*build, "entry")->string() == "main");
  CHECK(num(*build, "ts") + num(*build, "dur") <= num(dispatch, "ts"));
  std::map<double, int> submitFlows;
  for (const Value& e : events(t))
    if (str(e, "cat") == "submit") submitFlows[num(e, "id")] += str(e, "ph") == "s" ? 1 : 10;
  CHECK(submitFlows.size() == 2);
  for (auto [id, count] : submitFlows) CHECK(count == 11);  // one start, one end each

  // Memory: every allocation and free, and a counter that ends where it started.
  int allocations = 0, frees = 0;
  double lastCounter = -1;
  for (const Value& e : events(t)) {
    allocations += str(e, "name") == "vkAllocateMemory";
    frees += str(e, "name") == "vkFreeMemory";
    if (str(e, "ph") == "C") lastCounter = arg(e, "bytes")->number();
  }
  CHECK(allocations >= 3);
  CHECK(frees == allocations);
  CHECK(lastCounter == 0);
}

TEST_CASE("trace: the external-memory demo's two processes share one timeline", "[trace]") {
  const std::string path = tempPath("external_demo.json");
  const std::string png = tempPath("external_demo.png");
  const std::string command = "EMVK_TRACE='" + path + "' " + EMVK_TEST_BINARY_DIR +
                              "/docs/examples/external_demo '" + png + "' >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  const Value t = readTrace(path);

  // Two processes, each named; the producer exports, the consumer imports what it exported.
  std::map<double, std::string> processes;
  for (const Value& e : events(t))
    if (str(e, "name") == "process_name") processes[num(e, "pid")] = arg(e, "name")->string();
  REQUIRE(processes.size() == 2);
  const Value *exported = nullptr, *imported = nullptr, *exportedSemaphore = nullptr,
              *importedSemaphore = nullptr;
  for (const Value& e : events(t)) {
    if (str(e, "name") == "export memory") exported = &e;
    if (str(e, "name") == "import memory") imported = &e;
    if (str(e, "name") == "export semaphore") exportedSemaphore = &e;
    if (str(e, "name") == "import semaphore") importedSemaphore = &e;
  }
  REQUIRE(exported);
  REQUIRE(imported);
  CHECK(num(*exported, "pid") != num(*imported, "pid"));
  CHECK(arg(*imported, "exporterPid")->number() == num(*exported, "pid"));
  CHECK(arg(*imported, "inode")->unsignedInteger() == arg(*exported, "inode")->unsignedInteger());
  CHECK(arg(*imported, "size")->unsignedInteger() == 262144u);
  CHECK(arg(*exported, "size")->unsignedInteger() == 262144u);
  CHECK(arg(*imported, "dedicatedImage")->string().find("256x256") != std::string::npos);
  REQUIRE(exportedSemaphore);
  REQUIRE(importedSemaphore);
  CHECK(arg(*importedSemaphore, "inode")->unsignedInteger() ==
        arg(*exportedSemaphore, "inode")->unsignedInteger());

  // The producer releases the image to VK_QUEUE_FAMILY_EXTERNAL in GENERAL, then signals; an arrow
  // crosses from its queue to the consumer queue's wait.
  bool released = false;
  for (const Value& e : events(t))
    if (str(e, "name") == "vkCmdPipelineBarrier" && arg(e, "images") &&
        arg(e, "images")->string().find("GENERAL, queue family 0 -> EXTERNAL") != std::string::npos)
      released = num(e, "pid") == num(*exported, "pid");
  CHECK(released);
  const Value *start = nullptr, *end = nullptr;
  for (const Value& e : events(t)) {
    if (str(e, "cat") == "sync" && str(e, "ph") == "s") start = &e;
    if (str(e, "cat") == "sync" && str(e, "ph") == "f") end = &e;
  }
  REQUIRE(start);
  REQUIRE(end);
  CHECK(num(*start, "id") == num(*end, "id"));
  CHECK(num(*start, "pid") == num(*exported, "pid"));
  CHECK(num(*end, "pid") == num(*imported, "pid"));
}

TEST_CASE("trace: the schema check catches a malformed event", "[trace]") {
  // The checker the other tests rely on, on a slice without its duration and a flow id that a
  // JavaScript viewer would round.
  auto schema = emvk::json::parse(
      readFile(std::string(EMVK_TEST_SOURCE_DIR) + "/docs/trace/trace_event.schema.json"));
  REQUIRE(schema.value);
  test::SchemaChecker checker(*schema.value);
  auto good = emvk::json::parse(
      R"({"traceEvents":[{"name":"a","cat":"c","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}]})");
  CHECK(checker.check(*good.value).empty());
  auto noDuration = emvk::json::parse(
      R"({"traceEvents":[{"name":"a","cat":"c","ph":"X","ts":1,"pid":1,"tid":1}]})");
  CHECK(checker.check(*noDuration.value).size() == 1);
  auto bigId = emvk::json::parse(
      R"({"traceEvents":[{"name":"a","cat":"c","ph":"s","ts":1,"pid":1,"tid":1,"id":9007199254740993}]})");
  CHECK(!checker.check(*bigId.value).empty());
}

TEST_CASE("trace: instances one after another continue one file; off writes nothing", "[trace]") {
  const std::string path = tempPath("sequential.json");
  {
    ScopedEnv trace("EMVK_TRACE", path);
    for (int round = 0; round < 2; ++round) {
      test::Instance instance;
      test::Device device(instance);
      test::Buffer b = device.createBuffer(256);
      device.run([&](VkCommandBuffer cb) { vkCmdFillBuffer(cb, b.buffer, 0, 256, round); });
      device.destroy(b);
    }
  }
  const Value t = readTrace(path);
  int fills = 0;
  for (const Value& e : events(t)) fills += str(e, "name") == "vkCmdFillBuffer";
  CHECK(fills == 2);

  // Without EMVK_TRACE the same story leaves the file as it was.
  const std::string before = readFile(path);
  {
    test::Instance instance;
    test::Device device(instance);
    test::Buffer b = device.createBuffer(256);
    device.run([&](VkCommandBuffer cb) { vkCmdFillBuffer(cb, b.buffer, 0, 256, 7); });
    device.destroy(b);
  }
  CHECK(readFile(path) == before);
}

TEST_CASE("trace: %p names one file per process; an unwritable path only warns", "[trace]") {
  const std::string pattern = tempPath("per-process-%p.json");
  {
    ScopedEnv trace("EMVK_TRACE", pattern);
    test::Instance instance;
    test::Device device(instance);
  }
  std::string expected = pattern;
  expected.replace(expected.find("%p"), 2, std::to_string(getpid()));
  CHECK(std::filesystem::exists(expected));
  readTrace(expected);

  ScopedEnv trace("EMVK_TRACE", "/nonexistent-dir/emvk/trace.json");
  test::Instance instance;  // the driver works on, untraced, and says why
  CHECK(instance.messages.contains("EMVK_TRACE: cannot open /nonexistent-dir/emvk/trace.json"));
  test::Device device(instance);
  test::Buffer b = device.createBuffer(64);
  device.run([&](VkCommandBuffer cb) { vkCmdFillBuffer(cb, b.buffer, 0, 64, 0x01020304); });
  CHECK(b.as<uint32_t>()[15] == 0x01020304u);
  device.destroy(b);
}
