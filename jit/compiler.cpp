#include "jit/compiler.hpp"

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>

#include "jit/dump.hpp"
#include "jit/jit.hpp"
#include "jit/texel_formats.hpp"

namespace emvk::jit {

namespace {

// -O2 for the IR, the default code generator level: chosen by measurement (docs to come with
// the benchmarks of issue 4); -O1 saves little compile time on small shaders and loses the loop
// vectoriser.
const llvm::OptimizationLevel& kOptimizationLevel = llvm::OptimizationLevel::O2;
constexpr llvm::CodeGenOptLevel kCodeGenLevel = llvm::CodeGenOptLevel::Default;

// ORC reports the details of a failed materialisation (such as the missing symbol's name) to the
// session's error reporter, on the thread that asked for the code (materialisation runs in
// place); lookup() only says that it failed. While compile() runs, this points at its collector.
// (A plain pointer: a thread_local with a destructor would pin libemvk.so in memory.)
thread_local std::string* sessionErrors = nullptr;

Error llvmError(const std::string& what, llvm::Error error, const std::string& details = {}) {
  std::string why = what + ": " + llvm::toString(std::move(error));
  if (!details.empty()) why += " (" + details + ")";
  return {VK_ERROR_UNKNOWN, why};
}

// The only functions generated code may call: the C library's memory and float functions, which
// LLVM's code generator calls for intrinsics without an instruction (llvm.sin -> sinf) and the
// translator calls directly (tanf...), their double versions, the half conversions below, and
// the texel buffers' conversions (jit/texel_formats.hpp).
// Nothing else of the process is visible to the JIT.
template <class F>
std::pair<const char*, void*> runtime(const char* name, F* function) {
  return {name, reinterpret_cast<void*>(function)};
}

// The half conversions LLVM's code generator calls where the CPU has no instruction for them:
// double -> half always without AVX512-FP16 (through float would round twice), float <-> half
// without F16C. GCC's _Float16 conversions are the correctly rounded ones of libgcc, with the
// same calling convention (half in xmm0).
_Float16 truncateDoubleToHalf(double value) { return static_cast<_Float16>(value); }
_Float16 truncateFloatToHalf(float value) { return static_cast<_Float16>(value); }
float extendHalfToFloat(_Float16 value) { return static_cast<float>(value); }

std::vector<std::pair<const char*, void*>> runtimeFunctions() {
  using F1 = float(float);
  using F2 = float(float, float);
  using F3 = float(float, float, float);
  using D1 = double(double);
  using D2 = double(double, double);
  using D3 = double(double, double, double);
  return {
      runtime("malloc", &::malloc),
      runtime("aligned_alloc", &::aligned_alloc),
      runtime("free", &::free),
      runtime("memcpy", &::memcpy),
      runtime("memmove", &::memmove),
      runtime("memset", &::memset),
      runtime("__truncdfhf2", &truncateDoubleToHalf),
      runtime("__truncsfhf2", &truncateFloatToHalf),
      runtime("__extendhfsf2", &extendHalfToFloat),
      runtime("emvk_texel_read", &emvk_texel_read),
      runtime("emvk_texel_write", &emvk_texel_write),
      runtime("emvk_texel_count", &emvk_texel_count),
      runtime<F1>("sinf", &::sinf),
      runtime<F1>("cosf", &::cosf),
      runtime<F1>("tanf", &::tanf),
      runtime<F1>("asinf", &::asinf),
      runtime<F1>("acosf", &::acosf),
      runtime<F1>("atanf", &::atanf),
      runtime<F1>("sinhf", &::sinhf),
      runtime<F1>("coshf", &::coshf),
      runtime<F1>("tanhf", &::tanhf),
      runtime<F1>("asinhf", &::asinhf),
      runtime<F1>("acoshf", &::acoshf),
      runtime<F1>("atanhf", &::atanhf),
      runtime<F1>("expf", &::expf),
      runtime<F1>("exp2f", &::exp2f),
      runtime<F1>("logf", &::logf),
      runtime<F1>("log2f", &::log2f),
      runtime<F1>("sqrtf", &::sqrtf),
      runtime<F1>("floorf", &::floorf),
      runtime<F1>("ceilf", &::ceilf),
      runtime<F1>("truncf", &::truncf),
      runtime<F1>("roundf", &::roundf),
      runtime<F1>("rintf", &::rintf),
      runtime<F1>("nearbyintf", &::nearbyintf),
      runtime<F1>("roundevenf", &::roundevenf),
      runtime("sincosf", &::sincosf),
      runtime<F2>("atan2f", &::atan2f),
      runtime<F2>("powf", &::powf),
      runtime<F2>("fmodf", &::fmodf),
      runtime<F2>("fminf", &::fminf),
      runtime<F2>("fmaxf", &::fmaxf),
      runtime<F3>("fmaf", &::fmaf),
      // Doubles have no transcendental functions in GLSL (translator_glsl.cpp refuses them).
      runtime<D1>("sqrt", &::sqrt),
      runtime<D1>("floor", &::floor),
      runtime<D1>("ceil", &::ceil),
      runtime<D1>("trunc", &::trunc),
      runtime<D1>("round", &::round),
      runtime<D1>("rint", &::rint),
      runtime<D1>("nearbyint", &::nearbyint),
      runtime<D1>("roundeven", &::roundeven),
      runtime<D2>("fmod", &::fmod),
      runtime<D2>("fmin", &::fmin),
      runtime<D2>("fmax", &::fmax),
      runtime<D3>("fma", &::fma),
  };
}

std::atomic<uint64_t> compilations{0};

// The host as LLVM sees it, detected once per process: the builder every TargetMachine is made
// from, the data layout it implies, and the text that goes into cache keys. Objects are
// position-independent, small code model: what ORC's JITLink links on every host it supports
// (LLJIT sets the same for the IR it compiles itself).
struct Host {
  std::optional<llvm::orc::JITTargetMachineBuilder> builder;
  std::optional<llvm::DataLayout> dataLayout;
  std::string problem;  // why there is no builder
  std::string description;
};

Host detectHost() {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  Host host;
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder) {
    host.problem = llvm::toString(builder.takeError());
    host.description = "unknown host: " + host.problem;
    return host;
  }
  builder->setCodeGenOptLevel(kCodeGenLevel);
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
  auto layout = builder->getDefaultDataLayoutForTarget();
  if (!layout) {
    host.problem = llvm::toString(layout.takeError());
    host.description = "unknown host: " + host.problem;
    return host;
  }
  host.description = builder->getTargetTriple().str() + " " + builder->getCPU() + " " +
                     builder->getFeatures().getString();
  host.builder = std::move(*builder);
  host.dataLayout = std::move(*layout);
  return host;
}

const Host& host() {
  static const Host detected = detectHost();
  return detected;
}

// Only object files reach the LLJIT (generate() makes them on the calling thread), so its IR
// compiler never runs: this one refuses, and spares every new LLJIT a TargetMachine.
class NoIRCompiler : public llvm::orc::IRCompileLayer::IRCompiler {
 public:
  NoIRCompiler() : IRCompiler({}) {}
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module&) override {
    return llvm::createStringError("emvk's LLJIT links object files only");
  }
};

