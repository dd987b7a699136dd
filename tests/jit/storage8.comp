// 8-bit storage and arithmetic: std430 arrays of bytes and u8vec4 read and written contiguously
// and scattered, bytes in shared memory, a std140 uniform block and push constants.
#version 450
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
layout(local_size_x = 32) in;
layout(set = 0, binding = 0) buffer Bytes { uint8_t bytes[]; };
layout(set = 0, binding = 1) buffer Pixels { u8vec4 pixels[]; };
layout(set = 0, binding = 2) buffer Signed { int8_t signedBytes[]; };
layout(set = 0, binding = 3) buffer Counts { uint counts[]; };
layout(set = 0, binding = 4) uniform Weights {
  uint8_t weight;
  i8vec2 pair;  // std140: offset 2
};
layout(push_constant) uniform Parameters {
  uint8_t add;
  int8_t scale;
  u8vec2 swap;
} pc;
shared uint8_t local[32];

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint l = gl_LocalInvocationID.x;
  uint n = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  uint8_t v = bytes[i];
  local[l] = v + pc.add;  // wraps
  barrier();
  bytes[i] = local[31u - l] ^ uint8_t(l);
  u8vec4 p = pixels[i];
  pixels[i] = u8vec4(p.w, p.z, p.y, p.x) * uint8_t(3) + u8vec4(pc.swap, pc.swap.yx);
  uint j = (i * 13u) % n;
  signedBytes[j] = signedBytes[j] * pc.scale - int8_t(i) + pair.y;
  counts[i] = uint(v) + uint(local[l]) * 256u + uint(p.x) * 65536u + uint(weight) * 16777216u;
}
