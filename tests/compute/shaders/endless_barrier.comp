// A shader that never ends with barriers in its loop: 256 invocations, several SIMD groups that
// take turns at every barrier (coroutines). The watchdog must stop all of them (device/watchdog.hpp).
#version 450
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) buffer Data {
  uint stop;
  uint count[];
};
shared uint tally[256];

void main() {
  uint i = gl_LocalInvocationID.x;
  uint n = 0u;
  while (stop != 1234567u) {
    tally[i] = n;
    barrier();
    n += tally[(i + 1u) % 256u] + 1u;
    barrier();
  }
  count[gl_GlobalInvocationID.x] = n;
}
