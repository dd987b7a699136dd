// external_demo: two processes share one image through external memory, with no copy between
// them. The producer draws a picture into an image on its queue and hands the image's memory and a
// semaphore to the consumer as file descriptors; the consumer, with its own VkInstance and
// VkDevice, imports both, reads the picture back on its queue and writes it to a PNG file.
//
//   external_demo [out.png]                     the producer; it starts the consumer itself
//   external_demo --consumer <socket-fd> <png>  the consumer (started by the producer)
//   external_demo --check-png <png>             checks a PNG written by the demo
//
// The walk-through is docs/EXTERNAL_DEMO.md. Plain Vulkan 1.1 through the loader: it runs on any
// driver that can share OPAQUE_FD memory and semaphores (VK_DRIVER_FILES picks emvk).
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vulkan/vulkan.h>
#include <zlib.h>

#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Printing and errors

const char* g_role = "producer";  // prefixes every line, so the two processes' output reads apart

__attribute__((format(printf, 1, 2))) void say(const char* format, ...) {
  std::printf("[%s] ", g_role);
  va_list args;
  va_start(args, format);
  std::vprintf(format, args);
  va_end(args);
  std::printf("\n");
}

__attribute__((format(printf, 1, 2))) bool fail(const char* format, ...) {
  std::fprintf(stderr, "[%s] error: ", g_role);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fprintf(stderr, "\n");
  return false;
}

