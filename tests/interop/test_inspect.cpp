// emvk-inspect seen from outside: this process exports memory (one plain allocation, one dedicated
// to an image), and a timeline semaphore; the peer program imports all three and holds them; then
// emvk-inspect, run as a separate program, must name each object, its exporter and its importer.
// Other tests run in parallel and the harness may hold emvk objects of its own, so every check
// looks only at the objects this test made (found by inode) and at its two processes.
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "device/json.hpp"
#include "harness.hpp"
#include "interop/external_buffer.hpp"
#include "interop/external_image.hpp"
#include "interop/external_semaphore.hpp"
#include "interop/peer.hpp"
#include "tools/leaks.hpp"
#include "tools/probe.hpp"

namespace {

using emvk::json::Value;

constexpr char kNothing[] = "no emvk objects shared on this machine";

// Runs emvk-inspect with `args` (stderr folded into the output).
probe::CommandResult inspect(const std::string& args) {
  return probe::runCommand(std::string(EMVK_INSPECT_BINARY) + " " + args + " 2>&1");
}

Value inspectJson(const std::string& args) {
  const probe::CommandResult run = inspect("--json " + args);
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  auto parsed = emvk::json::parse(run.output);
  INFO(parsed.error);
  REQUIRE(parsed.value);
  return *parsed.value;
}

uint64_t inodeOf(int fd) {
  struct stat st;
  REQUIRE(fstat(fd, &st) == 0);
  return st.st_ino;
}

uint64_t number(const Value* v) {
  REQUIRE(v);
  REQUIRE(v->unsignedInteger());
  return *v->unsignedInteger();
}

std::string text(const Value* v) {
  REQUIRE(v);
  REQUIRE(v->isString());
  return v->string();
}

// The object of `list` ("memory" or "sync") whose memfd has `inode`, or null.
const Value* objectWithInode(const Value& report, const char* list, uint64_t inode) {
  const Value* objects = report.find(list);
  REQUIRE(objects);
  REQUIRE(objects->isArray());
  for (const Value& o : objects->array())
    if (number(o.find("inode")) == inode) return &o;
  return nullptr;
}

// The entry of `array` (holders, importers, attached) for process `pid`, or null.
const Value* entryFor(const Value* array, pid_t pid) {
  REQUIRE(array);
  REQUIRE(array->isArray());
  for (const Value& entry : array->array())
    if (number(entry.find("pid")) == static_cast<uint64_t>(pid)) return &entry;
  return nullptr;
}

bool containsString(const Value* array, const std::string& s) {
  REQUIRE(array);
  for (const Value& v : array->array())
    if (v.isString() && v.string() == s) return true;
  return false;
}

// The lines of `output` that contain every one of `words`.
std::vector<std::string> linesWith(const std::string& output, std::vector<std::string> words) {
  std::vector<std::string> found;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (std::all_of(words.begin(), words.end(),
                    [&](const std::string& w) { return line.find(w) != std::string::npos; }))
      found.push_back(line);
  return found;
}

// The layout ABI and driverUUID the device reports, to compare with what the records say.
struct DriverIdentity {
  uint32_t layoutAbi = 0;
  std::string driverUUID;
};

DriverIdentity driverIdentity(VkPhysicalDevice physical) {
  VkPhysicalDeviceIDProperties id{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES, &id};
  VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &driver};
  vkGetPhysicalDeviceProperties2(physical, &props);
  DriverIdentity identity;
  // driverInfo reads "emvk 0.1.0, build <hash>, layout ABI <n>".
  const std::string info = driver.driverInfo;
  const size_t at = info.rfind("layout ABI ");
  REQUIRE(at != std::string::npos);
  identity.layoutAbi = static_cast<uint32_t>(std::stoul(info.substr(at + 11)));
  char hex[3];
  for (uint8_t byte : id.driverUUID) {
    std::snprintf(hex, sizeof(hex), "%02x", byte);
    identity.driverUUID += hex;
  }
  return identity;
}

pid_t peerPid(external::Peer& peer) {
  const std::string reply = peer.request(fdpass::message("pid"));
  INFO(reply);
  REQUIRE(!reply.empty());
  REQUIRE(std::all_of(reply.begin(), reply.end(), [](char c) { return c >= '0' && c <= '9'; }));
  return static_cast<pid_t>(std::stol(reply));
}

