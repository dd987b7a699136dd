// What the JIT refuses, and that it refuses it with a reason instead of crashing: malformed
// SPIR-V (random words, truncated modules), missing entry points, features not supported yet.
#include <random>

#include "jit_runner.hpp"

using namespace jit_test;

namespace {

// Compiling must fail with a reason containing `expected`; validate() must agree when the
// problem is in the SPIR-V itself.
void checkRefused(std::span<const uint32_t> words, const std::string& expected,
                  const std::string& entry = "main") {
  auto program = Program::compile(words, entry, {});
  REQUIRE_FALSE(program.ok());
  INFO("reason: " << program.error().why);
  CHECK(program.error().code == VK_ERROR_UNKNOWN);
  CHECK(program.error().why.find(expected) != std::string::npos);
}

}  // namespace

TEST_CASE("jit: random words are refused by validation, without a crash", "[jit]") {
  std::mt19937 random(1234);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<uint32_t> words(1 + random() % 200);
    for (uint32_t& word : words) word = random();
    if (trial % 2) words[0] = 0x07230203;  // a valid magic number, garbage after it
    INFO("trial " << trial);
    auto valid = emvk::jit::validate(words);
    REQUIRE_FALSE(valid.ok());
    CHECK(valid.error().why.find("invalid SPIR-V") != std::string::npos);
    checkRefused(words, "invalid SPIR-V");
  }
}

TEST_CASE("jit: truncated and empty modules are refused, without a crash", "[jit]") {
  const std::vector<uint32_t> words = loadSpirv("saxpy", Variant::Plain);
  REQUIRE(emvk::jit::validate(words).ok());
  for (size_t length :
       {size_t{0}, size_t{1}, size_t{4}, size_t{5}, words.size() / 2, words.size() - 1}) {
    INFO("first " << length << " of " << words.size() << " words");
    std::span<const uint32_t> truncated(words.data(), length);
    CHECK_FALSE(emvk::jit::validate(truncated).ok());
    checkRefused(truncated, "invalid SPIR-V");
  }
}

// Mutated shaders sometimes still validate, and then reach the translator with shapes glslc never
// emits (duplicate switch cases, pointer bitcasts...): each must compile or give a reason.
TEST_CASE("jit: mutated shaders are compiled or refused, never crash", "[jit]") {
  std::vector<std::vector<uint32_t>> shaders;
  for (const char* name : {"saxpy", "loops", "vectors", "composites", "shared_reduction"}) {
    shaders.push_back(loadSpirv(name, Variant::Plain));
    shaders.push_back(loadSpirv(name, Variant::Optimized));
  }
  std::mt19937 random(2024);
  int validated = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::vector<uint32_t> words = shaders[random() % shaders.size()];
    for (int flips = 1 + random() % 3; flips > 0; --flips) {
      uint32_t& word = words[5 + random() % (words.size() - 5)];
      switch (random() % 3) {
        case 0:
          word ^= 1u << (random() % 32);
          break;
        case 1:
          word = random() % 64;
          break;
        default:
          word = words[5 + random() % (words.size() - 5)];
          break;
      }
    }
    if (!emvk::jit::validate(words).ok()) continue;
    ++validated;
    auto program = Program::compile(words, "main", {});
    INFO("trial " << trial << ": " << (program ? "compiled" : program.error().why));
    CHECK((program.ok() || !program.error().why.empty()));
  }
  CHECK(validated > 0);
}

TEST_CASE("jit: an OpSpecConstantOp index out of range is refused before spirv-opt sees it",
          "[jit]") {
  std::vector<uint32_t> words = loadSpirvFile("spec_constant_out_of_range.assembled");
  REQUIRE(emvk::jit::validate(words).ok());  // the validator lets it through
  checkRefused(words, "OpSpecConstantOp OpCompositeExtract %");
}

TEST_CASE("jit: a missing entry point is named in the error", "[jit]") {
  checkRefused(loadSpirv("saxpy", Variant::Plain), "no entry point named \"other\"", "other");
}

TEST_CASE("jit: unsupported features are refused with the opcode or type they need", "[jit]") {
  Variant variant = GENERATE(Variant::Plain, Variant::Optimized);
  INFO(variantName(variant));
  checkRefused(loadSpirv("atomic64", variant),
               "OpAtomicIAdd on non-32-bit-integers is not supported yet");
}
