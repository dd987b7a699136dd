// emvk-bench sgemm, naive: C = A * B for row-major N×N matrices, one invocation per element of C,
// each reading a row of A and a column of B straight from the storage buffers.
#version 450
layout(local_size_x = 16, local_size_y = 16) in;
layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Parameters { uint n; } p;

void main() {
  uint col = gl_GlobalInvocationID.x;
  uint row = gl_GlobalInvocationID.y;
  if (row >= p.n || col >= p.n) return;
  float sum = 0.0;
  for (uint k = 0u; k < p.n; ++k) sum += a[row * p.n + k] * b[k * p.n + col];
  c[row * p.n + col] = sum;
}
