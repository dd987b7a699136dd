#include "jit/dump.hpp"

#include <llvm/ADT/SmallString.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "jit/spirv_tools.hpp"

namespace emvk::jit {

namespace {

// FNV-1a: stable across runs and builds (std::hash is not), enough to tell shaders apart.
uint64_t hashOf(std::span<const uint32_t> words, const std::string& entry) {
  uint64_t hash = 0xcbf29ce484222325ull;
  auto add = [&](uint8_t byte) { hash = (hash ^ byte) * 0x100000001b3ull; };
  for (uint32_t word : words) {
    for (int i = 0; i < 4; ++i) add(static_cast<uint8_t>(word >> (8 * i)));
  }
  for (char c : entry) add(static_cast<uint8_t>(c));
  return hash;
}

// The entry point's name goes into a file name: anything but letters, digits and _ becomes _.
std::string fileSafe(const std::string& name) {
  std::string safe = name.substr(0, 64);
  for (char& c : safe) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!plain) c = '_';
  }
  return safe;
}

}  // namespace

std::optional<ShaderDump> ShaderDump::fromEnvironment(std::span<const uint32_t> spirv,
                                                      const std::string& entry) {
  const char* dir = std::getenv("EMVK_DUMP_SHADERS");
  if (!dir || !*dir) return std::nullopt;
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016llx",
                static_cast<unsigned long long>(hashOf(spirv, entry)));
  std::string name = std::string("emvk-") + hash + "-" + fileSafe(entry);
  return ShaderDump((std::filesystem::path(dir) / name).string());
}

// Every step below swallows its failures (and exceptions): a dump is a by-product.
void ShaderDump::write(const char* extension, const std::string& text) const {
  try {
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(base_).parent_path(), ignored);
    std::ofstream file(base_ + extension, std::ios::binary | std::ios::trunc);
    file << text;
  } catch (...) {
  }
}

void ShaderDump::spirv(std::span<const uint32_t> words) const {
  try {
    if (auto text = disassembleSpirv(words)) write(".spvasm", *text);
  } catch (...) {
  }
}

void ShaderDump::ir(const llvm::Module& module, const char* extension) const {
  try {
    std::string text;
    llvm::raw_string_ostream stream(text);
    module.print(stream, nullptr);
    write(extension, stream.str());
  } catch (...) {
  }
}

void ShaderDump::assembly(const llvm::Module& module, llvm::TargetMachine& machine) const {
  try {
    // Code generation changes the module it runs on; ORC still needs the original.
    std::unique_ptr<llvm::Module> clone = llvm::CloneModule(module);
    llvm::SmallString<0> text;
    llvm::raw_svector_ostream stream(text);
    llvm::legacy::PassManager passes;
    // true: the target cannot emit assembly; nothing to write.
    if (machine.addPassesToEmitFile(passes, stream, nullptr, llvm::CodeGenFileType::AssemblyFile)) {
      return;
    }
    passes.run(*clone);
    write(".s", std::string(text.str()));
  } catch (...) {
  }
}

}  // namespace emvk::jit
