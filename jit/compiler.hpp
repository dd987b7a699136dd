// LLVM ORC behind two small classes. One LLJIT serves the whole process (creating one costs more
// than compiling a small shader); each program's code lives in its own JITDylib, removed when the
// program goes. The IR is optimised for the host CPU (its name and features, as LLVM detects
// them) before ORC turns it into machine code, all before compile() returns: a pipeline never
// waits for the JIT at its first dispatch.
#pragma once
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <string>

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

  // Optimises `module` (created in `context`) and compiles it; the code's entry is `symbol`.
  // With a `dump`, also writes the IR before and after optimisation and the assembly.
  Result<std::unique_ptr<CompiledCode>> compile(std::unique_ptr<llvm::LLVMContext> context,
                                                std::unique_ptr<llvm::Module> module,
                                                const std::string& symbol,
                                                const ShaderDump* dump = nullptr);

 private:
  friend class CompiledCode;
  std::unique_ptr<State> state_;
};

}  // namespace emvk::jit
