// Atomics from many workgroups at once: on a storage buffer (every operation, a histogram, tickets
// handed out by atomicAdd's return value, a compare-and-swap loop) and on shared memory (per
// workgroup counts written out after a barrier). Every total is independent of the order the
// invocations run in, so it must not depend on the number of worker threads either.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer In { uint v[]; };
layout(set = 0, binding = 1) buffer Counters {
  uint total;
  uint evens;
  uint maximum;
  int minimum;
  uint orBits;
  uint andBits;
  uint xorBits;
  uint casCount;
  uint tickets;
  uint exchanged;
  uint bins[64];  // a histogram of v[i] % 64
} c;
layout(set = 0, binding = 2) writeonly buffer Tickets { uint ticket[]; };
layout(set = 0, binding = 3) writeonly buffer Groups { uvec4 groups[]; };
shared uint groupSum;
shared uint groupMax;
shared uint groupMin;
shared uint groupBins[4];

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint l = gl_LocalInvocationIndex;
  uint x = v[i];
  if (l == 0u) {
    groupSum = 0u;
    groupMax = 0u;
    groupMin = 0xffffffffu;
  }
  if (l < 4u) groupBins[l] = 0u;
  barrier();

  atomicAdd(c.total, x);
  if (x % 2u == 0u) atomicAdd(c.evens, 1u);
  atomicMax(c.maximum, x);
  atomicMin(c.minimum, int(x) - 50000);
  atomicOr(c.orBits, 1u << (x % 32u));
  atomicAnd(c.andBits, ~(1u << (x % 29u)));
  atomicXor(c.xorBits, x);
  atomicAdd(c.bins[x % 64u], 1u);
  ticket[i] = atomicAdd(c.tickets, 1u);
  atomicExchange(c.exchanged, 12345u);
  // An increment by compare-and-swap, retried until no other invocation got in between.
  uint expected = atomicAdd(c.casCount, 0u);  // an atomic read
  for (;;) {
    uint seen = atomicCompSwap(c.casCount, expected, expected + 1u);
    if (seen == expected) break;
    expected = seen;
  }

  atomicAdd(groupSum, x & 0xffu);
  atomicMax(groupMax, x);
  atomicMin(groupMin, x);
  atomicAdd(groupBins[(x >> 3) % 4u], 1u);
  barrier();
  if (l == 0u) groups[2u * gl_WorkGroupID.x] = uvec4(groupSum, groupMax, groupMin, 0u);
  if (l == 1u)
    groups[2u * gl_WorkGroupID.x + 1u] =
        uvec4(groupBins[0], groupBins[1], groupBins[2], groupBins[3]);
}