// The VkResults this demo can meet, by name: vulkan.h has no such table.
const char* resultName(VkResult r) {
#define NAMED(x) \
  { x, #x }
  static constexpr struct {
    VkResult result;
    const char* name;
  } kNames[] = {NAMED(VK_SUCCESS),
                NAMED(VK_NOT_READY),
                NAMED(VK_TIMEOUT),
                NAMED(VK_INCOMPLETE),
                NAMED(VK_ERROR_OUT_OF_HOST_MEMORY),
                NAMED(VK_ERROR_OUT_OF_DEVICE_MEMORY),
                NAMED(VK_ERROR_INITIALIZATION_FAILED),
                NAMED(VK_ERROR_DEVICE_LOST),
                NAMED(VK_ERROR_MEMORY_MAP_FAILED),
                NAMED(VK_ERROR_LAYER_NOT_PRESENT),
                NAMED(VK_ERROR_EXTENSION_NOT_PRESENT),
                NAMED(VK_ERROR_FEATURE_NOT_PRESENT),
                NAMED(VK_ERROR_INCOMPATIBLE_DRIVER),
                NAMED(VK_ERROR_TOO_MANY_OBJECTS),
                NAMED(VK_ERROR_FORMAT_NOT_SUPPORTED),
                NAMED(VK_ERROR_UNKNOWN),
                NAMED(VK_ERROR_OUT_OF_POOL_MEMORY),
                NAMED(VK_ERROR_INVALID_EXTERNAL_HANDLE)};
#undef NAMED
  for (const auto& entry : kNames)
    if (entry.result == r) return entry.name;
  return "an unnamed VkResult";
}

// Names the failed call (the text of `call` up to its '(') and its VkResult; returns false.
bool failed(const char* call, VkResult r) {
  const std::string name(call, std::strcspn(call, "("));
  return fail("%s returned %s (%d)", name.c_str(), resultName(r), static_cast<int>(r));
}

// Runs a Vulkan call; on failure, says which and why, and returns false from the enclosing
// function, whose Owned<> objects then destroy everything created so far.
#define VK_TRY(call)                                          \
  do {                                                        \
    const VkResult result_ = (call);                          \
    if (result_ != VK_SUCCESS) return failed(#call, result_); \
  } while (0)

// ---------------------------------------------------------------------------------------------
// Ownership: every object is destroyed on every path, errors included

// One Vulkan object of a device, destroyed when it goes out of scope.
template <typename Handle, void (*Destroy)(VkDevice, Handle, const VkAllocationCallbacks*)>
struct Owned {
  explicit Owned(VkDevice d) : device(d) {}
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (handle != VK_NULL_HANDLE) Destroy(device, handle, nullptr);
  }
  VkDevice device;
  Handle handle = VK_NULL_HANDLE;
};
using Image = Owned<VkImage, vkDestroyImage>;
using Memory = Owned<VkDeviceMemory, vkFreeMemory>;  // freeing also unmaps
using Buffer = Owned<VkBuffer, vkDestroyBuffer>;
using Semaphore = Owned<VkSemaphore, vkDestroySemaphore>;
using Fence = Owned<VkFence, vkDestroyFence>;

// A file descriptor, closed when it goes out of scope unless release()d to a new owner.
struct Fd {
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  int release() {
    const int f = fd;
    fd = -1;
    return f;
  }
  int fd = -1;
};

// ---------------------------------------------------------------------------------------------
// The picture: a 128x128 gradient square in the middle of a dark blue 256x256 image

constexpr uint32_t kWidth = 256, kHeight = 256, kTexel = 4;  // R8G8B8A8: 4 bytes a texel
constexpr uint32_t kSquare = 128, kSquareAt = 64;
constexpr uint8_t kBackground[4] = {24, 32, 64, 255};

// Texel (x, y) of the gradient square, RGBA.
void gradient(uint32_t x, uint32_t y, uint8_t* rgba) {
  rgba[0] = static_cast<uint8_t>(2 * x);
  rgba[1] = static_cast<uint8_t>(2 * y);
  rgba[2] = static_cast<uint8_t>(255 - (x + y));
  rgba[3] = 255;
}

// The whole picture as the consumer should see it, rows tightly packed: what the producer checks
// the consumer's checksum against, and what --check-png compares a PNG's pixels with.
std::vector<uint8_t> expectedPicture() {
  std::vector<uint8_t> pixels(size_t{kWidth} * kHeight * kTexel);
  for (uint32_t y = 0; y < kHeight; ++y) {
    for (uint32_t x = 0; x < kWidth; ++x) {
      uint8_t* texel = &pixels[(size_t{y} * kWidth + x) * kTexel];
      const bool inSquare =
          x >= kSquareAt && x < kSquareAt + kSquare && y >= kSquareAt && y < kSquareAt + kSquare;
      if (inSquare)
        gradient(x - kSquareAt, y - kSquareAt, texel);
      else
        std::memcpy(texel, kBackground, kTexel);
    }
  }
  return pixels;
}

uint32_t crc(const std::vector<uint8_t>& bytes) {
  return static_cast<uint32_t>(crc32(crc32(0, nullptr, 0), bytes.data(), bytes.size()));
}

// ---------------------------------------------------------------------------------------------
// What crosses the socket

// The shared image's create parameters. The consumer must create an image *identical* to the
// exporter's (VUID-VkMemoryDedicatedAllocateInfo-image-01878), so both sides build theirs from this
// one struct, and the producer sends its copy.
struct ImageParams {
  VkFormat format;
  uint32_t width, height;
  VkImageTiling tiling;
  VkImageUsageFlags usage;
};

constexpr ImageParams kSharedImage{
    VK_FORMAT_R8G8B8A8_UNORM, kWidth, kHeight, VK_IMAGE_TILING_OPTIMAL,
    VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT};

// Producer -> consumer, with the memory fd and the semaphore fd attached (SCM_RIGHTS). Both ends
// are this one program, so the structs travel as they are; a protocol between different programs
// would fix its byte layout.
struct Handoff {
  static constexpr uint32_t kMagic = 0x4F444E48;  // "HNDO"
  uint32_t magic;
  ImageParams image;
  // An OPAQUE_FD import names the exporter's allocationSize and memoryTypeIndex
  // (VUID-VkMemoryAllocateInfo-allocationSize-01742); nothing in the fd says them portably.
  VkDeviceSize allocationSize;
  uint32_t memoryTypeIndex;
  // OPAQUE_FD payloads are only meaningful to the same driver on the same device: the spec's
  // "External memory handle types compatibility" table asks both UUIDs to match.
  uint8_t driverUUID[VK_UUID_SIZE];
  uint8_t deviceUUID[VK_UUID_SIZE];
};

// Consumer -> producer, once the PNG is written.
struct Reply {
  uint32_t ok;
  uint32_t width, height;
  uint32_t pixelCrc;  // CRC-32 of the tightly packed pixels the consumer read back
  char text[256];
};

// Sends one message and, with SCM_RIGHTS, `count` descriptors. The kernel installs copies of them
// in the receiving process (new numbers, same open files), as dup() would; ours stay open.
bool sendMessage(int socket, const void* bytes, size_t size, const int* fds = nullptr,
                 int count = 0) {
  iovec io{const_cast<void*>(bytes), size};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  if (count > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(count * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds, count * sizeof(int));
  }
  // MSG_NOSIGNAL: a peer that died gives EPIPE here rather than killing us with SIGPIPE.
  if (sendmsg(socket, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(size)) return true;
  return fail("sendmsg: %s", std::strerror(errno));
}

// Receives one message of exactly `size` bytes; the descriptors that came with it go to `fds`
// (each owned by its Fd from now on, so none leaks on any path).
bool receiveMessage(int socket, void* bytes, size_t size, Fd* fds = nullptr, int count = 0) {
  iovec io{bytes, size};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  // MSG_CMSG_CLOEXEC: the received descriptors must not leak into programs we might exec.
  const ssize_t n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  int received = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const int inThis = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < inThis; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (received < count)
        fds[received++].fd = fd;
      else
        close(fd);  // more than we asked for: not ours to keep
    }
  }
  if (n == 0) return fail("the other process closed the socket (did it fail? see its errors)");
  if (n < 0) return fail("recvmsg: %s", std::strerror(errno));
  if (n != static_cast<ssize_t>(size) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
    return fail("malformed message (%zd bytes)", n);
  if (received != count) return fail("expected %d descriptors, received %d", count, received);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Vulkan: the instance and device each process makes for itself

struct Gpu {
  Gpu() = default;
  Gpu(const Gpu&) = delete;
  Gpu& operator=(const Gpu&) = delete;
  ~Gpu() {
    if (pool) vkDestroyCommandPool(device, pool, nullptr);
    if (device) vkDestroyDevice(device, nullptr);
    if (instance) vkDestroyInstance(instance, nullptr);
  }
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties properties{};
  VkPhysicalDeviceIDProperties ids{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  uint32_t family = 0;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  VkCommandPool pool = VK_NULL_HANDLE;
  // Extension commands come from the device, not from the loader's exports.
  PFN_vkGetMemoryFdKHR getMemoryFd = nullptr;
  PFN_vkGetSemaphoreFdKHR getSemaphoreFd = nullptr;
  PFN_vkImportSemaphoreFdKHR importSemaphoreFd = nullptr;
};

// The first queue family that can transfer (graphics and compute imply transfer).
bool pickQueueFamily(Gpu& gpu) {
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(gpu.physical, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(gpu.physical, &count, families.data());
  const VkQueueFlags transfer =
      VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT;
  for (gpu.family = 0; gpu.family < count; ++gpu.family)
    if (families[gpu.family].queueFlags & transfer) return true;
  return fail("no queue family can transfer");
}

bool createGpu(Gpu& gpu) {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "emvk external demo";
  app.apiVersion = VK_API_VERSION_1_1;  // the external-memory queries are core in 1.1
  VkInstanceCreateInfo instanceInfo{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  instanceInfo.pApplicationInfo = &app;
  VK_TRY(vkCreateInstance(&instanceInfo, nullptr, &gpu.instance));

  uint32_t count = 1;
  const VkResult enumerated = vkEnumeratePhysicalDevices(gpu.instance, &count, &gpu.physical);
  if (enumerated < 0 || count == 0) return fail("no Vulkan device found");
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &gpu.ids};
  vkGetPhysicalDeviceProperties2(gpu.physical, &properties);
  gpu.properties = properties.properties;
  if (!pickQueueFamily(gpu)) return false;

  // The _fd extensions add the fd entry points; the extensions they build on are core in 1.1
  // but are named too, for drivers that list them separately.
  const char* extensions[] = {
      VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
      VK_KHR_EXTERNAL_SEMAPHORE_EXTENSION_NAME, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME};
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queueInfo.queueFamilyIndex = gpu.family;
  queueInfo.queueCount = 1;
  queueInfo.pQueuePriorities = &priority;
  VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  deviceInfo.queueCreateInfoCount = 1;
  deviceInfo.pQueueCreateInfos = &queueInfo;
  deviceInfo.enabledExtensionCount = 4;
  deviceInfo.ppEnabledExtensionNames = extensions;
  VK_TRY(vkCreateDevice(gpu.physical, &deviceInfo, nullptr, &gpu.device));
  vkGetDeviceQueue(gpu.device, gpu.family, 0, &gpu.queue);

  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  poolInfo.queueFamilyIndex = gpu.family;
  VK_TRY(vkCreateCommandPool(gpu.device, &poolInfo, nullptr, &gpu.pool));

  auto proc = [&](const char* name) { return vkGetDeviceProcAddr(gpu.device, name); };
  gpu.getMemoryFd = reinterpret_cast<PFN_vkGetMemoryFdKHR>(proc("vkGetMemoryFdKHR"));
  gpu.getSemaphoreFd = reinterpret_cast<PFN_vkGetSemaphoreFdKHR>(proc("vkGetSemaphoreFdKHR"));
  gpu.importSemaphoreFd =
      reinterpret_cast<PFN_vkImportSemaphoreFdKHR>(proc("vkImportSemaphoreFdKHR"));
  if (!gpu.getMemoryFd || !gpu.getSemaphoreFd || !gpu.importSemaphoreFd)
    return fail("the device lacks the VK_KHR_external_*_fd entry points");

  say("device: %s, Vulkan %u.%u, queue family %u", gpu.properties.deviceName,
      VK_API_VERSION_MAJOR(gpu.properties.apiVersion),
      VK_API_VERSION_MINOR(gpu.properties.apiVersion), gpu.family);
  return true;
}

const char* formatName(VkFormat f) {
  switch (f) {
    case VK_FORMAT_R8G8B8A8_UNORM:
      return "R8G8B8A8_UNORM";
    case VK_FORMAT_B8G8R8A8_UNORM:
      return "B8G8R8A8_UNORM";
    case VK_FORMAT_R8G8B8A8_SRGB:
      return "R8G8B8A8_SRGB";
    default:
      return "(another format)";
  }
}

// Asks whether an image like `params` can live in OPAQUE_FD memory and whether binary
// semaphores can travel as OPAQUE_FD, with the features this side needs (EXPORTABLE for the
// producer, IMPORTABLE for the consumer). Creating an external image the query does not allow is
// invalid (VUID-VkImageCreateInfo-pNext-00990, VUID-VkImportMemoryFdInfoKHR-handleType-00667).
bool checkExternalSupport(const Gpu& gpu, const ImageParams& params, bool exporting) {
  VkPhysicalDeviceExternalImageFormatInfo external{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO};
  external.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkPhysicalDeviceImageFormatInfo2 info{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2,
                                        &external};
  info.format = params.format;
  info.type = VK_IMAGE_TYPE_2D;
  info.tiling = params.tiling;
  info.usage = params.usage;
  VkExternalImageFormatProperties externalProperties{
      VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES};
  VkImageFormatProperties2 properties{VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2,
                                      &externalProperties};
  VK_TRY(vkGetPhysicalDeviceImageFormatProperties2(gpu.physical, &info, &properties));
  const VkExternalMemoryFeatureFlags memoryFeatures =
      externalProperties.externalMemoryProperties.externalMemoryFeatures;

  VkPhysicalDeviceExternalSemaphoreInfo semaphoreInfo{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_SEMAPHORE_INFO};
  semaphoreInfo.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkExternalSemaphoreProperties semaphore{VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES};
  vkGetPhysicalDeviceExternalSemaphoreProperties(gpu.physical, &semaphoreInfo, &semaphore);

  const VkExternalMemoryFeatureFlags needMemory = exporting
                                                      ? VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT
                                                      : VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
  const VkExternalSemaphoreFeatureFlags needSemaphore =
      exporting ? VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT
                : VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT;
  const char* verb = exporting ? "exportable" : "importable";
  if (!(memoryFeatures & needMemory)) return fail("OPAQUE_FD image memory is not %s", verb);
  if (!(semaphore.externalSemaphoreFeatures & needSemaphore))
    return fail("OPAQUE_FD binary semaphores are not %s", verb);
  say("OPAQUE_FD: %s %ux%u images and binary semaphores are %s%s", formatName(params.format),
      params.width, params.height, verb,
      memoryFeatures & VK_EXTERNAL_MEMORY_FEATURE_DEDICATED_ONLY_BIT ? " (dedicated only)" : "");
  return true;
}

// The shared image, created from `params` and marked as backed by OPAQUE_FD memory. Both
// processes call this: identical parameters are what make the two images alias the same bytes
// the same way (docs/EXTERNAL_MEMORY.md, "The aliasing contract").
bool createSharedImage(const Gpu& gpu, const ImageParams& params, Image& image) {
  VkExternalMemoryImageCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO};
  external.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, &external};
  info.imageType = VK_IMAGE_TYPE_2D;
  info.format = params.format;
  info.extent = {params.width, params.height, 1};
  info.mipLevels = 1;
  info.arrayLayers = 1;
  info.samples = VK_SAMPLE_COUNT_1_BIT;
  info.tiling = params.tiling;
  info.usage = params.usage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;  // ownership moves by explicit transfers
  info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  VK_TRY(vkCreateImage(gpu.device, &info, nullptr, &image.handle));
  return true;
}

// The first memory type allowed by `allowed` that has all of `wanted`.
bool findMemoryType(const Gpu& gpu, uint32_t allowed, VkMemoryPropertyFlags wanted,
                    uint32_t& type) {
  VkPhysicalDeviceMemoryProperties memory;
  vkGetPhysicalDeviceMemoryProperties(gpu.physical, &memory);
  for (type = 0; type < memory.memoryTypeCount; ++type)
    if ((allowed >> type & 1) && (memory.memoryTypes[type].propertyFlags & wanted) == wanted)
      return true;
  return fail("no memory type with properties 0x%x among types 0x%x", wanted, allowed);
}

// A buffer in host-visible, coherent memory, mapped: the producer's upload source and the
// consumer's readback target.
struct HostBuffer {
  explicit HostBuffer(VkDevice d) : buffer(d), memory(d) {}
  Buffer buffer;
  Memory memory;
  uint8_t* data = nullptr;
};

bool createHostBuffer(const Gpu& gpu, VkDeviceSize size, VkBufferUsageFlags usage,
                      HostBuffer& out) {
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = usage;
  VK_TRY(vkCreateBuffer(gpu.device, &info, nullptr, &out.buffer.handle));
  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(gpu.device, out.buffer.handle, &requirements);
  VkMemoryAllocateInfo allocation{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  allocation.allocationSize = requirements.size;
  if (!findMemoryType(gpu, requirements.memoryTypeBits,
                      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                      allocation.memoryTypeIndex))
    return false;
  VK_TRY(vkAllocateMemory(gpu.device, &allocation, nullptr, &out.memory.handle));
  VK_TRY(vkBindBufferMemory(gpu.device, out.buffer.handle, out.memory.handle, 0));
  VK_TRY(vkMapMemory(gpu.device, out.memory.handle, 0, VK_WHOLE_SIZE, 0,
                     reinterpret_cast<void**>(&out.data)));
  return true;
}

bool beginCommands(const Gpu& gpu, VkCommandBuffer& cb) {
  VkCommandBufferAllocateInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  info.commandPool = gpu.pool;  // freed with the pool
  info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  info.commandBufferCount = 1;
  VK_TRY(vkAllocateCommandBuffers(gpu.device, &info, &cb));
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VK_TRY(vkBeginCommandBuffer(cb, &begin));
  return true;
}

// An image barrier on the whole (single-level, single-layer) colour image, with the stages that
// vkCmdPipelineBarrier takes beside it. Each use names its fields: that is where to check them.
struct ImageBarrier {
  VkPipelineStageFlags srcStage;
  VkAccessFlags srcAccess;
  VkPipelineStageFlags dstStage;
  VkAccessFlags dstAccess;
  VkImageLayout oldLayout;
  VkImageLayout newLayout;
  uint32_t srcFamily = VK_QUEUE_FAMILY_IGNORED;  // both IGNORED: no ownership transfer
  uint32_t dstFamily = VK_QUEUE_FAMILY_IGNORED;
};

void recordBarrier(VkCommandBuffer cb, VkImage image, const ImageBarrier& b) {
  VkImageMemoryBarrier barrier{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  barrier.srcAccessMask = b.srcAccess;
  barrier.dstAccessMask = b.dstAccess;
  barrier.oldLayout = b.oldLayout;
  barrier.newLayout = b.newLayout;
  barrier.srcQueueFamilyIndex = b.srcFamily;
  barrier.dstQueueFamilyIndex = b.dstFamily;
  barrier.image = image;
  barrier.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  vkCmdPipelineBarrier(cb, b.srcStage, b.dstStage, 0, 0, nullptr, 0, nullptr, 1, &barrier);
}

// ---------------------------------------------------------------------------------------------
// PNG: signature, IHDR, one IDAT, IEND (PNG specification, sections 5 and 11)

constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

void putBigEndian(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t getBigEndian(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// A chunk is its data's length, a 4-letter type, the data, and the CRC-32 of type and data.
void appendChunk(std::vector<uint8_t>& png, const char* type, const std::vector<uint8_t>& data) {
  putBigEndian(png, static_cast<uint32_t>(data.size()));
  const size_t typeAt = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  putBigEndian(png, static_cast<uint32_t>(crc32(0, &png[typeAt], 4 + data.size())));
}

// Writes 8-bit RGBA `pixels` (rows tightly packed) as a PNG file; `idatBytes` gets the
// compressed size.
bool writePng(const char* path, const std::vector<uint8_t>& pixels, uint32_t width, uint32_t height,
              size_t& fileBytes, size_t& idatBytes) {
  std::vector<uint8_t> header;
  putBigEndian(header, width);
  putBigEndian(header, height);
  // bit depth 8, colour type 6 (RGBA), deflate, adaptive filtering, no interlace
  header.insert(header.end(), {8, 6, 0, 0, 0});

  // Each row is preceded by its filter type; 0 ("None") keeps the demo simple.
  const size_t rowBytes = size_t{width} * kTexel;
  std::vector<uint8_t> raw;
  raw.reserve(height * (rowBytes + 1));
  for (uint32_t y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), &pixels[y * rowBytes], &pixels[y * rowBytes] + rowBytes);
  }
  uLongf compressedSize = compressBound(raw.size());
  std::vector<uint8_t> compressed(compressedSize);
  if (compress2(compressed.data(), &compressedSize, raw.data(), raw.size(), Z_BEST_COMPRESSION) !=
      Z_OK)
    return fail("zlib compress2 failed");
  compressed.resize(compressedSize);

  std::vector<uint8_t> png(kPngSignature, kPngSignature + 8);
  appendChunk(png, "IHDR", header);
  appendChunk(png, "IDAT", compressed);
  appendChunk(png, "IEND", {});
  FILE* file = std::fopen(path, "wb");
  if (!file) return fail("cannot create %s: %s", path, std::strerror(errno));
  const bool written = std::fwrite(png.data(), 1, png.size(), file) == png.size();
  if (std::fclose(file) != 0 || !written) return fail("cannot write %s", path);
  fileBytes = png.size();
  idatBytes = compressed.size();
  return true;
}

// Checks a PNG written by this demo: the signature, every chunk's CRC, an IHDR of 256x256 8-bit
// RGBA first, and the pixels of its IDAT data against the expected picture.
bool checkPng(const char* path) {
  FILE* file = std::fopen(path, "rb");
  if (!file) return fail("cannot open %s: %s", path, std::strerror(errno));
  std::vector<uint8_t> png;
  uint8_t block[4096];
  for (size_t n; (n = std::fread(block, 1, sizeof(block), file)) > 0;)
    png.insert(png.end(), block, block + n);
  std::fclose(file);

  if (png.size() < 8 || std::memcmp(png.data(), kPngSignature, 8) != 0)
    return fail("%s does not start with the PNG signature", path);
  std::vector<uint8_t> idat;
  uint32_t width = 0, height = 0;
  bool sawHeader = false, sawEnd = false;
  for (size_t at = 8; !sawEnd;) {
    if (png.size() - at < 12) return fail("%s: truncated chunk at byte %zu", path, at);
    const uint32_t length = getBigEndian(&png[at]);
    if (png.size() - at - 12 < length) return fail("%s: chunk overruns the file", path);
    const uint8_t* type = &png[at + 4];
    const uint8_t* data = type + 4;
    if (crc32(0, type, 4 + length) != getBigEndian(data + length))
      return fail("%s: bad CRC in chunk %.4s", path, reinterpret_cast<const char*>(type));
    const std::string name(reinterpret_cast<const char*>(type), 4);
    if (!sawHeader && name != "IHDR") return fail("%s: the first chunk is not IHDR", path);
    if (name == "IHDR") {
      if (length != 13) return fail("%s: IHDR holds %u bytes, not 13", path, length);
      width = getBigEndian(data);
      height = getBigEndian(data + 4);
      if (width != kWidth || height != kHeight || data[8] != 8 || data[9] != 6)
        return fail("%s: IHDR says %ux%u, bit depth %u, colour type %u; expected %ux%u 8-bit RGBA",
                    path, width, height, data[8], data[9], kWidth, kHeight);
      sawHeader = true;
    }
    if (name == "IDAT") idat.insert(idat.end(), data, data + length);
    sawEnd = name == "IEND";
    at += 12 + length;
  }

  const size_t rowBytes = size_t{width} * kTexel;
  std::vector<uint8_t> raw(height * (rowBytes + 1));
  uLongf rawSize = raw.size();
  if (uncompress(raw.data(), &rawSize, idat.data(), idat.size()) != Z_OK || rawSize != raw.size())
    return fail("%s: the IDAT data does not inflate to %zu bytes", path, raw.size());
  std::vector<uint8_t> pixels;
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t* row = &raw[y * (rowBytes + 1)];
    if (row[0] != 0)
      return fail("%s: row %u uses PNG filter %u; this check reads filter 0 only", path, y, row[0]);
    pixels.insert(pixels.end(), row + 1, row + 1 + rowBytes);
  }
  if (pixels != expectedPicture())
    return fail("%s: the pixels differ from the demo's picture", path);
  say("%s: PNG signature, IHDR %ux%u 8-bit RGBA, chunk CRCs and all pixels check out", path, width,
      height);
  return true;
}

// ---------------------------------------------------------------------------------------------
// The producer

// The producer's half: memory allocated for export and dedicated to its image. Dedicated, so
// the importer must name an identical image (VUID-VkMemoryDedicatedAllocateInfo-image-01878) and
// emvk checks each parameter. Some drivers require it anyway: the query then reports
// DEDICATED_ONLY (VUID-VkMemoryAllocateInfo-pNext-00639).
bool allocateExportable(const Gpu& gpu, const Image& image, Memory& memory, VkDeviceSize& size,
                        uint32_t& memoryType) {
  VkMemoryRequirements requirements;
  vkGetImageMemoryRequirements(gpu.device, image.handle, &requirements);
  VkMemoryDedicatedAllocateInfo dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
  dedicated.image = image.handle;
  VkExportMemoryAllocateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO, &dedicated};
  exportInfo.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkMemoryAllocateInfo allocation{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &exportInfo};
  allocation.allocationSize = requirements.size;
  if (!findMemoryType(gpu, requirements.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                      allocation.memoryTypeIndex))
    return false;
  VK_TRY(vkAllocateMemory(gpu.device, &allocation, nullptr, &memory.handle));
  size = allocation.allocationSize;  // the consumer must import with these two
  memoryType = allocation.memoryTypeIndex;
  VK_TRY(vkBindImageMemory(gpu.device, image.handle, memory.handle, 0));
  return true;
}

// A binary semaphore whose payload can be exported as an OPAQUE_FD.
bool createExportableSemaphore(const Gpu& gpu, Semaphore& semaphore) {
  VkExportSemaphoreCreateInfo exportInfo{VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO};
  exportInfo.handleTypes = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &exportInfo};
  VK_TRY(vkCreateSemaphore(gpu.device, &info, nullptr, &semaphore.handle));
  return true;
}

// Records the picture and the hand-over: clear, copy the gradient square, move to GENERAL,
// release to VK_QUEUE_FAMILY_EXTERNAL.
void recordPicture(const Gpu& gpu, VkCommandBuffer cb, VkImage image, VkBuffer square) {
  // From UNDEFINED: the old contents do not matter, the clear overwrites every texel.
  recordBarrier(cb, image,
                {.srcStage = VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                 .srcAccess = 0,
                 .dstStage = VK_PIPELINE_STAGE_TRANSFER_BIT,
                 .dstAccess = VK_ACCESS_TRANSFER_WRITE_BIT,
                 .oldLayout = VK_IMAGE_LAYOUT_UNDEFINED,
                 .newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL});
  // k/255 converts back to exactly k (section "Conversion from Floating-Point to Normalized
  // Fixed-Point": scale by 255, round to nearest).
  VkClearColorValue background;
  for (int c = 0; c < 4; ++c) background.float32[c] = kBackground[c] / 255.0f;
  const VkImageSubresourceRange whole{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  vkCmdClearColorImage(cb, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &background, 1, &whole);

  // The copy overwrites texels the clear wrote: write-after-write needs a barrier too.
  recordBarrier(cb, image,
                {.srcStage = VK_PIPELINE_STAGE_TRANSFER_BIT,
                 .srcAccess = VK_ACCESS_TRANSFER_WRITE_BIT,
                 .dstStage = VK_PIPELINE_STAGE_TRANSFER_BIT,
                 .dstAccess = VK_ACCESS_TRANSFER_WRITE_BIT,
                 .oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                 .newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL});
  VkBufferImageCopy region{};  // bufferRowLength 0: the square's rows are tightly packed
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageOffset = {static_cast<int32_t>(kSquareAt), static_cast<int32_t>(kSquareAt), 0};
  region.imageExtent = {kSquare, kSquare, 1};
  vkCmdCopyBufferToImage(cb, square, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);

  // The image leaves this process in GENERAL, the layout every user of shared memory agrees on
  // (docs/EXTERNAL_MEMORY.md, "The aliasing contract"). The transition is done here, on our own
  // queue, so that the release below changes no layout: a release and its acquire must name the
  // same oldLayout and newLayout (section "Queue Family Ownership Transfer"), and GENERAL to
  // GENERAL is a pair the consumer can repeat without knowing how we worked.
  recordBarrier(cb, image,
                {.srcStage = VK_PIPELINE_STAGE_TRANSFER_BIT,
                 .srcAccess = VK_ACCESS_TRANSFER_WRITE_BIT,
                 .dstStage = VK_PIPELINE_STAGE_TRANSFER_BIT,
                 .dstAccess = 0,
                 .oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                 .newLayout = VK_IMAGE_LAYOUT_GENERAL});
  // The release: our queue family gives the image up to VK_QUEUE_FAMILY_EXTERNAL, that is to
  // another instance or process (section "External Resource Sharing": release here, let a
  // semaphore or fence order the release before the other side's acquire, acquire there). Its
  // first scope makes the copy's writes available; its destination access mask is ignored.
  recordBarrier(cb, image,
                {.srcStage = VK_PIPELINE_STAGE_TRANSFER_BIT,
                 .srcAccess = VK_ACCESS_TRANSFER_WRITE_BIT,
                 .dstStage = VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                 .dstAccess = 0,
                 .oldLayout = VK_IMAGE_LAYOUT_GENERAL,
                 .newLayout = VK_IMAGE_LAYOUT_GENERAL,
                 .srcFamily = gpu.family,
                 .dstFamily = VK_QUEUE_FAMILY_EXTERNAL});
}

// Fills the staging buffer with the gradient square, tightly packed.
void writeSquare(uint8_t* data) {
  for (uint32_t y = 0; y < kSquare; ++y)
    for (uint32_t x = 0; x < kSquare; ++x) gradient(x, y, &data[(y * kSquare + x) * kTexel]);
}

// Exports both payloads as fds and sends them, with the handoff, in one message.
bool sendHandoff(const Gpu& gpu, int socket, const Memory& memory, const Semaphore& semaphore,
                 const Handoff& handoff) {
  // Each call hands out a new descriptor that we own (close-on-exec on emvk); the kernel gives
  // the consumer its own copies, so ours are closed when this function returns.
  VkMemoryGetFdInfoKHR memoryInfo{VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR};
  memoryInfo.memory = memory.handle;
  memoryInfo.handleType =
      VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;  // VUID-VkMemoryGetFdInfoKHR-handleType-00671
  Fd memoryFd, semaphoreFd;
  VK_TRY(gpu.getMemoryFd(gpu.device, &memoryInfo, &memoryFd.fd));
  // An OPAQUE_FD names the semaphore's payload itself (reference transference), so it may be
  // exported before or after the signal is submitted; a SYNC_FD could only be exported after.
  VkSemaphoreGetFdInfoKHR semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR};
  semaphoreInfo.semaphore = semaphore.handle;
  semaphoreInfo.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  VK_TRY(gpu.getSemaphoreFd(gpu.device, &semaphoreInfo, &semaphoreFd.fd));

  say("sending memory fd %d and semaphore fd %d with the image parameters (%llu bytes, memory "
      "type %u) over the socket; waiting for the consumer",
      memoryFd.fd, semaphoreFd.fd, static_cast<unsigned long long>(handoff.allocationSize),
      handoff.memoryTypeIndex);
  const int fds[2] = {memoryFd.fd, semaphoreFd.fd};
  return sendMessage(socket, &handoff, sizeof(handoff), fds, 2);
}

// Everything the producer does with Vulkan; `reply` gets the consumer's answer.
bool produce(int socket, Reply& reply) {
  Gpu gpu;
  if (!createGpu(gpu) || !checkExternalSupport(gpu, kSharedImage, /*exporting=*/true)) return false;

  Image image(gpu.device);
  Memory memory(gpu.device);
  VkDeviceSize allocationSize = 0;
  uint32_t memoryType = 0;
  if (!createSharedImage(gpu, kSharedImage, image) ||
      !allocateExportable(gpu, image, memory, allocationSize, memoryType))
    return false;
  say("image %ux%u %s OPTIMAL, in %llu bytes of dedicated exportable memory (type %u)", kWidth,
      kHeight, formatName(kSharedImage.format), static_cast<unsigned long long>(allocationSize),
      memoryType);

  HostBuffer square(gpu.device);
  if (!createHostBuffer(gpu, kSquare * kSquare * kTexel, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, square))
    return false;
  writeSquare(square.data);  // host writes before vkQueueSubmit are visible to the queue
  VkCommandBuffer cb;
  if (!beginCommands(gpu, cb)) return false;
  recordPicture(gpu, cb, image.handle, square.buffer.handle);
  VK_TRY(vkEndCommandBuffer(cb));
  say("recorded: clear to (%u,%u,%u,%u), copy a %ux%u gradient to (%u,%u), TRANSFER_DST -> "
      "GENERAL, release to VK_QUEUE_FAMILY_EXTERNAL",
      kBackground[0], kBackground[1], kBackground[2], kBackground[3], kSquare, kSquare, kSquareAt,
      kSquareAt);

  Semaphore semaphore(gpu.device);
  Fence fence(gpu.device);
  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  if (!createExportableSemaphore(gpu, semaphore)) return false;
  VK_TRY(vkCreateFence(gpu.device, &fenceInfo, nullptr, &fence.handle));
  say("created a binary semaphore exportable as OPAQUE_FD");

  // The signal is in the same submission as the release: it happens after all of it, so the
  // consumer's wait on it orders its acquire after our release.
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &semaphore.handle;
  VK_TRY(vkQueueSubmit(gpu.queue, 1, &submit, fence.handle));
  say("submitted; the submission signals the semaphore after the release");

  // Sent only after the submission: a binary semaphore may only be waited on once its signal
  // has been submitted (VUID-vkQueueSubmit-pWaitSemaphores-03238), and the consumer cannot know
  // when that happened unless we tell it afterwards.
  Handoff handoff{Handoff::kMagic, kSharedImage, allocationSize, memoryType};
  std::memcpy(handoff.driverUUID, gpu.ids.driverUUID, VK_UUID_SIZE);
  std::memcpy(handoff.deviceUUID, gpu.ids.deviceUUID, VK_UUID_SIZE);
  const bool sent = sendHandoff(gpu, socket, memory, semaphore, handoff);
  // Our own queue must be done before anything it uses is destroyed, on every path. It waits on
  // nothing, so this wait ends.
  VK_TRY(vkWaitForFences(gpu.device, 1, &fence.handle, VK_TRUE, UINT64_MAX));
  if (!sent || !receiveMessage(socket, &reply, sizeof(reply))) return false;
  // The objects are destroyed here, on return; the consumer's import would have kept the memory
  // alive without us anyway (the payload lives while any process holds it).
  return true;
}

// Starts this program again as the consumer, with one end of a socket pair. Both ends are created
// close-on-exec; the child clears the flag on its own end only, so exactly that socket crosses
// exec, and the child never holds our end (which would keep our reads from seeing its exit).
pid_t spawnConsumer(const char* pngPath, Fd& socket) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    fail("socketpair: %s", std::strerror(errno));
    return -1;
  }
  socket.fd = pair[0];
  Fd childEnd(pair[1]);
  char self[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (length <= 0) {
    fail("readlink /proc/self/exe: %s", std::strerror(errno));
    return -1;
  }
  self[length] = '\0';
  std::string fdText = std::to_string(childEnd.fd);
  char* argv[] = {self, const_cast<char*>("--consumer"), fdText.data(), const_cast<char*>(pngPath),
                  nullptr};

  std::fflush(nullptr);  // nothing buffered may be printed twice
  const pid_t pid = fork();
  if (pid == 0) {
    // The child of a process that may have threads: only async-signal-safe calls until exec.
    fcntl(childEnd.fd, F_SETFD, 0);
    execv(self, argv);
    _exit(127);
  }
  if (pid < 0) fail("fork: %s", std::strerror(errno));
  return pid;  // childEnd is closed here: only the child holds it now
}

