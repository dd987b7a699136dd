// 16-bit floats and 16/8-bit integers in storage buffers and push constants, through the loader.
#version 450
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer In { f16vec2 xy[]; };
layout(set = 0, binding = 1) writeonly buffer Out { float16_t o[]; };  // 4 per invocation
layout(set = 0, binding = 2) buffer Bytes { i8vec4 bytes[]; };
layout(push_constant) uniform Parameters {
  float16_t scale;
  int16_t add;
};

void main() {
  uint i = gl_GlobalInvocationID.x;
  f16vec2 v = xy[i];
  o[i * 4 + 0] = v.x + v.y;
  o[i * 4 + 1] = v.x * v.y * scale;
  o[i * 4 + 2] = float16_t(int16_t(v.x) + add);
  o[i * 4 + 3] = v.x / v.y;
  bytes[i] = bytes[i] * int8_t(3) + int8_t(i);
}
