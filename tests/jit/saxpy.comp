// y = a * x + y over the first n elements that fit in y; a and n are push constants.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Parameters {
  float a;
  uint n;
} p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < p.n && i < y.length()) y[i] = p.a * x[i] + y[i];
}
