// Not supported yet: 16-bit floats.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
layout(local_size_x = 8) in;
layout(set = 0, binding = 0) buffer Out { float o[]; };

void main() { o[gl_GlobalInvocationID.x] = float(float16_t(o[gl_GlobalInvocationID.x]) * 2.0hf); }
