// Bad imports through the loader: each gets VK_ERROR_INVALID_EXTERNAL_HANDLE, a message that says
// why, and leaves the application's fd open and unchanged (VkImportMemoryFdInfoKHR: ownership
// passes only on success). Nothing leaks, nothing hangs, nothing maps a file that could SIGBUS.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "harness.hpp"
#include "interop/external_buffer.hpp"
#include "tools/probe.hpp"

namespace {

test::DeviceOptions externalOptions() {
  test::DeviceOptions o;
  o.extensions = {VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
                  VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME};
  return o;
}

// Mappings of memfds in this process (/proc/self/maps names them "/memfd:..."): a refused import
// must not leave one behind. Other mappings come and go with the allocator, so they are not
// counted.
int mappingCount() {
  std::ifstream maps("/proc/self/maps");
  int memfds = 0;
  for (std::string line; std::getline(maps, line);)
    memfds += line.find("/memfd:") != std::string::npos;
  return memfds;
}

// Imports `fd` and checks the refusal: the code, the message, the fd left as it was, and no
// mapping left behind.
void expectRefused(test::Instance& instance, test::Device& device, int fd, VkDeviceSize size,
                   const std::string& reason) {
  const int mappingsBefore = mappingCount();
  struct stat before {};
  const bool open = fstat(fd, &before) == 0;
  {
    std::lock_guard lock(instance.messages.mutex);
    instance.messages.errors.clear();
  }
  external::SharedBuffer b;
  CHECK(external::importBuffer(device.handle, fd, size, size, device.hostVisibleMemoryType(), false,
                               b) == VK_ERROR_INVALID_EXTERNAL_HANDLE);
  {
    std::lock_guard lock(instance.messages.mutex);
    REQUIRE(instance.messages.errors.size() == 1);  // one clear message per refusal
    INFO(instance.messages.errors[0]);
    CHECK(instance.messages.errors[0].find(reason) != std::string::npos);
    CHECK(instance.messages.errors[0].find("stays open") != std::string::npos);
  }
  if (open) {
    struct stat after {};
    REQUIRE(fstat(fd, &after) == 0);
    CHECK(after.st_ino == before.st_ino);
    CHECK(after.st_size == before.st_size);
  }
  CHECK(mappingCount() == mappingsBefore);
}

int sealedMemfd(off_t size, unsigned seals) {
  int fd = memfd_create("not-emvk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  REQUIRE(fd >= 0);
  REQUIRE(ftruncate(fd, size) == 0);
  if (seals) REQUIRE(fcntl(fd, F_ADD_SEALS, seals) == 0);
  return fd;
}

}  // namespace

TEST_CASE("external: bad imports are refused with a reason and the fd untouched",
          "[external][memory]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  instance.expectInvalidUsage = true;  // every import here breaks a valid-usage rule on purpose
  test::Device device(instance, externalOptions());
  const VkDeviceSize size = 64 << 10;
  const int fdsBefore = test::openFdCount();

  SECTION("a closed fd") {
    expectRefused(instance, device, 1000000, size, "not an open file descriptor");
  }
  SECTION("a pipe (a read would block forever)") {
    int p[2];
    REQUIRE(pipe(p) == 0);
    expectRefused(instance, device, p[0], size, "is a pipe");
    close(p[0]);
    close(p[1]);
  }
  SECTION("a socket") {
    int s[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    expectRefused(instance, device, s[0], size, "is a socket");
    close(s[0]);
    close(s[1]);
  }
  SECTION("a regular file") {
    FILE* f = tmpfile();
    REQUIRE(f);
    REQUIRE(ftruncate(fileno(f), 1 << 20) == 0);
    expectRefused(instance, device, fileno(f), size, "fd ");
    fclose(f);
  }
  SECTION("another driver's memfd, unsealed") {
    int fd = sealedMemfd(1 << 20, 0);
    expectRefused(instance, device, fd, size, "unsealed memfd");
    close(fd);
  }
  SECTION("a sealed memfd that emvk did not export") {
    int fd = sealedMemfd(1 << 20, F_SEAL_SHRINK | F_SEAL_GROW);
    expectRefused(instance, device, fd, size, "not memory exported by emvk");
    close(fd);
  }
  SECTION("a memfd too small for any export") {
    int fd = sealedMemfd(100, F_SEAL_SHRINK | F_SEAL_GROW);
    expectRefused(instance, device, fd, size, "too small");
    close(fd);
  }
  SECTION("an allocationSize that differs from the exported allocation") {
    external::SharedBuffer exported;
    REQUIRE(external::exportableBuffer(device.handle, size, device.hostVisibleMemoryType(), false,
                                       exported) == VK_SUCCESS);
    int fd = -1;
    REQUIRE(external::exportFd(device.handle, exported.memory, &fd) == VK_SUCCESS);
    expectRefused(instance, device, fd, size / 2, "differs from the exported allocation");
    close(fd);
    external::destroy(device.handle, exported);
  }
  SECTION("an importing buffer that differs from the exporter's dedicated buffer") {
    external::SharedBuffer exported;
    REQUIRE(external::exportableBuffer(device.handle, size, device.hostVisibleMemoryType(), true,
                                       exported) == VK_SUCCESS);
    int fd = -1;
    REQUIRE(external::exportFd(device.handle, exported.memory, &fd) == VK_SUCCESS);
    // Not dedicated at all: the exporter's record says it must be.
    expectRefused(instance, device, fd, size, "dedicated this memory to a buffer");
    close(fd);
    external::destroy(device.handle, exported);
  }
  CHECK(test::openFdCount() == fdsBefore);
}

TEST_CASE("external: handleType 0 imports nothing and leaves the fd alone", "[external][memory]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, externalOptions());
  int p[2];
  REQUIRE(pipe(p) == 0);
  VkImportMemoryFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
  import.handleType = static_cast<VkExternalMemoryHandleTypeFlagBits>(0);
  import.fd = p[0];
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &import, 4096,
                             device.hostVisibleMemoryType()};
  VkDeviceMemory memory;
  REQUIRE(vkAllocateMemory(device.handle, &alloc, nullptr, &memory) == VK_SUCCESS);
  CHECK(fcntl(p[0], F_GETFD) >= 0);  // still open: it was never the driver's
  vkFreeMemory(device.handle, memory, nullptr);
  close(p[0]);
  close(p[1]);
}

TEST_CASE("external: host memory is imported zero-copy, and misaligned pointers are refused",
          "[external][memory]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  test::Device device(instance, externalOptions());
  auto properties =
      device.proc<PFN_vkGetMemoryHostPointerPropertiesEXT>("vkGetMemoryHostPointerPropertiesEXT");
  REQUIRE(properties);

  VkPhysicalDeviceExternalMemoryHostPropertiesEXT host{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
  VkPhysicalDeviceProperties2 p2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &host};
  vkGetPhysicalDeviceProperties2(instance.physical, &p2);
  REQUIRE(host.minImportedHostPointerAlignment == 4096);

  const size_t size = 1 << 20;
  void* pages = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(pages != MAP_FAILED);
  VkMemoryHostPointerPropertiesEXT pointerProps{
      VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
  REQUIRE(properties(device.handle, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, pages,
                     &pointerProps) == VK_SUCCESS);
  CHECK((pointerProps.memoryTypeBits & (1u << device.hostVisibleMemoryType())) != 0);

  VkExternalMemoryBufferCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  external.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, &external, 0, size,
                        VK_BUFFER_USAGE_TRANSFER_DST_BIT};
  VkBuffer buffer;
  REQUIRE(vkCreateBuffer(device.handle, &bi, nullptr, &buffer) == VK_SUCCESS);
  VkImportMemoryHostPointerInfoEXT import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
  import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
  import.pHostPointer = pages;
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &import, size,
                             device.hostVisibleMemoryType()};
  VkDeviceMemory memory;
  REQUIRE(vkAllocateMemory(device.handle, &alloc, nullptr, &memory) == VK_SUCCESS);
  REQUIRE(vkBindBufferMemory(device.handle, buffer, memory, 0) == VK_SUCCESS);
  // A queue fill lands in the application's own pages: no copy in between.
  device.run([&](VkCommandBuffer cb) {
    vkCmdFillBuffer(cb, buffer, 0, VK_WHOLE_SIZE, 0x600DF00D);
    test::barrierToHost(cb);
  });
  CHECK(static_cast<uint32_t*>(pages)[size / 4 - 1] == 0x600DF00D);
  vkDestroyBuffer(device.handle, buffer, nullptr);
  vkFreeMemory(device.handle, memory, nullptr);
  CHECK(static_cast<uint32_t*>(pages)[0] == 0x600DF00D);  // freeing did not unmap the app's pages

