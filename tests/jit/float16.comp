// 16-bit floats: every operation rounded to half, conversions from and to float, double and
// integers, GLSL.std.450 on half (transcendentals computed in float), a half push constant and
// the bits of an f16vec2 as a uint.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_float64 : require
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) readonly buffer In { f16vec2 xy[]; };
layout(set = 0, binding = 1) buffer Out { float16_t o[]; };  // 16 per invocation
layout(set = 0, binding = 2) buffer Ints { int ints[]; };    // 4 per invocation
layout(set = 0, binding = 3) buffer Bits { uint bits[]; };   // 2 per invocation
layout(push_constant) uniform Parameters { float16_t scale; };

void main() {
  uint i = gl_GlobalInvocationID.x;
  float16_t x = xy[i].x, y = xy[i].y;
  uint b = i * 16;
  o[b + 0] = x + y;
  o[b + 1] = x - y;
  o[b + 2] = x * y;
  o[b + 3] = x / y;
  o[b + 4] = sqrt(abs(x));
  o[b + 5] = floor(x) + ceil(y);
  o[b + 6] = min(x, y);
  o[b + 7] = max(x, y) * 2.5hf;
  o[b + 8] = float16_t(float(x) * 3.1f);
  o[b + 9] = float16_t(double(x) / 3.0lf);
  o[b + 10] = x * scale;
  o[b + 11] = sin(x);
  o[b + 12] = exp2(y * 0.125hf);
  o[b + 13] = mod(x, y);
  o[b + 14] = float16_t(int16_t(i) * int16_t(-1001)) + float16_t(uint(i) * 409u);
  o[b + 15] = clamp(x, -2.0hf, 2.0hf) + fract(y);
  uint bi = i * 4;
  ints[bi + 0] = int(x * 100.0hf);
  ints[bi + 1] = int(uint16_t(abs(y)));
  ints[bi + 2] = (x < y ? 1 : 0) + (x == y ? 2 : 0) + (x >= y ? 4 : 0) + (isinf(x * y) ? 8 : 0);
  ints[bi + 3] = int(float(x * y));
  uint packed = packFloat2x16(f16vec2(x, y));
  bits[i * 2] = packed;
  f16vec2 swapped = unpackFloat2x16((packed << 16) | (packed >> 16));
  bits[i * 2 + 1] = packFloat2x16(swapped * f16vec2(2.0hf, -0.5hf));
}
