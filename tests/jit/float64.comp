// 64-bit floats, the smallest shader using them.
#version 450
layout(local_size_x = 8) in;
layout(set = 0, binding = 0) buffer Out { double o[]; };

void main() { o[gl_GlobalInvocationID.x] *= 2.0lf; }