// A process's holder entry: it keeps at least one fd and one mapping of the object.
void checkHolds(const Value* entry) {
  REQUIRE(entry);
  CHECK(entry->find("alive")->boolean());
  CHECK(!entry->find("fds")->array().empty());
  CHECK(number(entry->find("mappings")) >= 1);
}

}  // namespace

TEST_CASE("inspect: memory, an image and a timeline shared with a peer process are listed",
          "[inspect][external]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  external::SyncDevice features;
  test::Device device(instance, features.options());
  const DriverIdentity identity = driverIdentity(instance.physical);
  const leaks::Snapshot baseline;
  const pid_t self = getpid();
  const uint32_t memoryType = device.hostVisibleMemoryType();

  // Plain memory, an image with parameters no other test uses, and a timeline at 42.
  external::SharedBuffer plain;
  REQUIRE(external::exportableBuffer(device.handle, 3 << 16, memoryType, false, plain) ==
          VK_SUCCESS);
  external::ImageParams p;
  p.format = VK_FORMAT_B8G8R8A8_SRGB;
  p.width = 123;
  p.height = 45;
  p.mipLevels = 4;
  p.arrayLayers = 3;
  external::SharedImage image;
  REQUIRE(external::sharedImage(device.handle, p, memoryType, -1, 0, image) == VK_SUCCESS);
  VkSemaphore timeline = external::createSemaphore(device, true, true, 41);
  VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, nullptr, timeline, 42};
  REQUIRE(device.proc<PFN_vkSignalSemaphoreKHR>("vkSignalSemaphoreKHR")(device.handle, &signal) ==
          VK_SUCCESS);

  int plainFd = -1, imageFd = -1;
  REQUIRE(external::exportFd(device.handle, plain.memory, &plainFd) == VK_SUCCESS);
  REQUIRE(external::exportFd(device.handle, image.memory, &imageFd) == VK_SUCCESS);
  const int timelineFd = external::exportSemaphore(device, timeline);
  const uint64_t plainInode = inodeOf(plainFd), imageInode = inodeOf(imageFd),
                 timelineInode = inodeOf(timelineFd);

  pid_t child = 0;
  {
    external::Peer peer;
    child = peerPid(peer);
    REQUIRE(peer.request(fdpass::message("hold-buffer", plain.allocationSize, memoryType),
                         plainFd) == "ok");
    auto m = fdpass::message("hold-image", image.allocationSize, memoryType);
    m.format = p.format;
    m.tiling = p.tiling;
    m.width = p.width;
    m.height = p.height;
    m.mipLevels = p.mipLevels;
    m.arrayLayers = p.arrayLayers;
    REQUIRE(peer.request(m, imageFd) == "ok");
    REQUIRE(peer.request(fdpass::message("hold-timeline"), timelineFd) == "ok");
    // The peer received its own descriptors; from here on, this process holds each object only
    // through its VkDeviceMemory / VkSemaphore.
    close(plainFd);
    close(imageFd);
    close(timelineFd);

    SECTION("the JSON report names every object, its exporter and its importer") {
      const Value report = inspectJson("");
      CHECK(number(report.find("format_version")) == 1);

      const Value* mem = objectWithInode(report, "memory", plainInode);
      REQUIRE(mem);
      CHECK(text(mem->find("status")) == "ok");
      CHECK(mem->find("checksum_ok")->boolean());
      CHECK(number(mem->find("size")) == plain.allocationSize);
      CHECK(number(mem->find("memory_type_index")) == memoryType);
      CHECK(text(mem->find("dedication")) == "none");
      CHECK(number(mem->find("record_version")) == 1);
      CHECK(number(mem->find("layout_abi_version")) == identity.layoutAbi);
      CHECK(text(mem->find("driver_uuid")) == identity.driverUUID);
      CHECK(number(mem->at({"exporter", "pid"})) == static_cast<uint64_t>(self));
      CHECK(mem->at({"exporter", "alive"})->boolean());
      CHECK(mem->at({"exporter", "holds"})->boolean());
      // An emvk importer keeps the fd it imported (the allocation owns it) and maps the data.
      checkHolds(entryFor(mem->find("importers"), child));
      CHECK(!entryFor(mem->find("importers"), self));
      checkHolds(entryFor(mem->find("holders"), self));

      const Value* img = objectWithInode(report, "memory", imageInode);
      REQUIRE(img);
      CHECK(text(img->find("status")) == "ok");
      CHECK(number(img->find("size")) == image.allocationSize);
      CHECK(number(img->find("layout_abi_version")) == identity.layoutAbi);
      CHECK(text(img->find("dedication")) == "image");
      const Value* desc = img->find("image");
      REQUIRE(desc);
      CHECK(text(desc->find("format")) == "VK_FORMAT_B8G8R8A8_SRGB");
      CHECK(number(desc->find("format_value")) == VK_FORMAT_B8G8R8A8_SRGB);
      CHECK(text(desc->find("type")) == "VK_IMAGE_TYPE_2D");
      CHECK(number(desc->find("width")) == 123);
      CHECK(number(desc->find("height")) == 45);
      CHECK(number(desc->find("depth")) == 1);
      CHECK(number(desc->find("mip_levels")) == 4);
      CHECK(number(desc->find("array_layers")) == 3);
      CHECK(number(desc->find("samples")) == 1);
      CHECK(text(desc->find("tiling")) == "VK_IMAGE_TILING_OPTIMAL");
      CHECK(containsString(desc->find("usage"), "VK_IMAGE_USAGE_TRANSFER_SRC_BIT"));
      CHECK(containsString(desc->find("usage"), "VK_IMAGE_USAGE_TRANSFER_DST_BIT"));
      CHECK(number(img->at({"exporter", "pid"})) == static_cast<uint64_t>(self));
      checkHolds(entryFor(img->find("importers"), child));

      const Value* sem = objectWithInode(report, "sync", timelineInode);
      REQUIRE(sem);
      CHECK(text(sem->find("status")) == "ok");
      CHECK(text(sem->find("kind")) == "timeline_semaphore");
      CHECK(number(sem->find("value")) == 42);
      CHECK(text(sem->find("driver_uuid")) == identity.driverUUID);
      for (pid_t pid : {self, child}) {
        INFO("pid " << pid);
        const Value* attached = entryFor(sem->find("attached"), pid);
        REQUIRE(attached);
        CHECK(attached->find("alive")->boolean());
        checkHolds(entryFor(sem->find("holders"), pid));
      }
    }

    SECTION("the table shows the same in 100 columns") {
      // Only this process's objects: the same test may run at the same time (plain and under
      // validation), with objects just like these.
      const probe::CommandResult run = inspect("--pid " + std::to_string(self));
      INFO(run.output);
      REQUIRE(run.exitCode == 0);
      CHECK(run.output.find("MEMORY OBJECTS") < run.output.find("SEMAPHORES AND FENCES"));
      const std::string size = std::to_string(plain.allocationSize) + " bytes, memory type " +
                               std::to_string(memoryType) + ", layout ABI " +
                               std::to_string(identity.layoutAbi);
      CHECK(linesWith(run.output, {"memory inode " + std::to_string(plainInode) + ": " + size})
                .size() == 1);
      CHECK(linesWith(run.output, {"checksum ok"}).size() >= 2);
      CHECK(linesWith(run.output, {"dedicated", "image 2D VK_FORMAT_B8G8R8A8_SRGB 123x45x1,",
                                   "4 mips, 3 layers, 1 sample, OPTIMAL"})
                .size() == 1);
      CHECK(linesWith(run.output, {"sync inode " + std::to_string(timelineInode) +
                                   ": timeline semaphore, value 42"})
                .size() == 1);
      // Two exporter and two importer lines: the plain memory and the image.
      CHECK(linesWith(run.output, {"exporter", "pid " + std::to_string(self) + " ", "alive"})
                .size() == 2);
      CHECK(linesWith(run.output, {"importer", "pid " + std::to_string(child) + " ", "alive"})
                .size() == 2);
      CHECK(linesWith(run.output, {"attached", "pid " + std::to_string(child) + " "}).size() == 1);
      for (const std::string& line : linesWith(run.output, {""})) {
        INFO(line);
        CHECK(line.size() <= 100);
      }
    }

    SECTION("--pid keeps only the objects of that process") {
      const Value report = inspectJson("--pid " + std::to_string(child));
      CHECK(number(report.find("pid_filter")) == static_cast<uint64_t>(child));
      for (const char* list : {"memory", "sync"})
        for (const Value& o : report.find(list)->array()) {
          INFO(list << " inode " << number(o.find("inode")));
          CHECK(entryFor(o.find("holders"), child));
        }
      CHECK(objectWithInode(report, "memory", plainInode));
      CHECK(objectWithInode(report, "memory", imageInode));
      CHECK(objectWithInode(report, "sync", timelineInode));
      // The peer made no exportable object of its own: everything it holds, this process made.
      CHECK(report.find("memory")->array().size() == 2);
      CHECK(report.find("sync")->array().size() == 1);
    }

    SECTION("once the peer has exited, a second scan shows it gone") {
      peer.send(fdpass::message("quit"));
      peer.wait();
      const Value report = inspectJson("");
      for (uint64_t inode : {plainInode, imageInode}) {
        const Value* mem = objectWithInode(report, "memory", inode);
        REQUIRE(mem);  // this process still holds it
        CHECK(!entryFor(mem->find("holders"), child));
        CHECK(mem->find("importers")->array().empty());
        CHECK(number(mem->at({"exporter", "pid"})) == static_cast<uint64_t>(self));
      }
      const Value* sem = objectWithInode(report, "sync", timelineInode);
      REQUIRE(sem);
      CHECK(!entryFor(sem->find("holders"), child));
      // A peer that exits cleanly detaches from the payload (a killed one would stay, as dead).
      CHECK(!entryFor(sem->find("attached"), child));
      CHECK(entryFor(sem->find("attached"), self));
      CHECK(inspect("--pid " + std::to_string(child)).output.find(kNothing) != std::string::npos);
    }
  }

  vkDestroySemaphore(device.handle, timeline, nullptr);
  external::destroy(device.handle, image);
  external::destroy(device.handle, plain);
  // No descriptor of the test, the peer's socket or emvk-inspect's pipes is left, nor a child.
  const leaks::Comparison after = leaks::compare(baseline);
  INFO("before: " << baseline.describe() << ", after: " << after.now);
  CHECK(after.fds);
  CHECK(after.children);
  // This process's objects are gone from the machine's list too.
  const Value report = inspectJson("--pid " + std::to_string(self));
  CHECK(!objectWithInode(report, "memory", plainInode));
  CHECK(!objectWithInode(report, "sync", timelineInode));
}

