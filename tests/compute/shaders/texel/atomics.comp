// Atomics on an r32ui or r32i storage texel buffer: every invocation adds 1 to one of 8 counters
// and keeps the old value, takes the minimum and maximum into two more texels, and adds to a texel
// past the end (dropped, returns 0). -DFORMAT=r32ui|r32i -DIMAGE=uimageBuffer|iimageBuffer
// -DT=uint|int (tests/CMakeLists.txt).
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0, FORMAT) uniform coherent IMAGE counters;
layout(set = 0, binding = 1) buffer Old {
  T outside;
  T old[];
} o;

void main() {
  uint i = gl_GlobalInvocationID.x;
  o.old[i] = imageAtomicAdd(counters, int(i % 8), T(1));
  imageAtomicMin(counters, 8, T(i) - T(100));
  imageAtomicMax(counters, 9, T(i) - T(100));
  T past = imageAtomicAdd(counters, 1000 + int(i), T(1));
  if (past != T(0)) o.outside = T(1);
}
