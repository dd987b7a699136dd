// Functions with early returns, inout parameters and loops, called from a loop.
#version 450
layout(local_size_x = 8) in;
layout(set = 0, binding = 0) writeonly buffer Out { float o[]; };

float weight(uint i) {
  if (i % 3u == 0u) return 0.5;
  return float(i) * 0.25;
}

void accumulate(inout float total, float value) { total += value; }

uint collatzLength(uint n) {
  uint steps = 0u;
  while (n != 1u && steps < 100u) {
    n = (n % 2u == 0u) ? n / 2u : 3u * n + 1u;
    steps++;
  }
  return steps;
}

void main() {
  uint i = gl_GlobalInvocationID.x;
  float total = 0.0;
  for (uint j = 0u; j <= i; ++j) accumulate(total, weight(j));
  o[2u * i] = total;
  o[2u * i + 1u] = float(collatzLength(i + 1u));
}
