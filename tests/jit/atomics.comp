// Atomics on a storage buffer and on shared memory.
#version 450
layout(local_size_x = 32) in;
layout(set = 0, binding = 0) readonly buffer In { uint v[]; };
layout(set = 0, binding = 1) buffer Counters {
  uint evens;
  uint total;
  int minimum;
  uint maximum;
  uint exchanged;
  uint odds;
  uint chain;
} c;
shared uint localOdds;

void main() {
  uint x = v[gl_GlobalInvocationID.x];
  if (gl_LocalInvocationIndex == 0u) localOdds = 0u;
  barrier();
  if (x % 2u == 0u) atomicAdd(c.evens, 1u);
  atomicAdd(c.total, x);
  atomicMin(c.minimum, int(x) - 500);
  atomicMax(c.maximum, x);
  atomicExchange(c.exchanged, 7u);
  atomicAdd(localOdds, x & 1u);
  // Succeeds only when the invocations run in order: the count of a sequential run.
  atomicCompSwap(c.chain, gl_GlobalInvocationID.x, gl_GlobalInvocationID.x + 1u);
  barrier();
  if (gl_LocalInvocationIndex == 0u) atomicAdd(c.odds, localOdds);
}
