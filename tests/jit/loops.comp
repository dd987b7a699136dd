// Loops with trip counts that depend on the data, divergent branches, break, continue, switch.
#version 450
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) readonly buffer In { uint v[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint o[]; };

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint n = v[i];
  uint steps = 0u;
  while (n > 1u) {
    if ((n & 1u) == 0u) {
      n /= 2u;
    } else {
      n = 3u * n + 1u;
    }
    steps++;
    if (steps >= 500u) break;
  }
  uint sum = 0u;
  for (uint j = 0u; j < v[i] % 37u; ++j) {
    if (j % 3u == 0u) continue;
    sum += j * j;
    if (sum > 5000u) break;
  }
  uint kind;
  switch (i % 5u) {
    case 0u: kind = steps; break;
    case 1u: kind = sum; break;
    case 2u:
    case 3u: kind = steps + sum; break;
    default: kind = 12345u; break;
  }
  o[3u * i + 0u] = steps;
  o[3u * i + 1u] = sum;
  o[3u * i + 2u] = kind;
}
