// A shader that never ends in a divergent loop: each invocation waits for its own word, which the
// host never writes, so the loop's lanes never agree (masks, no uniform loop). The watchdog must
// stop it (device/watchdog.hpp).
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer Data {
  uint stop;
  uint count[];
};

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint n = i;
  while (count[i] == 0u) n = n * 3u + 1u;
  count[i] = n;
}