// Waits for the consumer to exit; true if it exited with status 0.
bool waitForConsumer(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return fail("waitpid: %s", std::strerror(errno));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  if (WIFSIGNALED(status)) return fail("the consumer was killed by signal %d", WTERMSIG(status));
  return fail("the consumer exited with status %d", WEXITSTATUS(status));
}

int runProducer(const char* pngPath) {
  Fd socket;
  const pid_t consumer = spawnConsumer(pngPath, socket);
  if (consumer < 0) return 1;
  say("started the consumer, pid %d, with its end of a SOCK_SEQPACKET socket pair",
      static_cast<int>(consumer));
  Reply reply{};
  const bool produced = produce(socket.fd, reply);
  socket.reset();  // a consumer still waiting for the handoff now reads end-of-file and exits
  const bool consumerOk = waitForConsumer(consumer);
  if (!produced || !consumerOk) return 1;

  const uint32_t expected = crc(expectedPicture());
  say("the consumer replied \"%s\": %ux%u, pixel CRC-32 0x%08x; expected 0x%08x: %s", reply.text,
      reply.width, reply.height, reply.pixelCrc, expected,
      reply.ok && reply.pixelCrc == expected ? "match" : "MISMATCH");
  if (!reply.ok || reply.pixelCrc != expected) return 1;
  if (!checkPng(pngPath)) return 1;
  say("OK");
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The consumer

// Checks what the producer sent before trusting any of it with Vulkan.
bool checkHandoff(const Gpu& gpu, const Handoff& h) {
  if (h.magic != Handoff::kMagic) return fail("the handoff message is not from this demo");
  if (h.image.format != VK_FORMAT_R8G8B8A8_UNORM)
    return fail("the PNG writer takes R8G8B8A8_UNORM texels, not %s", formatName(h.image.format));
  // VUID-VkImportMemoryFdInfoKHR-fd-01746: OPAQUE_FD needs the same driver and device, which the
  // spec identifies by driverUUID and deviceUUID. emvk checks again on import; a portable
  // program asks first.
  if (std::memcmp(h.driverUUID, gpu.ids.driverUUID, VK_UUID_SIZE) != 0 ||
      std::memcmp(h.deviceUUID, gpu.ids.deviceUUID, VK_UUID_SIZE) != 0)
    return fail(
        "the producer's driverUUID/deviceUUID differ from ours: its memory is not ours to "
        "import");
  say("driverUUID and deviceUUID match the producer's: its OPAQUE_FD payloads are ours to use");
  return true;
}

// Imports the memory fd, dedicated to our image: the import only succeeds if our image is
// identical to the exporter's (VUID-VkMemoryDedicatedAllocateInfo-image-01878) and the size and
// type are the exporter's (VUID-VkMemoryAllocateInfo-allocationSize-01742).
bool importMemory(const Gpu& gpu, const Handoff& h, Fd& fd, const Image& image, Memory& memory) {
  VkMemoryRequirements requirements;
  vkGetImageMemoryRequirements(gpu.device, image.handle, &requirements);
  if (!(requirements.memoryTypeBits >> h.memoryTypeIndex & 1))
    return fail("our image cannot live in memory type %u", h.memoryTypeIndex);
  VkMemoryDedicatedAllocateInfo dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO};
  dedicated.image = image.handle;
  VkImportMemoryFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR, &dedicated};
  import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
  import.fd = fd.fd;
  VkMemoryAllocateInfo allocation{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &import};
  allocation.allocationSize = h.allocationSize;
  allocation.memoryTypeIndex = h.memoryTypeIndex;
  VK_TRY(vkAllocateMemory(gpu.device, &allocation, nullptr, &memory.handle));
  // A successful import owns the fd (the driver closes it when the memory is freed); a failed
  // one leaves it to us, and Fd closes it.
  fd.release();
  VK_TRY(vkBindImageMemory(gpu.device, image.handle, memory.handle, 0));
  return true;
}

