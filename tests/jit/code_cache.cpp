// The cached artefact (jit/code_cache.hpp): a program linked from it runs like the compiled one
// and costs LLVM nothing; keys tell inputs apart; damaged bytes are refused, never trusted.
#include "jit/code_cache.hpp"

#include <algorithm>
#include <filesystem>
#include <random>

#include "jit/disk_cache.hpp"
#include "jit_runner.hpp"

using namespace jit_test;
using emvk::jit::Artefact;
using emvk::jit::CacheEntry;
using emvk::jit::CacheKey;

namespace {

constexpr std::array<uint8_t, 16> kIdentity{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

void checkSaxpy(const Program& program) {
  std::vector<float> x(256), y(256, 1.0f);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  struct {
    float a;
    uint32_t n;
  } constants{3.0f, 256};
  Dispatch().bind(0, x).bind(1, y).push(constants).run(program, {4, 1, 1});
  for (size_t i = 0; i < y.size(); ++i) {
    INFO("y[" << i << "]");
    REQUIRE(y[i] == 3.0f * float(i) + 1.0f);
  }
}

std::vector<uint8_t> twoEntries() {
  std::vector<uint8_t> blob;
  auto a = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>{1, 2, 3, 4, 5});
  auto b = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>(300, 7));
  emvk::jit::appendEntry(blob, {CacheKey{1}, a});
  emvk::jit::appendEntry(blob, {CacheKey{2}, b});
  return blob;
}

}  // namespace

TEST_CASE("jit: a program loaded from its artefact runs without compiling", "[jit][cache]") {
  auto compiled = compile("saxpy", Variant::Optimized);
  const Artefact artefact = compiled->artefact();
  REQUIRE(artefact);
  compiled.reset();  // the loaded program must not depend on the compiled one

  // Through the bytes, as a cache keeps them.
  auto copy = std::make_shared<const std::vector<uint8_t>>(*artefact);
  const uint64_t before = emvk::jit::compilationCount();
  auto loaded = Program::load(copy);
  CHECK(emvk::jit::compilationCount() == before);  // LLVM generated no code
  REQUIRE(loaded.ok());
  CHECK(loaded.value()->localSize() == std::array<uint32_t, 3>{64, 1, 1});
  CHECK(loaded.value()->bindings().size() == 2);
  checkSaxpy(*loaded.value());
}

TEST_CASE("jit: cache keys differ in every input", "[jit][cache]") {
  const std::vector<uint32_t> words = loadSpirv("spec_constants", Variant::Optimized);
  const auto key = [&](std::vector<uint32_t> spirv, std::string entry,
                       std::vector<emvk::jit::SpecializationConstant> spec,
                       std::array<uint8_t, 16> identity) {
    return emvk::jit::cacheKey(spirv, entry, spec, identity);
  };
  const CacheKey base = key(words, "main", {}, kIdentity);
  CHECK(key(words, "main", {}, kIdentity) == base);
  std::vector<uint32_t> changed = words;
  changed.back() ^= 1;
  CHECK(key(changed, "main", {}, kIdentity) != base);
  CHECK(key(words, "other", {}, kIdentity) != base);
  CHECK(key(words, "main", {specialization(0, 5u)}, kIdentity) != base);
  CHECK(key(words, "main", {specialization(0, 5u)}, kIdentity) !=
        key(words, "main", {specialization(0, 6u)}, kIdentity));
  std::array<uint8_t, 16> other = kIdentity;
  other[15] = 0;
  CHECK(key(words, "main", {}, other) != base);
}

TEST_CASE("jit: entry records round-trip, and every truncation or flipped byte is refused",
          "[jit][cache]") {
  const std::vector<uint8_t> blob = twoEntries();
  auto entries = emvk::jit::parseEntries(blob);
  REQUIRE(entries.ok());
  REQUIRE(entries.value().size() == 2);
  CHECK(entries.value()[1].key == CacheKey{2});
  CHECK(*entries.value()[1].artefact == std::vector<uint8_t>(300, 7));

  // Cut anywhere except between records: refused with a reason.
  const size_t boundary = emvk::jit::kEntryHeaderSize + 5;
  for (size_t length = 1; length < blob.size(); ++length) {
    auto cut = emvk::jit::parseEntries(std::span(blob).first(length));
    INFO("truncated to " << length << " bytes");
    if (length == boundary) {
      CHECK(cut.ok());
    } else {
      REQUIRE(!cut.ok());
      CHECK(!cut.error().why.empty());
    }
  }
  // Every byte, every bit: the magic, the version, the sizes or the checksum catch it.
  for (size_t at = 0; at < blob.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> flipped = blob;
      flipped[at] ^= uint8_t(1u << bit);
      INFO("byte " << at << " bit " << bit);
      CHECK(!emvk::jit::parseEntries(flipped).ok());
    }
  }
}

TEST_CASE("jit: a damaged artefact is refused by Program::load", "[jit][cache]") {
  auto compiled = compile("saxpy", Variant::Optimized);
  const std::vector<uint8_t>& bytes = *compiled->artefact();
  // Truncations break the artefact's own sizes (the checksum of its entry record would catch
  // flipped bytes before they reach load).
  for (size_t length = 0; length < bytes.size(); length += std::max<size_t>(1, length / 8)) {
    auto cut = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.begin() + length);
    INFO("truncated to " << length << " bytes");
    CHECK(!Program::load(cut).ok());
  }
}

TEST_CASE("jit: the disk cache stores, finds, and removes a corrupted file", "[jit][cache]") {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() /
      ("emvk-disk-cache-unit-" + std::to_string(std::random_device{}()));
  emvk::jit::DiskCache disk(folder, 1 << 20);
  auto artefact = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>(1000, 9));
  const CacheKey key{42};
  CHECK(!disk.load(key).artefact);  // no folder yet: a plain miss
  CHECK(disk.store(key, artefact).empty());
  auto found = disk.load(key);
  REQUIRE(found.artefact);
  CHECK(*found.artefact == *artefact);

  {
    std::fstream f(disk.file(key), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(500);
    f.put('\x01');
  }
  auto bad = disk.load(key);
  CHECK(!bad.artefact);
  CHECK(bad.problem.find("removed") != std::string::npos);
  CHECK(!std::filesystem::exists(disk.file(key)));

  // Over the bound, the least recently used files go.
  emvk::jit::DiskCache small(folder, 0);
  CHECK(small.store(key, artefact).empty());
  CHECK(!std::filesystem::exists(small.file(key)));
  std::filesystem::remove_all(folder);
}
