// A shader that never ends: it waits for a value the host never writes (a hung shader, as a bug
// in a real one would make it). The watchdog must stop it (device/watchdog.hpp).
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer Data {
  uint stop;
  uint count[];
};

void main() {
  uint n = 0u;
  while (stop != 1234567u) n++;
  count[gl_GlobalInvocationID.x] = n;
}