// A binary semaphore whose payload is, from now on, the producer's (a permanent import).
bool importSemaphore(const Gpu& gpu, Fd& fd, Semaphore& semaphore) {
  // Same type and flags as the exported one (VUID-VkImportSemaphoreFdInfoKHR-handleType-03263,
  // -03264): binary, no flags.
  VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  VK_TRY(vkCreateSemaphore(gpu.device, &info, nullptr, &semaphore.handle));
  VkImportSemaphoreFdInfoKHR import{VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR};
  import.semaphore = semaphore.handle;
  import.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
  import.fd = fd.fd;
  VK_TRY(gpu.importSemaphoreFd(gpu.device, &import));
  fd.release();  // as with memory: ours until the import succeeds, the driver's after
  return true;
}

// Records: acquire the image from VK_QUEUE_FAMILY_EXTERNAL, copy it to the host buffer, make the
// copy visible to the host.
void recordReadback(const Gpu& gpu, VkCommandBuffer cb, const ImageParams& params, VkImage image,
                    VkBuffer pixels) {
  // The acquire mirrors the producer's release: the same two families, the same layouts. Its
  // source access mask is ignored (the release made the writes available); its source stage,
  // TRANSFER like the semaphore wait's, chains it to that wait, so the copy below reads only
  // after the producer's release.
  recordBarrier(cb, image,
                {.srcStage = VK_PIPELINE_STAGE_TRANSFER_BIT,
                 .srcAccess = 0,
                 .dstStage = VK_PIPELINE_STAGE_TRANSFER_BIT,
                 .dstAccess = VK_ACCESS_TRANSFER_READ_BIT,
                 .oldLayout = VK_IMAGE_LAYOUT_GENERAL,
                 .newLayout = VK_IMAGE_LAYOUT_GENERAL,
                 .srcFamily = VK_QUEUE_FAMILY_EXTERNAL,
                 .dstFamily = gpu.family});
  VkBufferImageCopy region{};  // bufferRowLength 0: rows tightly packed, as the PNG wants them
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageExtent = {params.width, params.height, 1};
  vkCmdCopyImageToBuffer(cb, image, VK_IMAGE_LAYOUT_GENERAL, pixels, 1, &region);
  VkMemoryBarrier toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  toHost.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &toHost, 0, nullptr, 0, nullptr);
}

