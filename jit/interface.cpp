#include "jit/interface.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "jit/failure.hpp"
#include "jit/spirv_names.hpp"

namespace emvk::jit {

namespace {

// The operands of `in` that are pointers, and so may name a module-scope variable.
std::vector<uint32_t> pointerOperands(const Instruction& in) {
  if (isAtomic(in.opcode)) return {in.operand(0)};
  switch (in.opcode) {
    case spv::OpLoad:
    case spv::OpStore:
    case spv::OpAccessChain:
    case spv::OpInBoundsAccessChain:
    case spv::OpPtrAccessChain:
    case spv::OpArrayLength:
    case spv::OpCopyObject:
    case spv::OpImageTexelPointer:
      return {in.operand(0)};
    case spv::OpCopyMemory:
      return {in.operand(0), in.operand(1)};
    default:
      return {};
  }
}

uint32_t roundUp(uint32_t value, uint32_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

const EntryPoint& findEntryPoint(const SpirvModule& module, const std::string& name) {
  const EntryPoint* other = nullptr;
  for (const EntryPoint& entry : module.entryPoints()) {
    if (entry.name != name) continue;
    if (entry.model == spv::ExecutionModelGLCompute) return entry;
    other = &entry;
  }
  if (other) fail("entry point \"" + name + "\" is not a GLCompute shader");
  fail("the module has no entry point named \"" + name + "\"");
}

uint32_t constantDimension(const SpirvModule& module, uint32_t id) {
  auto value = module.integerConstant(id);
  if (!value) fail("the workgroup size is not made of 32-bit integer constants");
  return static_cast<uint32_t>(*value);
}

std::array<uint32_t, 3> findLocalSize(const SpirvModule& module, uint32_t function) {
  std::array<uint32_t, 3> size{0, 0, 0};
  for (const ExecutionMode& mode : module.executionModes()) {
    if (mode.function != function || mode.operands.size() < 3) continue;
    for (int i = 0; i < 3; ++i) {
      if (mode.mode == spv::ExecutionModeLocalSize) size[i] = mode.operands[i];
      if (mode.mode == spv::ExecutionModeLocalSizeId) {
        size[i] = constantDimension(module, mode.operands[i]);
      }
    }
  }
  // An object decorated WorkgroupSize overrides the execution mode (SPIR-V 3.21, BuiltIn).
  // glslang declares such a constant whenever local_size_*_id is used; specialisation has turned
  // it into an OpConstantComposite by now.
  for (uint32_t id : module.decoratedWith(spv::DecorationBuiltIn, spv::BuiltInWorkgroupSize)) {
    const Instruction* in = module.definition(id);
    if (!in || in->opcode != spv::OpConstantComposite || in->operands.size() != 3) {
      fail("the WorkgroupSize built-in is not a constant uvec3 after specialisation");
    }
    for (int i = 0; i < 3; ++i) size[i] = constantDimension(module, in->operand(i));
  }
  std::string text =
      std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" + std::to_string(size[2]);
  for (uint32_t dimension : size) {
    if (dimension == 0) fail("the entry point has no LocalSize, or an empty one (" + text + ")");
    if (dimension > kMaxWorkgroupInvocations) fail("a workgroup of " + text + " is too large");
  }
  if (size[0] * size[1] * size[2] > kMaxWorkgroupInvocations) {
    fail("a workgroup of " + text + " is more than " + std::to_string(kMaxWorkgroupInvocations) +
         " invocations");
  }
  return size;
}

DescriptorKind descriptorKind(const SpirvModule& module, const Instruction& variable,
                              uint32_t blockType) {
  auto storage = static_cast<spv::StorageClass>(variable.operand(0));
  if (storage == spv::StorageClassStorageBuffer) return DescriptorKind::StorageBuffer;
  // Before SPIR-V 1.3, storage buffers were Uniform blocks decorated BufferBlock.
  if (module.decorations(blockType).has(spv::DecorationBufferBlock)) {
    return DescriptorKind::StorageBuffer;
  }
  return DescriptorKind::UniformBuffer;
}

// The struct a buffer variable points at; fails on arrays of descriptors.
uint32_t blockTypeOf(const Layout& layout, const Instruction& variable) {
  const Instruction& pointer = layout.type(variable.resultType);
  uint32_t pointee = pointer.operand(1);
  const Instruction& block = layout.type(pointee);
  if (block.opcode == spv::OpTypeArray || block.opcode == spv::OpTypeRuntimeArray) {
    fail("arrays of buffer descriptors are not supported yet");
  }
  if (block.opcode != spv::OpTypeStruct) fail("a buffer variable that is not a block");
  return pointee;
}

// The kind of a UniformConstant variable: only texel buffers (OpTypeImage of Dim Buffer) so far.
DescriptorKind texelBufferKind(const Layout& layout, const Instruction& variable) {
  const Instruction& image = layout.type(layout.type(variable.resultType).operand(1));
  if (image.opcode == spv::OpTypeImage && image.operand(1) == spv::DimBuffer) {
    // SPIR-V OpTypeImage: Sampled 1 is used with a sampler or OpImageFetch, 2 without one.
    if (image.operand(5) == 1) return DescriptorKind::UniformTexelBuffer;
    if (image.operand(5) == 2) return DescriptorKind::StorageTexelBuffer;
  }
  if (image.opcode == spv::OpTypeArray || image.opcode == spv::OpTypeRuntimeArray) {
    fail("arrays of texel buffer or image descriptors are not supported yet");
  }
  fail(
      "images, samplers and other UniformConstant resources than texel buffers (textureBuffer, "
      "imageBuffer) are not supported yet");
}

ShaderInterface reflectOrFail(const SpirvModule& module, const Layout& layout,
                              const std::string& name) {
  const EntryPoint& entry = findEntryPoint(module, name);
  ShaderInterface interface;
  interface.entry = module.function(entry.function);
  if (!interface.entry || interface.entry->blocks.empty()) fail("the entry point has no body");

  std::set<uint32_t> globals;
  for (const Instruction* variable : module.globalVariables()) globals.insert(variable->result);
  std::set<uint32_t> used;
  for (const Block& block : interface.entry->blocks) {
    for (const Instruction* in : block.instructions) {
      // A subgroup's lanes run in step (isSubgroupScope), so a subgroup barrier has no one to
      // wait for: only workgroup barriers need the SIMD groups to take turns.
      if (in->opcode == spv::OpControlBarrier && !isSubgroupScope(module, in->operand(0))) {
        interface.hasBarriers = true;
      }
      if (in->opcode == spv::OpFunctionCall) fail("OpFunctionCall is not supported (recursion?)");
      for (uint32_t id : pointerOperands(*in)) {
        if (globals.count(id)) used.insert(id);
      }
    }
  }
  interface.localSize = findLocalSize(module, entry.function);

  std::map<std::pair<uint32_t, uint32_t>, DescriptorKind> bindings;
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> bindingOfVariable;
  uint32_t sharedEnd = 0;
  for (const Instruction* variable : module.globalVariables()) {
    uint32_t id = variable->result;
    if (!used.count(id)) continue;
    interface.variables.push_back(variable);
    auto storage = static_cast<spv::StorageClass>(variable->operand(0));
    const Decorations& decorations = module.decorations(id);
    switch (storage) {
      case spv::StorageClassStorageBuffer:
      case spv::StorageClassUniform: {
        uint32_t block = blockTypeOf(layout, *variable);
        auto key = std::pair(decorations.get(spv::DecorationDescriptorSet).value_or(0),
                             decorations.get(spv::DecorationBinding).value_or(0));
        bindings[key] = descriptorKind(module, *variable, block);
        bindingOfVariable[id] = key;
        break;
      }
      case spv::StorageClassWorkgroup: {
        uint32_t pointee = layout.type(variable->resultType).operand(1);
        uint32_t offset = roundUp(sharedEnd, std::max(layout.alignment(pointee), 4u));
        interface.sharedOffsets[id] = offset;
        sharedEnd = offset + layout.size(pointee);
        break;
      }
      case spv::StorageClassPushConstant:
      case spv::StorageClassPrivate:
      case spv::StorageClassInput:
        break;
      case spv::StorageClassUniformConstant: {
        auto key = std::pair(decorations.get(spv::DecorationDescriptorSet).value_or(0),
                             decorations.get(spv::DecorationBinding).value_or(0));
        bindings[key] = texelBufferKind(layout, *variable);
        bindingOfVariable[id] = key;
        break;
      }
      default:
        fail("variables in storage class " + storageClassName(storage) + " are not supported yet");
    }
  }
  interface.sharedMemorySize = roundUp(sharedEnd, 16);
  for (const auto& [key, kind] : bindings) {
    interface.bindings.push_back({key.first, key.second, kind});
  }
  for (const auto& [variable, key] : bindingOfVariable) {
    interface.bindingOfVariable[variable] =
        static_cast<uint32_t>(std::distance(bindings.begin(), bindings.find(key)));
  }
  return interface;
}

}  // namespace

bool isSubgroupScope(const SpirvModule& module, uint32_t scope) {
  return module.integerConstant(scope) == std::optional<int64_t>(spv::ScopeSubgroup);
}

std::string storageClassName(spv::StorageClass storage) {
  switch (storage) {
    case spv::StorageClassUniformConstant:
      return "UniformConstant";
    case spv::StorageClassInput:
      return "Input";
    case spv::StorageClassUniform:
      return "Uniform";
    case spv::StorageClassOutput:
      return "Output";
    case spv::StorageClassWorkgroup:
      return "Workgroup";
    case spv::StorageClassCrossWorkgroup:
      return "CrossWorkgroup";
    case spv::StorageClassPrivate:
      return "Private";
    case spv::StorageClassFunction:
      return "Function";
    case spv::StorageClassGeneric:
      return "Generic";
    case spv::StorageClassPushConstant:
      return "PushConstant";
    case spv::StorageClassAtomicCounter:
      return "AtomicCounter";
    case spv::StorageClassImage:
      return "Image";
    case spv::StorageClassStorageBuffer:
      return "StorageBuffer";
    case spv::StorageClassPhysicalStorageBuffer:
      return "PhysicalStorageBuffer";
    default:
      return std::to_string(static_cast<uint32_t>(storage));
  }
}

Result<ShaderInterface> reflect(const SpirvModule& module, const Layout& layout,
                                const std::string& entry) {
  try {
    return reflectOrFail(module, layout, entry);
  } catch (const Unsupported& unsupported) {
    return Error{VK_ERROR_UNKNOWN, unsupported.why};
  }
}

bool isAtomic(spv::Op opcode) {
  switch (opcode) {
    case spv::OpAtomicLoad:
    case spv::OpAtomicStore:
    case spv::OpAtomicExchange:
    case spv::OpAtomicCompareExchange:
    case spv::OpAtomicIIncrement:
    case spv::OpAtomicIDecrement:
    case spv::OpAtomicIAdd:
    case spv::OpAtomicISub:
    case spv::OpAtomicSMin:
    case spv::OpAtomicUMin:
    case spv::OpAtomicSMax:
    case spv::OpAtomicUMax:
    case spv::OpAtomicAnd:
    case spv::OpAtomicOr:
    case spv::OpAtomicXor:
      return true;
    default:
      return false;
  }
}

}  // namespace emvk::jit
