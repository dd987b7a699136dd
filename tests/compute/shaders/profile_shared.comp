// 32 KiB of Workgroup memory, twice the Vulkan 1.1 minimum maxComputeSharedMemorySize, with the
// workgroup width set by specialisation: a pipeline a profile's lower limits must refuse
// (tests/device/test_profiles.cpp).
#version 450
layout(local_size_x_id = 0) in;
layout(set = 0, binding = 0) buffer Data { uint v[]; };
shared uint s[8192];

void main() {
  uint l = gl_LocalInvocationIndex;
  s[(l * 64u) % 8192u] = v[l];
  barrier();
  v[l] = s[(l * 64u + 64u) % 8192u];
}
