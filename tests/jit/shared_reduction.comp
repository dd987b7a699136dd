// A tree reduction in shared memory with barriers inside a loop, for any workgroup size
// (specialised through local_size_x_id).
#version 450
layout(local_size_x_id = 0) in;
layout(set = 0, binding = 0) readonly buffer In { uint v[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint sums[]; };
shared uint partial[gl_WorkGroupSize.x];

void main() {
  uint l = gl_LocalInvocationID.x;
  uint n = gl_WorkGroupSize.x;
  partial[l] = v[gl_GlobalInvocationID.x];
  barrier();
  for (uint stride = 1u; stride < n; stride *= 2u) {
    if (l % (2u * stride) == 0u && l + stride < n) partial[l] += partial[l + stride];
    barrier();
  }
  if (l == 0u) sums[gl_WorkGroupID.x] = partial[0];
}
