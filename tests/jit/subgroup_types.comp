// Subgroup operations on 8-, 16- and 64-bit integers, half and double
// (VK_KHR_shader_subgroup_extended_types): a reduction, a scan, a broadcast and a shuffle each.
#version 450
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_shader_subgroup_extended_types_int8 : require
#extension GL_EXT_shader_subgroup_extended_types_int16 : require
#extension GL_EXT_shader_subgroup_extended_types_int64 : require
#extension GL_EXT_shader_subgroup_extended_types_float16 : require
#extension GL_EXT_shader_explicit_arithmetic_types : require
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer Out { int64_t o[]; };

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint lane = gl_SubgroupInvocationID;
  uint at = i * 10u;
  int8_t a8 = int8_t(i % 7u) - int8_t(3);
  int16_t a16 = int16_t(i * 300u);
  int64_t a64 = int64_t(i) * 1000000007l;
  float16_t h = float16_t(float(i % 8u) * 0.5);
  double d = double(i) * 0.25;
  o[at + 0u] = int64_t(subgroupAdd(a8));
  o[at + 1u] = int64_t(subgroupMax(a16));
  o[at + 2u] = subgroupAdd(a64);
  o[at + 3u] = subgroupInclusiveAdd(a64);
  o[at + 4u] = int64_t(float(subgroupAdd(h)) * 2.0);
  o[at + 5u] = int64_t(subgroupMin(d) * 4.0);
  o[at + 6u] = subgroupBroadcastFirst(a64);
  o[at + 7u] = int64_t(subgroupShuffleXor(a16, 1u));
  o[at + 8u] = int64_t(subgroupShuffle(a8, (lane + 1u) % gl_SubgroupSize));
  o[at + 9u] = int64_t(subgroupExclusiveMul(h == float16_t(0.0) ? float16_t(1.0) : float16_t(1.0)));
}
