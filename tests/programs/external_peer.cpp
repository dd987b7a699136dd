// external_peer: the other process of the cross-process sharing tests. It talks to the test over
// the Unix socket whose fd number is argv[1], receives or sends exported memory with SCM_RIGHTS,
// and answers each request with "ok" or "fail: <why>" ("pid" with its process id). It has its own
// VkInstance and VkDevice, as any separate program would.
#include <vulkan/vulkan.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "interop/external_buffer.hpp"
#include "interop/external_image.hpp"
#include "interop/fd_passing.hpp"
#include "programs/peer_device.hpp"

namespace {

using namespace peer;

// Records `record`, submits it and waits (the peer's simple way to run one batch).
template <class Record>
bool runOnQueue(Context& c, Record record) {
  VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, nullptr, c.pool,
                                 VK_COMMAND_BUFFER_LEVEL_PRIMARY, 1};
  VkCommandBuffer cb;
  if (vkAllocateCommandBuffers(c.device, &ai, &cb) != VK_SUCCESS) return false;
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  vkBeginCommandBuffer(cb, &bi);
  record(cb);
  VkMemoryBarrier toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT,
                         VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &toHost, 0, nullptr, 0, nullptr);
  vkEndCommandBuffer(cb);
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  bool ok = vkQueueSubmit(c.queue, 1, &si, VK_NULL_HANDLE) == VK_SUCCESS &&
            vkQueueWaitIdle(c.queue) == VK_SUCCESS;
  vkFreeCommandBuffers(c.device, c.pool, 1, &cb);
  return ok;
}

// Copies src -> dst on the queue: the peer touches shared memory with queue commands too.
bool copyOnQueue(Context& c, VkBuffer src, VkBuffer dst, VkDeviceSize size) {
  return runOnQueue(c, [&](VkCommandBuffer cb) {
    VkBufferCopy region{0, 0, size};
    vkCmdCopyBuffer(cb, src, dst, 1, &region);
  });
}

std::string fail(const std::string& why) { return "fail: " + why; }

// Ping-pong on a shared timeline: for k = 1..rounds, the test signals 2k-1 from its process, this
// peer waits for it on its queue and signals 2k from the same submission.
std::string timelinePingPong(Context& c, const fdpass::Message& m, int fd) {
  VkSemaphore semaphore;
  VkResult r = importSemaphore(c, fd, true, &semaphore);
  if (r != VK_SUCCESS) return fail("timeline import returned " + std::to_string(r));
  for (uint64_t k = 1; k <= m.seed; ++k) {
    const uint64_t waitValue = 2 * k - 1, signalValue = 2 * k;
    VkTimelineSemaphoreSubmitInfo values{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
    values.waitSemaphoreValueCount = 1;
    values.pWaitSemaphoreValues = &waitValue;
    values.signalSemaphoreValueCount = 1;
    values.pSignalSemaphoreValues = &signalValue;
    const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO, &values};
    si.waitSemaphoreCount = 1;
    si.pWaitSemaphores = &semaphore;
    si.pWaitDstStageMask = &stage;
    si.signalSemaphoreCount = 1;
    si.pSignalSemaphores = &semaphore;
    if (vkQueueSubmit(c.queue, 1, &si, VK_NULL_HANDLE) != VK_SUCCESS) return fail("submit");
  }
  r = vkQueueWaitIdle(c.queue);
  vkDestroySemaphore(c.device, semaphore, nullptr);
  return r == VK_SUCCESS ? "ok" : fail("wait idle returned " + std::to_string(r));
}

// Imports a binary semaphore and a buffer; the queue waits for the semaphore, then copies the
// shared buffer into a local one, whose pattern is checked (the test writes it before signalling).
std::string binaryWaitThenRead(Context& c, int socket, const fdpass::Message& m, int fd) {
  VkSemaphore semaphore;
  VkResult r = importSemaphore(c, fd, false, &semaphore);
  if (r != VK_SUCCESS) return fail("binary import returned " + std::to_string(r));
  fdpass::Message second;
  int memoryFd = -1;
  if (!fdpass::receive(socket, second, memoryFd)) return fail("no memory fd");
  external::SharedBuffer shared, local;
  if (external::importBuffer(c.device, memoryFd, m.size, m.size, m.memoryType, false, shared) !=
          VK_SUCCESS ||
      external::exportableBuffer(c.device, m.size, m.memoryType, false, local) != VK_SUCCESS)
    return fail("buffers");
  VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, nullptr, c.pool,
                                 VK_COMMAND_BUFFER_LEVEL_PRIMARY, 1};
  VkCommandBuffer cb;
  vkAllocateCommandBuffers(c.device, &ai, &cb);
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  vkBeginCommandBuffer(cb, &bi);
  VkBufferCopy region{0, 0, m.size};
  vkCmdCopyBuffer(cb, shared.buffer, local.buffer, 1, &region);
  VkMemoryBarrier toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT,
                         VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &toHost, 0, nullptr, 0, nullptr);
  vkEndCommandBuffer(cb);
  const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.waitSemaphoreCount = 1;
  si.pWaitSemaphores = &semaphore;
  si.pWaitDstStageMask = &stage;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  if (vkQueueSubmit(c.queue, 1, &si, VK_NULL_HANDLE) != VK_SUCCESS) return fail("submit");
  // Tell the test the wait is queued; it writes the data and signals only now.
  fdpass::Message queued = fdpass::message("reply");
  std::snprintf(queued.text, sizeof(queued.text), "queued");
  fdpass::send(socket, queued);
  std::string result = "ok";
  if (vkQueueWaitIdle(c.queue) != VK_SUCCESS)
    result = fail("wait idle");
  else if (int64_t at = external::firstMismatch(local.data, m.size, m.seed); at >= 0)
    result = fail("byte " + std::to_string(at) + " was read before the signal");
  vkFreeCommandBuffers(c.device, c.pool, 1, &cb);
  external::destroy(c.device, local);
  external::destroy(c.device, shared);
  vkDestroySemaphore(c.device, semaphore, nullptr);
  return result;
}

