// Not supported yet: atomics on 64-bit integers.
#version 450
#extension GL_EXT_shader_atomic_int64 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(local_size_x = 8) in;
layout(set = 0, binding = 0) buffer Counter { uint64_t counter; };

void main() { atomicAdd(counter, 1ul); }