void optimize(llvm::Module& module, llvm::TargetMachine& machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  // The default pipelines include the coroutine passes that split invocations at barriers.
  builder.buildPerModuleDefaultPipeline(kOptimizationLevel).run(module, modules);
}

}  // namespace

struct Compiler::State {
  explicit State(llvm::orc::JITTargetMachineBuilder host) : machineBuilder(std::move(host)) {}
  llvm::orc::JITTargetMachineBuilder machineBuilder;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  llvm::orc::JITDylib* runtime = nullptr;
  std::atomic<uint64_t> programs{0};
};

Compiler::Compiler(std::unique_ptr<State> state) : state_(std::move(state)) {}
Compiler::~Compiler() = default;

uint64_t compilationCount() { return compilations.load(); }

// Without a usable target, compiling fails as well: no key made from this is ever filed.
const std::string& Compiler::hostDescription() { return host().description; }

Result<std::shared_ptr<Compiler>> Compiler::get() {
  static std::mutex mutex;
  static std::weak_ptr<Compiler> current;
  std::lock_guard lock(mutex);
  if (auto compiler = current.lock()) return compiler;

  const Host& target = host();
  if (!target.builder)
    return Error{VK_ERROR_UNKNOWN, "cannot target the host CPU: " + target.problem};
  // The data layout given and the IR compiler replaced: a cache hit in a fresh process creates
  // this LLJIT, and each TargetMachine it would make for itself costs about 0.1 ms.
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(*target.builder)
                 .setDataLayout(*target.dataLayout)
                 .setCompileFunctionCreator(
                     [](llvm::orc::JITTargetMachineBuilder)
                         -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                       return std::make_unique<NoIRCompiler>();
                     })
                 .setLinkProcessSymbolsByDefault(false)
                 .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                 .create();
  if (!jit) return llvmError("cannot create the JIT", jit.takeError());
  (*jit)->getExecutionSession().setErrorReporter([](llvm::Error error) {
    std::string text = llvm::toString(std::move(error));
    if (!sessionErrors) return;
    if (!sessionErrors->empty()) *sessionErrors += "; ";
    *sessionErrors += text;
  });

  auto runtime = (*jit)->createJITDylib("emvk.runtime");
  if (!runtime) return llvmError("cannot create the JIT runtime", runtime.takeError());
  llvm::orc::SymbolMap symbols;
  for (auto [name, address] : runtimeFunctions()) {
    symbols[(*jit)->mangleAndIntern(name)] = {
        llvm::orc::ExecutorAddr::fromPtr(address),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (auto error = runtime->define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    return llvmError("cannot define the JIT runtime", std::move(error));
  }

  auto state = std::make_unique<State>(*target.builder);
  state->jit = std::move(*jit);
  state->runtime = &*runtime;
  auto compiler = std::make_shared<Compiler>(std::move(state));
  current = compiler;
  return compiler;
}

Result<std::vector<uint8_t>> Compiler::generate(llvm::Module& module, const ShaderDump* dump) {
  // Programs compile on the threads that create them, several at once: each gets a TargetMachine
  // of its own, made from the one builder (so every object is made alike).
  auto machine = state_->machineBuilder.createTargetMachine();
  if (!machine) return llvmError("cannot create a target machine", machine.takeError());
  module.setDataLayout((*machine)->createDataLayout());
  module.setTargetTriple((*machine)->getTargetTriple().str());
  if (dump) dump->ir(module, ".ll");
  optimize(module, **machine);
  compilations.fetch_add(1);
  if (dump) {
    dump->ir(module, ".opt.ll");
    // A target machine of its own: the code generator's passes must not run twice on one.
    if (auto assembler = state_->machineBuilder.createTargetMachine()) {
      dump->assembly(module, **assembler);
    } else {
      llvm::consumeError(assembler.takeError());
    }
  }

  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream stream(object);
  llvm::legacy::PassManager passes;
  // addPassesToEmitFile answers true when the target cannot emit this kind of file.
  if ((*machine)->addPassesToEmitFile(passes, stream, nullptr, llvm::CodeGenFileType::ObjectFile))
    return Error{VK_ERROR_UNKNOWN, "the host target cannot emit object files"};
  passes.run(module);
  return std::vector<uint8_t>(object.begin(), object.end());
}

Result<std::unique_ptr<CompiledCode>> Compiler::link(std::span<const uint8_t> object,
                                                     const std::string& symbol) {
  llvm::orc::LLJIT& jit = *state_->jit;
  std::string details;
  sessionErrors = &details;
  struct Detach {
    ~Detach() { sessionErrors = nullptr; }
  } detach;
  std::string name = "emvk.program." + std::to_string(state_->programs++);
  auto dylib = jit.createJITDylib(name);
  if (!dylib) return llvmError("cannot create a JITDylib", dylib.takeError());
  dylib->addToLinkOrder(*state_->runtime);
  auto forget = [&] { llvm::consumeError(jit.getExecutionSession().removeJITDylib(*dylib)); };

  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char*>(object.data()), object.size()), name);
  if (auto error = jit.addObjectFile(*dylib, std::move(buffer))) {
    forget();
    return llvmError("cannot add the shader's object file to the JIT", std::move(error), details);
  }
  // The lookup makes ORC link the object now, on this thread.
  auto address = jit.lookup(*dylib, symbol);
  if (!address) {
    forget();
    return llvmError("cannot link the shader", address.takeError(), details);
  }
  return std::make_unique<CompiledCode>(shared_from_this(), *dylib, address->toPtr<void*>());
}

CompiledCode::~CompiledCode() {
  llvm::consumeError(compiler_->state_->jit->getExecutionSession().removeJITDylib(dylib_));
}

}  // namespace emvk::jit
