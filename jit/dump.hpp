// EMVK_DUMP_SHADERS=dir, a teaching switch: every program compiled while it is set leaves its
// journey (jit.hpp) in `dir`, one file per step, named after the module and entry point:
//   emvk-<16 hex>-<entry>.spvasm   the SPIR-V after specialisation and inlining
//   emvk-<16 hex>-<entry>.ll       the LLVM IR as translated
//   emvk-<16 hex>-<entry>.opt.ll   the LLVM IR after the optimisation pipeline
//   emvk-<16 hex>-<entry>.s        the host machine code, as assembly
// A dump that cannot be written is skipped: it never fails a compile, and jit/ logs nothing.
// A pipeline whose code comes from a cache (docs/SHADER_CACHE.md) compiles nothing: no dump.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace emvk::jit {

class ShaderDump {
 public:
  // Reads EMVK_DUMP_SHADERS at each call (one getenv), so a test can set it in-process; empty
  // when unset. `spirv` are the words as the application gave them: the name is their hash.
  static std::optional<ShaderDump> fromEnvironment(std::span<const uint32_t> spirv,
                                                   const std::string& entry);

  void spirv(std::span<const uint32_t> words) const;                 // .spvasm
  void ir(const llvm::Module& module, const char* extension) const;  // ".ll" or ".opt.ll"
  // Generates code for a clone of `module` with `machine`, built like the JIT's own.
  void assembly(const llvm::Module& module, llvm::TargetMachine& machine) const;  // .s

 private:
  explicit ShaderDump(std::string base) : base_(std::move(base)) {}
  void write(const char* extension, const std::string& text) const;
  std::string base_;  // dir/emvk-<hash>-<entry>, to which each step adds its extension
};

}  // namespace emvk::jit