  SECTION("a misaligned pointer is refused by the query and the import") {
    instance.expectInvalidUsage = true;
    void* odd = static_cast<char*>(pages) + 64;
    CHECK(properties(device.handle, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, odd,
                     &pointerProps) == VK_ERROR_INVALID_EXTERNAL_HANDLE);
    import.pHostPointer = odd;
    alloc.allocationSize = 4096;
    CHECK(vkAllocateMemory(device.handle, &alloc, nullptr, &memory) ==
          VK_ERROR_INVALID_EXTERNAL_HANDLE);
    CHECK(instance.messages.contains("not aligned to 4096"));
  }
  munmap(pages, size);
}

TEST_CASE("external: capability queries answer what emvk can export and import",
          "[external][memory]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  auto query = [&](VkExternalMemoryHandleTypeFlagBits type) {
    VkPhysicalDeviceExternalBufferInfo info{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO};
    info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    info.handleType = type;
    VkExternalBufferProperties out{VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES};
    vkGetPhysicalDeviceExternalBufferProperties(instance.physical, &info, &out);
    return out.externalMemoryProperties;
  };
  auto fd = query(VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT);
  CHECK(fd.externalMemoryFeatures ==
        (VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT | VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT));
  CHECK(fd.compatibleHandleTypes == VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT);
  CHECK(fd.exportFromImportedHandleTypes == VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT);
  auto host = query(VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT);
  CHECK(host.externalMemoryFeatures == VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT);
  // dma-bufs come from kernel drivers; emvk has none to offer.
  auto dmabuf = query(VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT);
  CHECK(dmabuf.externalMemoryFeatures == 0);
  CHECK(dmabuf.compatibleHandleTypes == 0);
}
