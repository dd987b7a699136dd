// 8- and 16-bit integers: wrap-around, safe division, shifts, comparisons, bitwise logic,
// conversions between widths, vectors, 8/16-bit push constants and a 16-bit spec constant.
// (Vulkan allows bit counts and bit fields on 32-bit integers only:
// VUID-StandaloneSpirv-Base-04781.)
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) readonly buffer In { i16vec2 xy[]; };
layout(set = 0, binding = 1) buffer Out16 { int16_t o16[]; };  // 16 per invocation
layout(set = 0, binding = 2) buffer Out8 { int8_t o8[]; };     // 8 per invocation
layout(set = 0, binding = 3) buffer Out32 { int o32[]; };      // 8 per invocation
layout(set = 0, binding = 4) buffer Vectors16 { i16vec4 v16[]; };
layout(set = 0, binding = 5) buffer Vectors8 { u8vec4 v8[]; };
layout(push_constant) uniform Parameters {
  int16_t bias;
  uint16_t factor;
  int8_t step;
} pc;
layout(constant_id = 0) const int16_t kOffset = -3s;  // a one-word literal, sign-extended

void main() {
  uint i = gl_GlobalInvocationID.x;
  int16_t x = xy[i].x, y = xy[i].y;
  uint16_t ux = uint16_t(x), uy = uint16_t(y);
  uint b = i * 16;
  o16[b + 0] = x + y;
  o16[b + 1] = x - y;
  o16[b + 2] = x * y;
  o16[b + 3] = x / y;
  o16[b + 4] = x % y;
  o16[b + 5] = int16_t(ux / uy);
  o16[b + 6] = int16_t(ux % uy);
  o16[b + 7] = int16_t(ux << (i & 15u));
  o16[b + 8] = x >> (uint(y) & 15u);
  o16[b + 9] = int16_t(ux >> (uint(uy) & 15u));
  o16[b + 10] = int16_t((x < y ? 1 : 0) + (ux < uy ? 2 : 0) + (x == y ? 4 : 0) +
                        (x >= y ? 8 : 0) + (ux >= uy ? 16 : 0) + (x != y ? 32 : 0));
  o16[b + 11] = (x & int16_t(0x0F0F)) | (~y ^ pc.bias);
  o16[b + 12] = int16_t(bitfieldExtract(int(x), 3, 7));
  o16[b + 13] = int16_t(bitfieldReverse(uint(ux)) >> 16) + int16_t(bitfieldInsert(int(x), int(y), 4, 5));
  o16[b + 14] = int16_t(bitCount(int(x)));
  o16[b + 15] = int16_t(ux * pc.factor) + max(x, y) + int16_t(min(ux, uy)) + abs(x);

  int8_t a = int8_t(x), c = int8_t(y);
  uint8_t ua = uint8_t(a), uc = uint8_t(c);
  uint b8 = i * 8;
  o8[b8 + 0] = a + c;
  o8[b8 + 1] = a * c;
  o8[b8 + 2] = a / c;
  o8[b8 + 3] = a % c;
  o8[b8 + 4] = int8_t(ua / uc);
  o8[b8 + 5] = a >> (uint(c) & 7u);
  o8[b8 + 6] = int8_t(ua << (i & 7u)) + pc.step;
  o8[b8 + 7] = int8_t(bitCount(int(a))) + int8_t(clamp(x, int16_t(-100), int16_t(100)));

  uint b32 = i * 8;
  o32[b32 + 0] = int(x);
  o32[b32 + 1] = int(ux);
  o32[b32 + 2] = int(a);
  o32[b32 + 3] = int(ua);
  o32[b32 + 4] = int(int16_t(int(i) * 4099 - 30000));
  o32[b32 + 5] = int(uint64_t(ux) * 65537ul >> 3);
  o32[b32 + 6] = int(int8_t(uint(x) + 0x300u));
  o32[b32 + 7] = int(uint(ua) * uint(uc)) + int(kOffset);

  i16vec4 v = v16[i];
  v16[i] = v * i16vec4(x) + i16vec4(1, -2, 3, -4) - (v >> 1);
  u8vec4 w = v8[i];
  v8[i] = (w + u8vec4(200)) ^ u8vec4(ua, uc, 7, 255);
}