TEST_CASE("inspect: a process that shares nothing, --help and bad command lines",
          "[inspect][external]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  // The peer has its own emvk device but has exported and imported nothing.
  external::Peer peer;
  const std::string pid = std::to_string(peerPid(peer));

  const probe::CommandResult table = inspect("--pid " + pid);
  INFO(table.output);
  CHECK(table.exitCode == 0);
  CHECK(table.output.find(kNothing) != std::string::npos);
  CHECK(table.output.find("MEMORY OBJECTS") == std::string::npos);

  const Value report = inspectJson("--pid " + pid);
  CHECK(report.find("memory")->array().empty());
  CHECK(report.find("sync")->array().empty());
  CHECK(number(report.find("processes_scanned")) >= 1);

  const probe::CommandResult help = inspect("--help");
  CHECK(help.exitCode == 0);
  CHECK(help.output.find("usage: emvk-inspect") != std::string::npos);
  const probe::CommandResult notAPid = inspect("--pid twelve");
  CHECK(notAPid.exitCode == 2);
  CHECK(notAPid.output.find("--pid twelve is not a process id") != std::string::npos);
  CHECK(inspect("--pid").exitCode == 2);
  CHECK(inspect("--frobnicate").exitCode == 2);
}

TEST_CASE("inspect: memfds named like emvk's but not emvk's are shown as such, fd or mapping",
          "[inspect]") {
  // A memfd called emvk-device-memory that holds zeros, and one whose record has the right magic
  // and version but a wrong checksum; the second is kept only as a mapping (its fd closed), the
  // way a program may keep memory it imported by hand.
  const long page = 4096;
  const int zeros = memfd_create("emvk-device-memory", MFD_CLOEXEC);
  REQUIRE(zeros >= 0);
  REQUIRE(ftruncate(zeros, 2 * page) == 0);
  const int corrupt = memfd_create("emvk-device-memory", MFD_CLOEXEC);
  REQUIRE(corrupt >= 0);
  REQUIRE(ftruncate(corrupt, 2 * page) == 0);
  unsigned char record[256];
  std::memset(record, 0x5a, sizeof(record));
  std::memcpy(record, "EMVKMEM1", 8);
  const uint32_t version = 1;
  std::memcpy(record + 8, &version, sizeof(version));
  REQUIRE(pwrite(corrupt, record, sizeof(record), page) == static_cast<ssize_t>(sizeof(record)));
  void* mapped = mmap(nullptr, 2 * page, PROT_READ, MAP_SHARED, corrupt, 0);
  REQUIRE(mapped != MAP_FAILED);
  const uint64_t zerosInode = inodeOf(zeros), corruptInode = inodeOf(corrupt);
  close(corrupt);

  const Value report = inspectJson("--pid " + std::to_string(getpid()));
  const Value* notEmvk = objectWithInode(report, "memory", zerosInode);
  REQUIRE(notEmvk);
  CHECK(text(notEmvk->find("status")).find("no emvk identity record") != std::string::npos);
  CHECK(!notEmvk->find("exporter"));
  const Value* bad = objectWithInode(report, "memory", corruptInode);
  REQUIRE(bad);
  const Value* holder = entryFor(bad->find("holders"), getpid());
  REQUIRE(holder);
  CHECK(holder->find("fds")->array().empty());
  CHECK(number(holder->find("mappings")) == 1);
  // /proc/<pid>/map_files opens a mapped file for CAP_SYS_ADMIN only; anyone else gets a reason.
  const std::string status = text(bad->find("status"));
  INFO(status);
  if (geteuid() == 0) {
    CHECK(status.find("checksum mismatch") != std::string::npos);
    CHECK(!bad->find("checksum_ok")->boolean());
  } else {
    CHECK(status.find("permission denied") != std::string::npos);
  }
  const probe::CommandResult table = inspect("--pid " + std::to_string(getpid()));
  CHECK(table.exitCode == 0);
  munmap(mapped, 2 * page);
  close(zeros);
}

