// jit::Program: the steps of jit.hpp's journey, in order, each returning an Error on failure.
#include <llvm/IR/LLVMContext.h>

#include <new>

#include "jit/code_cache.hpp"
#include "jit/compiler.hpp"
#include "jit/dump.hpp"
#include "jit/interface.hpp"
#include "jit/jit.hpp"
#include "jit/layout.hpp"
#include "jit/spirv_module.hpp"
#include "jit/spirv_tools.hpp"
#include "jit/translator.hpp"

namespace emvk::jit {

struct Program::Parts {
  std::array<uint32_t, 3> localSize;
  std::vector<ResourceBinding> bindings;
  size_t sharedMemorySize;
  Artefact artefact;
  std::unique_ptr<CompiledCode> code;
};

Program::Program(Parts parts)
    : localSize_(parts.localSize),
      bindings_(std::move(parts.bindings)),
      sharedMemorySize_(parts.sharedMemorySize),
      artefact_(std::move(parts.artefact)),
      code_(std::move(parts.code)),
      workgroup_(reinterpret_cast<WorkgroupFunction>(code_->entry())) {}

Program::~Program() = default;

namespace {

Result<std::unique_ptr<Program>> compileProgram(
    std::span<const uint32_t> spirv, const std::string& entry,
    const std::vector<SpecializationConstant>& specialization) {
  const std::optional<ShaderDump> dump = ShaderDump::fromEnvironment(spirv, entry);
  auto valid = validateSpirv(spirv);
  if (!valid) return valid.error();
  auto specialized = specialize(spirv, specialization);
  if (!specialized) return specialized.error();
  if (dump) dump->spirv(specialized.value());
  auto module = SpirvModule::parse(specialized.take());
  if (!module) return module.error();
  Layout layout(*module.value());
  auto interface = reflect(*module.value(), layout, entry);
  if (!interface) return interface.error();

  auto compiler = Compiler::get();
  if (!compiler) return compiler.error();
  // Each program gets its own LLVM context, so programs compile in parallel on several threads.
  auto context = std::make_unique<llvm::LLVMContext>();
  ShaderTranslator translator(*module.value(), layout, interface.value(), *context, subgroupSize());
  auto ir = translator.translate();
  if (!ir) return ir.error();
  auto object = compiler.value()->generate(*ir.value(), dump ? &*dump : nullptr);
  if (!object) return object.error();
  auto code = compiler.value()->link(object.value(), kWorkgroupSymbol);
  if (!code) return code.error();

  const ShaderInterface& shader = interface.value();
  auto artefact = std::make_shared<const std::vector<uint8_t>>(
      encodeArtefact({shader.localSize, shader.bindings, shader.sharedMemorySize, object.value()}));
  return std::make_unique<Program>(Program::Parts{shader.localSize, shader.bindings,
                                                  shader.sharedMemorySize, std::move(artefact),
                                                  code.take()});
}

Result<std::unique_ptr<Program>> loadProgram(const Artefact& artefact) {
  auto contents = decodeArtefact(*artefact);
  if (!contents) return contents.error();
  auto compiler = Compiler::get();
  if (!compiler) return compiler.error();
  auto code = compiler.value()->link(contents.value().object, kWorkgroupSymbol);
  if (!code) return code.error();
  ArtefactContents& c = contents.value();
  return std::make_unique<Program>(Program::Parts{c.localSize, std::move(c.bindings),
                                                  c.sharedMemorySize, artefact, code.take()});
}

}  // namespace

Result<std::unique_ptr<Program>> Program::compile(
    std::span<const uint32_t> spirv, const std::string& entry,
    const std::vector<SpecializationConstant>& specialization) {
  // No exception may leave the driver; SPIRV-Tools and the standard library can still throw
  // bad_alloc.
  try {
    return compileProgram(spirv, entry, specialization);
  } catch (const std::bad_alloc&) {
    return Error{VK_ERROR_OUT_OF_HOST_MEMORY, "out of memory while compiling a shader"};
  } catch (const std::exception& e) {
    return Error{VK_ERROR_UNKNOWN, std::string("shader compilation failed: ") + e.what()};
  }
}

Result<std::unique_ptr<Program>> Program::load(const Artefact& artefact) {
  try {
    return loadProgram(artefact);
  } catch (const std::bad_alloc&) {
    return Error{VK_ERROR_OUT_OF_HOST_MEMORY, "out of memory while loading a shader"};
  }
}

Result<bool> validate(std::span<const uint32_t> spirv) {
  try {
    return validateSpirv(spirv);
  } catch (const std::bad_alloc&) {
    return Error{VK_ERROR_OUT_OF_HOST_MEMORY, "out of memory while validating a shader"};
  }
}

}  // namespace emvk::jit
