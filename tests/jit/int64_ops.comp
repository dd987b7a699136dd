// 64-bit integer operations on a pair of int64s per invocation, one result per slot: arithmetic,
// shifts by 32-bit amounts, comparisons, conversions to and from 32 bits, uint64 wraparound, and
// a 64-bit push constant.
#version 450
#extension GL_ARB_gpu_shader_int64 : require
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) readonly buffer In { i64vec2 v[]; };
layout(set = 0, binding = 1) writeonly buffer Out { int64_t o[]; };
layout(push_constant) uniform Parameters {
  uint pad;
  int64_t bias;  // at offset 8
};

const uint kSlots = 16;

void main() {
  uint i = gl_GlobalInvocationID.x;
  int64_t x = v[i].x;
  int64_t y = v[i].y;
  uint64_t ux = uint64_t(x);
  uint64_t uy = uint64_t(y);
  bool divisible = y != 0l && !(x == (-9223372036854775807l - 1l) && y == -1l);
  uint at = i * kSlots;
  o[at + 0] = x + y;
  o[at + 1] = x - y;
  o[at + 2] = x * y;
  o[at + 3] = divisible ? x / y : 0l;
  o[at + 4] = divisible ? x % y : 0l;
  o[at + 5] = uy != 0ul ? int64_t(ux / uy) : 0l;
  o[at + 6] = x << (int(i) & 63);
  o[at + 7] = x >> (int(y) & 63);
  o[at + 8] = int64_t(ux >> (uint(y) & 63u));
  o[at + 9] = (x < y ? 1l : 0l) + (ux < uy ? 2l : 0l) + (x == y ? 4l : 0l) + (x >= y ? 8l : 0l) +
              (ux >= uy ? 16l : 0l) + (x != y ? 32l : 0l);
  o[at + 10] = int64_t(int(x));        // truncated, then sign-extended
  o[at + 11] = int64_t(uint64_t(uint(x)));  // truncated, then zero-extended
  o[at + 12] = int64_t(ux * 0x9E3779B97F4A7C15ul + 0xFFFFFFFFFFFFFFFFul);  // wraps
  o[at + 13] = (x & 0x0123456789ABCDEFl) | (~y ^ 0x7F00FF00FF00FF00l);
  o[at + 14] = x ^ bias;
  o[at + 15] = int64_t(int(x) + int(y));  // 32-bit arithmetic between conversions
}
