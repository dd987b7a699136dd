// LLVM behind two small classes, in two steps. generate() optimises a program's IR for the host
// CPU (its name and features, as LLVM detects them) and emits a relocatable object file in memory:
// that object is what the caches keep. link() hands an object to ORC: one LLJIT serves the whole
// process (creating one costs more than compiling a small shader); each program's code lives in
// its own JITDylib, removed when the program goes. Both run before a pipeline exists: it never
// waits for the JIT at its first dispatch. A cache hit runs link() alone.
#pragma once
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memory/result.hpp"

namespace llvm::orc {
class LLJIT;
class JITDylib;
}  // namespace llvm::orc

namespace emvk::jit {

class Compiler;
class ShaderDump;

// Machine code of one program. Keeps the compiler alive; gives its memory back when destroyed.
class CompiledCode {
 public:
  CompiledCode(std::shared_ptr<Compiler> compiler, llvm::orc::JITDylib& dylib, void* entry)
      : compiler_(std::move(compiler)), dylib_(dylib), entry_(entry) {}
  ~CompiledCode();
  CompiledCode(const CompiledCode&) = delete;
  CompiledCode& operator=(const CompiledCode&) = delete;

  void* entry() const { return entry_; }

 private:
  std::shared_ptr<Compiler> compiler_;
  llvm::orc::JITDylib& dylib_;
  void* entry_;
};

class Compiler : public std::enable_shared_from_this<Compiler> {
 public:
  // The process's compiler: created on first use, kept while any code it compiled is alive.
  static Result<std::shared_ptr<Compiler>> get();
  struct State;  // the LLJIT and what it needs (compiler.cpp)
  explicit Compiler(std::unique_ptr<State> state);
  ~Compiler();

  // The target code is generated for, as text: triple, CPU name and CPU features. Part of every
  // cache key (machine code for one CPU may not run on another). Needs no LLJIT.
  static const std::string& hostDescription();

  // Optimises `module` and generates the host's object file for it: the one step that costs
  // (counted by compilationCount()). With a `dump`, also writes the IR before and after
  // optimisation and the assembly.
  Result<std::vector<uint8_t>> generate(llvm::Module& module, const ShaderDump* dump = nullptr);

  // Links an object file from generate() into a JITDylib of its own; the code's entry is
  // `symbol`. The object may call only the C library functions of the JIT runtime.
  Result<std::unique_ptr<CompiledCode>> link(std::span<const uint8_t> object,
                                             const std::string& symbol);

 private:
  friend class CompiledCode;
  std::unique_ptr<State> state_;
};

}  // namespace emvk::jit
