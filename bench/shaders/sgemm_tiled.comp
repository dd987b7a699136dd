// emvk-bench sgemm, tiled: C = A * B for row-major N×N matrices (N a multiple of 16), the classic
// 16×16 shared-memory version. Each step of the k loop, the workgroup copies one 16×16 tile of A
// and one of B into shared memory (one element per invocation), waits, multiplies them, and waits
// again before the next step overwrites them: two barriers per tile step.
#version 450
layout(local_size_x = 16, local_size_y = 16) in;
layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Parameters { uint n; } p;

const uint kTile = 16u;
shared float tileA[kTile][kTile];
shared float tileB[kTile][kTile];

void main() {
  uint tx = gl_LocalInvocationID.x;
  uint ty = gl_LocalInvocationID.y;
  uint col = gl_GlobalInvocationID.x;
  uint row = gl_GlobalInvocationID.y;
  float sum = 0.0;
  for (uint k0 = 0u; k0 < p.n; k0 += kTile) {
    tileA[ty][tx] = a[row * p.n + k0 + tx];
    tileB[ty][tx] = b[(k0 + ty) * p.n + col];
    barrier();
    for (uint k = 0u; k < kTile; ++k) sum += tileA[ty][k] * tileB[k][tx];
    barrier();
  }
  c[row * p.n + col] = sum;
}
