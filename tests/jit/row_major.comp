// Row-major matrices (layout(row_major), as HLSL compilers emit for "column_major" HLSL):
// whole loads, a column by a constant and by a dynamic index, one element, a column-major one
// beside them, and a store, in std140 and std430 blocks.
#version 450
layout(local_size_x = 4) in;
layout(std140, set = 0, binding = 0) uniform U {
  layout(row_major) mat4 m;
  layout(row_major) mat3x2 n;
  layout(column_major) mat2 c;
} u;
layout(std430, set = 0, binding = 1) buffer S {
  layout(row_major) mat2x3 w;
  float o[];
} s;

void main() {
  uint i = gl_GlobalInvocationID.x;
  vec4 v = vec4(1.0 + float(i), 2.0, 3.0, 4.0);
  vec4 r = u.m * v;
  s.o[i * 8u + 0u] = r.x;
  s.o[i * 8u + 1u] = r.y;
  s.o[i * 8u + 2u] = r.z;
  s.o[i * 8u + 3u] = r.w;
  s.o[i * 8u + 4u] = u.m[1][2];
  s.o[i * 8u + 5u] = u.n[2].y;
  vec2 column = u.n[i % 3u];
  s.o[i * 8u + 6u] = column.x + column.y * 10.0;
  s.o[i * 8u + 7u] = (u.c * vec2(1.0, 2.0)).y;
  if (i == 0u) s.w = mat2x3(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
}