TEST_CASE("inspect: memory whose exporter exited shows the exporter gone and the importer",
          "[inspect][external]") {
  test::Instance instance;
  if (!probe::isEmvk(instance.physical)) return;
  external::SyncDevice features;
  test::Device device(instance, features.options());
  const VkDeviceSize size = 1 << 16;
  int fd = -1;
  pid_t exporter = 0;
  {
    external::Peer peer;
    exporter = peerPid(peer);
    auto m = fdpass::message("export-and-exit", size, device.hostVisibleMemoryType(), 51);
    REQUIRE(peer.request(m, -1, &fd) == "ok");
    peer.wait();  // freed everything and exited: the payload lives on in `fd`
  }
  REQUIRE(fd >= 0);
  const uint64_t inode = inodeOf(fd);
  external::SharedBuffer imported;
  REQUIRE(external::importBuffer(device.handle, fd, size, size, device.hostVisibleMemoryType(),
                                 false, imported) == VK_SUCCESS);

  const pid_t self = getpid();
  const Value report = inspectJson("--pid " + std::to_string(self));
  const Value* mem = objectWithInode(report, "memory", inode);
  REQUIRE(mem);
  CHECK(text(mem->find("status")) == "ok");
  CHECK(number(mem->at({"exporter", "pid"})) == static_cast<uint64_t>(exporter));
  CHECK(!mem->at({"exporter", "alive"})->boolean());
  CHECK(!mem->at({"exporter", "holds"})->boolean());
  checkHolds(entryFor(mem->find("importers"), self));
  // --pid of the dead exporter still finds what it exported.
  CHECK(objectWithInode(inspectJson("--pid " + std::to_string(exporter)), "memory", inode));

  const probe::CommandResult table = inspect("--pid " + std::to_string(self));
  INFO(table.output);
  CHECK(linesWith(table.output, {"exporter", "pid " + std::to_string(exporter) + " ", "gone"})
            .size() == 1);
  external::destroy(device.handle, imported);
}
