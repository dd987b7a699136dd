// Barriers that must wait, for any workgroup shape (local_size_*_id 0-2, at most 1024 invocations):
// a reversal through shared memory (each invocation reads what the mirror invocation wrote before
// the barrier), a Hillis-Steele inclusive scan (every step reads, waits, writes, waits) and a
// tree reduction. A barrier that lets one invocation run ahead reads stale or unwritten values.
#version 450
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
layout(set = 0, binding = 0) readonly buffer In { uint v[]; };
layout(set = 0, binding = 1) writeonly buffer Reversed { uint reversed[]; };
layout(set = 0, binding = 2) writeonly buffer Scan { uint scan[]; };
layout(set = 0, binding = 3) writeonly buffer Sums { uint sums[]; };
shared uint s[1024];

void main() {
  uint n = gl_WorkGroupSize.x * gl_WorkGroupSize.y * gl_WorkGroupSize.z;
  uint l = gl_LocalInvocationIndex;
  uint group = gl_WorkGroupID.x;
  uint at = group * n + l;
  uint x = v[at];

  s[l] = x;
  barrier();
  reversed[at] = s[n - 1u - l];
  barrier();

  for (uint offset = 1u; offset < n; offset *= 2u) {
    uint t = s[l];
    if (l >= offset) t += s[l - offset];
    barrier();
    s[l] = t;
    barrier();
  }
  scan[at] = s[l];
  barrier();

  s[l] = x * x + l;
  barrier();
  uint half_ = 1u;
  while (half_ < n) half_ *= 2u;
  for (half_ /= 2u; half_ > 0u; half_ /= 2u) {
    if (l < half_ && l + half_ < n) s[l] += s[l + half_];
    barrier();
  }
  if (l == 0u) sums[group] = s[0];
}
