#include "jit/compiler.hpp"

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "jit/dump.hpp"

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
// translator calls directly (tanf...), their double versions, and the half conversions below.
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

// Programs compile on the threads that create them, several at once: each compile gets a
// TargetMachine of its own. (LLJIT's setSupportConcurrentCompilation would do that too, but also
// hand code generation to a pool of threads of its own, which a driver must not leave behind.)
llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> concurrentCompiler(
    llvm::orc::JITTargetMachineBuilder machineBuilder) {
  return std::make_unique<llvm::orc::ConcurrentIRCompiler>(std::move(machineBuilder));
}

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

Result<std::shared_ptr<Compiler>> Compiler::get() {
  static std::mutex mutex;
  static std::weak_ptr<Compiler> current;
  std::lock_guard lock(mutex);
  if (auto compiler = current.lock()) return compiler;

  static std::once_flag targetsReady;
  std::call_once(targetsReady, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto machineBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder) return llvmError("cannot target the host CPU", machineBuilder.takeError());
  machineBuilder->setCodeGenOptLevel(kCodeGenLevel);

  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(*machineBuilder)
                 .setLinkProcessSymbolsByDefault(false)
                 .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                 .setCompileFunctionCreator(concurrentCompiler)
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

  auto state = std::make_unique<State>(*machineBuilder);
  state->jit = std::move(*jit);
  state->runtime = &*runtime;
  auto compiler = std::make_shared<Compiler>(std::move(state));
  current = compiler;
  return compiler;
}

Result<std::unique_ptr<CompiledCode>> Compiler::compile(std::unique_ptr<llvm::LLVMContext> context,
                                                        std::unique_ptr<llvm::Module> module,
                                                        const std::string& symbol,
                                                        const ShaderDump* dump) {
  llvm::orc::LLJIT& jit = *state_->jit;
  auto machine = state_->machineBuilder.createTargetMachine();
  if (!machine) return llvmError("cannot create a target machine", machine.takeError());
  module->setDataLayout(jit.getDataLayout());
  module->setTargetTriple(jit.getTargetTriple().str());
  if (dump) dump->ir(*module, ".ll");
  optimize(*module, **machine);
  if (dump) {
    dump->ir(*module, ".opt.ll");
    // A target machine of its own, made like the one ORC compiles with (same builder).
    if (auto assembler = state_->machineBuilder.createTargetMachine()) {
      dump->assembly(*module, **assembler);
    } else {
      llvm::consumeError(assembler.takeError());
    }
  }

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

  llvm::orc::ThreadSafeModule threadSafe(std::move(module), std::move(context));
  if (auto error = jit.addIRModule(*dylib, std::move(threadSafe))) {
    forget();
    return llvmError("cannot add the shader to the JIT", std::move(error), details);
  }
  // The lookup makes ORC generate the machine code now, on this thread.
  auto address = jit.lookup(*dylib, symbol);
  if (!address) {
    forget();
    return llvmError("cannot compile the shader", address.takeError(), details);
  }
  return std::make_unique<CompiledCode>(shared_from_this(), *dylib, address->toPtr<void*>());
}

CompiledCode::~CompiledCode() {
  llvm::consumeError(compiler_->state_->jit->getExecutionSession().removeJITDylib(dylib_));
}

}  // namespace emvk::jit