// Everything the consumer does with Vulkan after receiving the handoff; fills `reply`.
bool consume(const Handoff& h, Fd fds[2], const char* pngPath, Reply& reply) {
  Gpu gpu;
  if (!createGpu(gpu) || !checkHandoff(gpu, h)) return false;
  // The image we import into: identical to the producer's. (The exercise at the end of
  // docs/EXTERNAL_DEMO.md changes one field here, to see the import refused.)
  ImageParams ours = h.image;
  if (!checkExternalSupport(gpu, ours, /*exporting=*/false)) return false;

  Image image(gpu.device);
  Memory memory(gpu.device);
  Semaphore semaphore(gpu.device);
  if (!createSharedImage(gpu, ours, image) || !importMemory(gpu, h, fds[0], image, memory) ||
      !importSemaphore(gpu, fds[1], semaphore))
    return false;
  say("imported the memory, dedicated to an identical image, and the semaphore");

  const VkDeviceSize bytes = VkDeviceSize{ours.width} * ours.height * kTexel;
  HostBuffer pixels(gpu.device);
  if (!createHostBuffer(gpu, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, pixels)) return false;
  VkCommandBuffer cb;
  if (!beginCommands(gpu, cb)) return false;
  recordReadback(gpu, cb, ours, image.handle, pixels.buffer.handle);
  VK_TRY(vkEndCommandBuffer(cb));

  // The wait blocks the TRANSFER stage of this submission until the producer's signal, which
  // came after its release; the copy then reads what the producer's queue wrote. The signal was
  // submitted before the fds were sent, as a binary wait requires
  // (VUID-vkQueueSubmit-pWaitSemaphores-03238). The validation layer cannot see a submission in
  // another process; it does not track the payload of an imported semaphore, so it accepts this
  // wait, where it reports the same wait on a semaphore of our own that nothing has signalled.
  Fence fence(gpu.device);
  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VK_TRY(vkCreateFence(gpu.device, &fenceInfo, nullptr, &fence.handle));
  const VkPipelineStageFlags waitStage = VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = &semaphore.handle;
  submit.pWaitDstStageMask = &waitStage;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cb;
  VK_TRY(vkQueueSubmit(gpu.queue, 1, &submit, fence.handle));
  // No timeout: the signal will come, unless the producer dies first. Then nobody is left who
  // could signal, and emvk ends the wait with VK_ERROR_DEVICE_LOST within about a second
  // (docs/EXTERNAL_MEMORY.md, "When a peer dies"); the objects may then be destroyed as usual.
  VK_TRY(vkWaitForFences(gpu.device, 1, &fence.handle, VK_TRUE, UINT64_MAX));
  say("waited on the semaphore, acquired the image from VK_QUEUE_FAMILY_EXTERNAL (GENERAL), "
      "copied it to a host-visible buffer");

  const std::vector<uint8_t> picture(pixels.data, pixels.data + bytes);
  const uint8_t* corner = &picture[0];
  const uint8_t* centre =
      &picture[(size_t{ours.height} / 2 * ours.width + ours.width / 2) * kTexel];
  reply.width = ours.width;
  reply.height = ours.height;
  reply.pixelCrc = crc(picture);
  say("read %llu bytes of pixels, CRC-32 0x%08x; (0,0) = (%u,%u,%u,%u), (%u,%u) = (%u,%u,%u,%u)",
      static_cast<unsigned long long>(bytes), reply.pixelCrc, corner[0], corner[1], corner[2],
      corner[3], ours.width / 2, ours.height / 2, centre[0], centre[1], centre[2], centre[3]);

  size_t fileBytes = 0, idatBytes = 0;
  if (!writePng(pngPath, picture, ours.width, ours.height, fileBytes, idatBytes)) return false;
  say("wrote %s: %zu bytes (IHDR %ux%u 8-bit RGBA, one IDAT of %zu deflated bytes, IEND)", pngPath,
      fileBytes, ours.width, ours.height, idatBytes);
  return true;
}

