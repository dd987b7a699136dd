// Sharing device memory through opaque fds: between two VkInstances of one process and between
// two processes, written on one side (by mapping and by queue commands) and read on the other,
// byte for byte. The peer process is tests/programs/external_peer.cpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "harness.hpp"
#include "interop/external_buffer.hpp"
#include "interop/fd_passing.hpp"
#include "interop/peer.hpp"
#include "tools/probe.hpp"

namespace {

test::DeviceOptions externalOptions() {
  test::DeviceOptions o;
  o.extensions = {VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME};
  return o;
}

void copyOnQueue(test::Device& device, VkBuffer src, VkBuffer dst, VkDeviceSize size) {
  device.run([&](VkCommandBuffer cb) {
    VkBufferCopy region{0, 0, size};
    vkCmdCopyBuffer(cb, src, dst, 1, &region);
    test::barrierToHost(cb);
  });
}

}  // namespace

TEST_CASE("external: a buffer is shared both ways between two instances of one process",
          "[external][memory]") {
  test::Instance first, second;
  if (!probe::isEmvk(first.physical)) return;
  test::Device a(first, externalOptions()), b(second, externalOptions());
  const VkDeviceSize size = 3 << 20;

  for (bool dedicated : {false, true}) {
    INFO("dedicated " << dedicated);
    external::SharedBuffer exported;
    REQUIRE(external::exportableBuffer(a.handle, size, a.hostVisibleMemoryType(), dedicated,
                                       exported) == VK_SUCCESS);
    int fd = -1;
    REQUIRE(external::exportFd(a.handle, exported.memory, &fd) == VK_SUCCESS);
    // vkGetMemoryFdKHR hands out a new close-on-exec descriptor every time.
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    int again = -1;
    REQUIRE(external::exportFd(a.handle, exported.memory, &again) == VK_SUCCESS);
    CHECK(again != fd);
    close(again);

    external::SharedBuffer imported;
    REQUIRE(external::importBuffer(b.handle, fd, size, exported.allocationSize, exported.memoryType,
                                   dedicated, imported) == VK_SUCCESS);

    // A writes by mapping; B reads with a queue copy into its own buffer.
    external::writePattern(exported.data, size, 11);
    auto local = b.createBuffer(size);
    copyOnQueue(b, imported.buffer, local.buffer, size);
    CHECK(external::firstMismatch(local.data, size, 11) == -1);

    // B writes with a queue copy; A reads by mapping, and through its own queue.
    external::writePattern(local.data, size, 12);
    copyOnQueue(b, local.buffer, imported.buffer, size);
    CHECK(external::firstMismatch(exported.data, size, 12) == -1);
    auto back = a.createBuffer(size);
    copyOnQueue(a, exported.buffer, back.buffer, size);
    CHECK(external::firstMismatch(back.data, size, 12) == -1);

    a.destroy(back);
    b.destroy(local);
    external::destroy(b.handle, imported);
    external::destroy(a.handle, exported);
  }
}

TEST_CASE("external: a buffer is shared with another process over SCM_RIGHTS",
          "[external][memory]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, externalOptions());
  const VkDeviceSize size = 1 << 20;

  external::SharedBuffer exported;
  REQUIRE(external::exportableBuffer(device.handle, size, device.hostVisibleMemoryType(), false,
                                     exported) == VK_SUCCESS);
  // Written with a queue command here, read and rewritten with queue commands there.
  auto staging = device.createBuffer(size);
  external::writePattern(staging.data, size, 21);
  copyOnQueue(device, staging.buffer, exported.buffer, size);
  int fd = -1;
  REQUIRE(external::exportFd(device.handle, exported.memory, &fd) == VK_SUCCESS);

  external::Peer peer;
  auto m = fdpass::message("import-check-write", size, exported.memoryType, 21, 22);
  CHECK(peer.request(m, fd) == "ok");
  close(fd);  // the peer received its own copy of the descriptor
  CHECK(external::firstMismatch(exported.data, size, 22) == -1);

  device.destroy(staging);
  external::destroy(device.handle, exported);
}

TEST_CASE("external: the payload outlives an exporter that frees its memory and exits",
          "[external][memory]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, externalOptions());
  const VkDeviceSize size = 2 << 20;
  int fd = -1;
  {
    external::Peer peer;
    auto m = fdpass::message("export-and-exit", size, device.hostVisibleMemoryType(), 31);
    REQUIRE(peer.request(m, -1, &fd) == "ok");
    peer.wait();  // the exporter has freed everything and is gone
  }
  REQUIRE(fd >= 0);
  external::SharedBuffer imported;
  REQUIRE(external::importBuffer(device.handle, fd, size, size, device.hostVisibleMemoryType(),
                                 false, imported) == VK_SUCCESS);
  CHECK(external::firstMismatch(imported.data, size, 31) == -1);
  external::destroy(device.handle, imported);
}