// Acquires an image another instance released to VK_QUEUE_FAMILY_EXTERNAL in GENERAL: the
// acquire names the same layouts as the release (section "Queue Family Ownership Transfer").
void acquireFromExternal(VkCommandBuffer cb, VkImage image) {
  VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  b.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  b.oldLayout = VK_IMAGE_LAYOUT_GENERAL;
  b.newLayout = VK_IMAGE_LAYOUT_GENERAL;
  b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_EXTERNAL;
  b.dstQueueFamilyIndex = 0;
  b.image = image;
  b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, VK_REMAINING_MIP_LEVELS, 0,
                        VK_REMAINING_ARRAY_LAYERS};
  vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0,
                       nullptr, 0, nullptr, 1, &b);
}

// The image parameters a message carries (the exporter's, for an identical image).
external::ImageParams imageParams(const fdpass::Message& m) {
  external::ImageParams p;
  p.format = static_cast<VkFormat>(m.format);
  p.tiling = static_cast<VkImageTiling>(m.tiling);
  p.width = m.width;
  p.height = m.height;
  p.mipLevels = m.mipLevels;
  p.arrayLayers = m.arrayLayers;
  return p;
}

// Imports an image the test exported (identical parameters), checks pattern `seed` through a
// queue copy to a buffer, then writes pattern `seed2` into it with a queue copy.
std::string imageImportCheckWrite(Context& c, const fdpass::Message& m, int fd) {
  const external::ImageParams p = imageParams(m);
  external::SharedImage image;
  VkResult r = external::sharedImage(c.device, p, m.memoryType, fd, m.size, image);
  if (r != VK_SUCCESS) return fail("image import returned " + std::to_string(r));
  VkDeviceSize packed = 0;
  const auto regions = external::packedRegions(p, &packed);
  external::SharedBuffer staging;
  if (external::exportableBuffer(c.device, packed, m.memoryType, false, staging) != VK_SUCCESS)
    return fail("staging buffer");
  std::string result = "ok";
  bool copied = runOnQueue(c, [&](VkCommandBuffer cb) {
    acquireFromExternal(cb, image.image);
    vkCmdCopyImageToBuffer(cb, image.image, VK_IMAGE_LAYOUT_GENERAL, staging.buffer,
                           static_cast<uint32_t>(regions.size()), regions.data());
  });
  if (!copied)
    result = fail("copy out failed");
  else if (int64_t at = external::firstMismatch(staging.data, packed, m.seed); at >= 0)
    result = fail("packed byte " + std::to_string(at) + " differs from the exporter's image");
  external::writePattern(staging.data, packed, m.seed2);
  if (result == "ok" && !runOnQueue(c, [&](VkCommandBuffer cb) {
        vkCmdCopyBufferToImage(cb, staging.buffer, image.image, VK_IMAGE_LAYOUT_GENERAL,
                               static_cast<uint32_t>(regions.size()), regions.data());
      }))
    result = fail("copy in failed");
  if (result == "ok" && p.tiling == VK_IMAGE_TILING_LINEAR) {
    const VkImageSubresource sub{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
    VkSubresourceLayout layout;
    vkGetImageSubresourceLayout(c.device, image.image, &sub, &layout);
    result += " layout " + external::describe(layout);
  }
  external::destroy(c.device, staging);
  external::destroy(c.device, image);
  return result;
}

// Imports the fd, checks pattern `seed` through a queue copy, then writes pattern `seed2` into
// the shared memory with a queue copy.
std::string importCheckWrite(Context& c, const fdpass::Message& m, int fd) {
  external::SharedBuffer shared;
  VkResult r = external::importBuffer(c.device, fd, m.size, m.size, m.memoryType, false, shared);
  if (r != VK_SUCCESS) return fail("import returned " + std::to_string(r));
  external::SharedBuffer local;
  r = external::exportableBuffer(c.device, m.size, m.memoryType, false, local);
  if (r != VK_SUCCESS) return fail("local buffer: " + std::to_string(r));
  std::string result = "ok";
  if (!copyOnQueue(c, shared.buffer, local.buffer, m.size))
    result = fail("copy out failed");
  else if (int64_t at = external::firstMismatch(local.data, m.size, m.seed); at >= 0)
    result = fail("byte " + std::to_string(at) + " differs from the exporter's pattern");
  external::writePattern(local.data, m.size, m.seed2);
  if (result == "ok" && !copyOnQueue(c, local.buffer, shared.buffer, m.size))
    result = fail("copy in failed");
  external::destroy(c.device, local);
  external::destroy(c.device, shared);
  return result;
}

// What the "hold-*" requests imported: kept until the peer quits, so that a test can look at the
// sharing from outside (tests/interop/test_inspect.cpp runs emvk-inspect meanwhile).
struct Held {
  std::vector<external::SharedBuffer> buffers;
  std::vector<external::SharedImage> images;
  std::vector<VkSemaphore> semaphores;

  void release(VkDevice device) {
    for (auto& b : buffers) external::destroy(device, b);
    for (auto& i : images) external::destroy(device, i);
    for (VkSemaphore s : semaphores) vkDestroySemaphore(device, s, nullptr);
    *this = Held{};
  }
};

// Imports the fd of request `m` as a buffer, an image (the request's parameters) or a timeline
// semaphore, and keeps it.
std::string hold(Context& c, Held& held, const std::string& op, const fdpass::Message& m, int fd) {
  VkResult r = VK_ERROR_UNKNOWN;
  if (op == "hold-buffer") {
    external::SharedBuffer buffer;
    r = external::importBuffer(c.device, fd, m.size, m.size, m.memoryType, false, buffer);
    if (r == VK_SUCCESS) held.buffers.push_back(buffer);
  } else if (op == "hold-image") {
    external::SharedImage image;
    r = external::sharedImage(c.device, imageParams(m), m.memoryType, fd, m.size, image);
    if (r == VK_SUCCESS) held.images.push_back(image);
  } else if (op == "hold-timeline") {
    VkSemaphore semaphore;
    r = importSemaphore(c, fd, true, &semaphore);
    if (r == VK_SUCCESS) held.semaphores.push_back(semaphore);
  }
  if (r == VK_SUCCESS) return "ok";
  if (fd >= 0) close(fd);  // a refused import leaves the fd with us
  return fail(op + " import returned " + std::to_string(r));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const int socket = std::atoi(argv[1]);
  Context c;
  if (!setUp(c)) {
    fdpass::Message m = fdpass::message("fail");
    std::snprintf(m.text, sizeof(m.text), "fail: no emvk device in the peer");
    fdpass::send(socket, m);
    return 1;
  }
  Held held;
  for (;;) {
    fdpass::Message m;
    int fd = -1;
    if (!fdpass::receive(socket, m, fd)) break;
    const std::string op = m.op;
    fdpass::Message reply = fdpass::message("reply");
    int replyFd = -1;
    external::SharedBuffer exported;
    std::string text = "ok";
    if (op == "import-check-write") {
      text = importCheckWrite(c, m, fd);
    } else if (op == "export-and-exit") {
      // Export memory holding pattern `seed`, hand it over, then free everything and exit: the
      // payload must outlive its exporter.
      VkResult r = external::exportableBuffer(c.device, m.size, m.memoryType, false, exported);
      if (r == VK_SUCCESS) external::writePattern(exported.data, m.size, m.seed);
      if (r == VK_SUCCESS) r = external::exportFd(c.device, exported.memory, &replyFd);
      if (r != VK_SUCCESS) text = fail("export returned " + std::to_string(r));
    } else if (op == "image-import-check-write") {
      text = imageImportCheckWrite(c, m, fd);
    } else if (op == "timeline-pingpong") {
      text = timelinePingPong(c, m, fd);
    } else if (op == "binary-wait-read") {
      text = binaryWaitThenRead(c, socket, m, fd);
    } else if (op == "import-semaphore-and-exit") {
      // Attach to the payload, then die without signalling: the test's wait must not hang.
      VkSemaphore semaphore;
      VkResult r = importSemaphore(c, fd, true, &semaphore);
      text = r == VK_SUCCESS ? "ok" : fail("import returned " + std::to_string(r));
      std::snprintf(reply.text, sizeof(reply.text), "%s", text.c_str());
      fdpass::send(socket, reply);
      _exit(0);  // no cleanup: a crashed peer leaves its pid in the payload too
    } else if (op.starts_with("hold-")) {
      text = hold(c, held, op, m, fd);
    } else if (op == "pid") {
      text = std::to_string(getpid());
    } else if (op == "quit") {
      break;
    } else {
      text = fail("unknown request " + op);
    }
    std::snprintf(reply.text, sizeof(reply.text), "%s", text.c_str());
    fdpass::send(socket, reply, replyFd);
    if (replyFd >= 0) close(replyFd);
    if (op == "export-and-exit") {
      external::destroy(c.device, exported);
      break;
    }
  }
  held.release(c.device);
  tearDown(c);
  return 0;
}
