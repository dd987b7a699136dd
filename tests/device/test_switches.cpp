// The environment switches a user reaches for: EMVK_LOG and EMVK_THREADS. Checked on the demo
// program in a child process (the switches are read when the driver first needs them) and, for
// determinism, in-process with two devices made under different worker counts.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>

#include "harness.hpp"
#include "tools/probe.hpp"

namespace {

std::string demo() {
  return std::string(std::getenv("EMVK_BINARY_DIR")) + "/docs/examples/transfer_demo";
}

}  // namespace

TEST_CASE("switches: EMVK_LOG=info reports devices, EMVK_LOG=off is silent", "[switches]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  auto info = probe::runCommand("EMVK_LOG=info EMVK_THREADS=1 " + demo() + " 2>&1");
  CHECK(info.exitCode == 0);
  CHECK(info.output.find("emvk info: device created") != std::string::npos);
  // EMVK_THREADS is what the device really uses.
  CHECK(info.output.find("1 worker thread") != std::string::npos);

  auto three = probe::runCommand("EMVK_LOG=info EMVK_THREADS=3 " + demo() + " 2>&1");
  CHECK(three.output.find("3 worker threads") != std::string::npos);

  auto off = probe::runCommand("EMVK_LOG=off " + demo() + " 2>&1");
  CHECK(off.exitCode == 0);
  for (const char* level : {"emvk debug:", "emvk info:", "emvk warn:", "emvk error:"})
    CHECK(off.output.find(level) == std::string::npos);
  CHECK(off.output.find("-> OK") != std::string::npos);
}

TEST_CASE("switches: results do not depend on EMVK_THREADS", "[switches]") {
  const VkDeviceSize size = 24u << 20;  // large enough to be split over workers
  std::vector<uint8_t> results[2];
  const char* counts[2] = {"1", "2"};
  for (int run = 0; run < 2; ++run) {
    setenv("EMVK_THREADS", counts[run], 1);  // read when the device is created
    test::Instance instance;
    test::Device device(instance);
    auto src = device.createBuffer(size);
    auto dst = device.createBuffer(size);
    auto* words = src.as<uint32_t>();
    for (size_t i = 0; i < size / 4; ++i) words[i] = static_cast<uint32_t>(i * 2654435761u);
    device.run([&](VkCommandBuffer cb) {
      VkBufferCopy region{0, 0, size};
      vkCmdCopyBuffer(cb, src.buffer, dst.buffer, 1, &region);
      VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
      barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      barrier.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                           &barrier, 0, nullptr, 0, nullptr);
      vkCmdFillBuffer(cb, dst.buffer, 4096 + 4, size / 2, 0xDEADBEEF);
    });
    results[run].assign(dst.as<uint8_t>(), dst.as<uint8_t>() + size);
    device.destroy(src);
    device.destroy(dst);
  }
  unsetenv("EMVK_THREADS");
  REQUIRE(results[0].size() == size);
  CHECK(std::memcmp(results[0].data(), results[1].data(), size) == 0);
  // And the result is the right one, not merely the same wrong one twice.
  uint32_t word;
  std::memcpy(&word, results[0].data() + 4096 + 4, 4);
  CHECK(word == 0xDEADBEEF);
  std::memcpy(&word, results[0].data() + 4096, 4);
  CHECK(word == static_cast<uint32_t>(1024 * 2654435761u));
}
