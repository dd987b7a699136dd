// VK_EXT_robustness2 through vec4 arrays indexed by consecutive invocations (the JIT's one-vector
// access): the test binds ranges that end inside a vec4, or null descriptors, and checks that each
// component is bounds-checked on its own and that the array's length is what the range holds.
#version 450
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) buffer Src { vec4 v[]; } src;
layout(set = 0, binding = 1) buffer Dst { vec4 v[]; } dst;
layout(set = 0, binding = 2) buffer Result {
  uint srcLength;
  uint dstLength;
  uint pad[2];
  vec4 v[];
} result;

void main() {
  uint i = gl_GlobalInvocationID.x;
  result.v[i] = src.v[i];
  dst.v[i] = vec4(4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4);
  if (i == 0) {
    result.srcLength = src.v.length();
    result.dstLength = dst.v.length();
  }
}
