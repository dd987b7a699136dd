#include "jit/disk_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

#include "jit/code_cache.hpp"

namespace emvk::jit {

namespace {

constexpr uint64_t kDefaultMaxBytes = 256ull << 20;
constexpr const char* kExtension = ".emvk";

std::optional<std::filesystem::path> defaultFolder() {
  // XDG Base Directory Specification: $XDG_CACHE_HOME, if set and absolute, else ~/.cache.
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return std::filesystem::path(xdg) / "emvk";
  const char* home = std::getenv("HOME");
  if (home && home[0] == '/') return std::filesystem::path(home) / ".cache" / "emvk";
  return std::nullopt;
}

// The whole file, or nullopt when it cannot be read (a miss, not a problem: it may not exist).
std::optional<std::vector<uint8_t>> readFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::vector<uint8_t> bytes;
  uint8_t chunk[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  ::close(fd);
  return bytes;
}

bool writeAll(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::optional<DiskCache> DiskCache::fromEnvironment() {
  const char* enabled = std::getenv("EMVK_SHADER_CACHE");
  if (enabled && std::strcmp(enabled, "0") == 0) return std::nullopt;
  std::optional<std::filesystem::path> folder;
  const char* dir = std::getenv("EMVK_SHADER_CACHE_DIR");
  if (dir && dir[0] != '\0') {
    folder = dir;
  } else {
    folder = defaultFolder();
  }
  if (!folder) return std::nullopt;
  uint64_t maxBytes = kDefaultMaxBytes;
  if (const char* mb = std::getenv("EMVK_SHADER_CACHE_MAX_MB")) {
    char* end = nullptr;
    const unsigned long long value = std::strtoull(mb, &end, 10);
    if (end != mb && *end == '\0') maxBytes = static_cast<uint64_t>(value) << 20;
  }
  return DiskCache(std::move(*folder), maxBytes);
}

std::filesystem::path DiskCache::file(const CacheKey& key) const {
  return folder_ / (toHex(key) + kExtension);
}

DiskCache::Lookup DiskCache::load(const CacheKey& key) const {
  const std::filesystem::path path = file(key);
  std::optional<std::vector<uint8_t>> bytes = readFile(path);
  if (!bytes) return {};
  auto entries = parseEntries(*bytes);
  std::string problem;
  if (!entries) {
    problem = entries.error().why;
  } else if (entries.value().size() != 1 || entries.value()[0].key != key) {
    problem = "it does not hold exactly the entry its name says";
  }
  std::error_code ignored;
  if (!problem.empty()) {
    // A bad file would miss forever: it goes, and the compile that follows writes a good one.
    std::filesystem::remove(path, ignored);
    return {nullptr, "disk cache file " + path.string() + " removed: " + problem};
  }
  // Used files look new, so that eviction takes the least recently used first.
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now(), ignored);
  return {std::move(entries.value()[0].artefact), {}};
}

std::string DiskCache::store(const CacheKey& key, const Artefact& artefact) const {
  static std::atomic<uint64_t> temporaries{0};
  std::error_code error;
  std::filesystem::create_directories(folder_, error);
  if (error)
    return "cannot create the disk cache folder " + folder_.string() + ": " + error.message();

  std::vector<uint8_t> bytes;
  bytes.reserve(entrySize(artefact));
  appendEntry(bytes, {key, artefact});
  // A temporary name of this process and thread, then rename(2): atomic within one file system,
  // so no reader ever sees half a file, and two writers of one key leave one whole file.
  const std::filesystem::path temporary =
      folder_ / (".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(temporaries++) + "-" +
                 toHex(key, 8));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot write " + temporary.string() + ": " + std::strerror(errno);
  const bool written = writeAll(fd, bytes);
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || ::rename(temporary.c_str(), file(key).c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temporary.c_str());
    return "cannot write " + file(key).string() + ": " + why;
  }
  evict();
  return {};
}

void DiskCache::evict() const {
  struct File {
    std::filesystem::path path;
    std::filesystem::file_time_type time;
    uint64_t size;
  };
  std::vector<File> files;
  uint64_t total = 0;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(folder_, error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (it->path().extension() != kExtension) continue;
    std::error_code ignored;
    File f{it->path(), it->last_write_time(ignored), it->file_size(ignored)};
    if (ignored) continue;  // removed by another process meanwhile
    total += f.size;
    files.push_back(std::move(f));
  }
  if (total <= maxBytes_) return;
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return a.time < b.time; });
  for (const File& f : files) {
    if (total <= maxBytes_) break;
    std::error_code ignored;
    if (std::filesystem::remove(f.path, ignored)) total -= f.size;
  }
}

}  // namespace emvk::jit