int runConsumer(int socketFd, const char* pngPath) {
  g_role = "consumer";
  Fd socket(socketFd);
  fcntl(socket.fd, F_SETFD, FD_CLOEXEC);  // it crossed one exec; it need cross no other
  Handoff handoff{};
  Fd fds[2];
  if (!receiveMessage(socket.fd, &handoff, sizeof(handoff), fds, 2)) return 1;
  say("received memory fd %d and semaphore fd %d: image %ux%u %s, %llu bytes of memory type %u",
      fds[0].fd, fds[1].fd, handoff.image.width, handoff.image.height,
      formatName(handoff.image.format), static_cast<unsigned long long>(handoff.allocationSize),
      handoff.memoryTypeIndex);

  Reply reply{};
  reply.ok = consume(handoff, fds, pngPath, reply);
  std::snprintf(reply.text, sizeof(reply.text), "%s", reply.ok ? "ok" : "failed (see its errors)");
  const bool replied = sendMessage(socket.fd, &reply, sizeof(reply));
  return reply.ok && replied ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Line-buffered, so the two processes' lines interleave whole, even into a pipe.
  setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc == 4 && std::strcmp(argv[1], "--consumer") == 0)
    return runConsumer(std::atoi(argv[2]), argv[3]);
  if (argc == 3 && std::strcmp(argv[1], "--check-png") == 0) {
    g_role = "check-png";
    return checkPng(argv[2]) ? 0 : 1;
  }
  if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
    std::fprintf(stderr,
                 "usage: %s [out.png]\n"
                 "       %s --check-png file.png\n",
                 argv[0], argv[0]);
    return 2;
  }
  return runProducer(argc == 2 ? argv[1] : "external_demo.png");
}
