// emvk-bench saxpy: y = a * x + y over elements [offset, offset + 64 * workgroups) below n.
// The offset lets one command buffer cover 16M elements in several dispatches, each within
// maxComputeWorkGroupCount[0] (65535 on many drivers).
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Parameters {
  float a;
  uint n;
  uint offset;
} p;

void main() {
  uint i = p.offset + gl_GlobalInvocationID.x;
  if (i < p.n) y[i] = p.a * x[i] + y[i];
}
