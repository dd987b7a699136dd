// The on-disk shader cache: artefacts that outlive the process, so that a second run of the same
// program links its pipelines instead of compiling them (docs/SHADER_CACHE.md).
//
//   EMVK_SHADER_CACHE=0          disables it
//   EMVK_SHADER_CACHE_DIR=dir    its folder (default $XDG_CACHE_HOME/emvk, else ~/.cache/emvk)
//   EMVK_SHADER_CACHE_MAX_MB=n   its size bound (default 256 MiB); the least recently used
//                                files go first
//
// One file per program, `<folder>/<64 hex digits of the key>.emvk`, holding one entry record
// (jit/code_cache.hpp: key, checksum, artefact). Files are written to a temporary name and
// renamed into place, so a reader in another process sees a whole file or none. Every read is
// verified; a bad file is removed and is a miss. Nothing here ever fails a compile: problems
// come back as text for device/ to log (jit/ logs nothing).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "jit/jit.hpp"

namespace emvk::jit {

class DiskCache {
 public:
  // Reads the switches at each call (a few getenv), so a test can change them in-process. Empty
  // when the cache is disabled or no folder can be named.
  static std::optional<DiskCache> fromEnvironment();
  DiskCache(std::filesystem::path folder, uint64_t maxBytes)
      : folder_(std::move(folder)), maxBytes_(maxBytes) {}

  struct Lookup {
    Artefact artefact;    // null on a miss
    std::string problem;  // why a file that was there could not be used; empty otherwise
  };
  Lookup load(const CacheKey& key) const;

  // Writes the artefact and evicts the oldest files beyond the size bound. Empty, or why not.
  std::string store(const CacheKey& key, const Artefact& artefact) const;

  const std::filesystem::path& folder() const { return folder_; }
  std::filesystem::path file(const CacheKey& key) const;

 private:
  void evict() const;
  std::filesystem::path folder_;
  uint64_t maxBytes_;
};

}  // namespace emvk::jit
