// Every 32-bit integer operation on a pair of ints per invocation, one result per slot.
#version 450
layout(local_size_x = 32) in;
layout(set = 0, binding = 0) readonly buffer A { int a[]; };
layout(set = 0, binding = 1) readonly buffer B { int b[]; };
layout(set = 0, binding = 2) writeonly buffer Out { int o[]; };

const uint kSlots = 28;

void main() {
  uint i = gl_GlobalInvocationID.x;
  int x = a[i];
  int y = b[i];
  uint ux = uint(x);
  uint uy = uint(y);
  uint at = i * kSlots;
  o[at + 0] = x + y;
  o[at + 1] = x - y;
  o[at + 2] = x * y;
  o[at + 3] = (y != 0 && !(x == -2147483648 && y == -1)) ? x / y : 0;
  o[at + 4] = (y != 0 && !(x == -2147483648 && y == -1)) ? x % y : 0;
  o[at + 5] = uy != 0u ? int(ux / uy) : 0;
  o[at + 6] = uy != 0u ? int(ux % uy) : 0;
  o[at + 7] = x & y;
  o[at + 8] = x | y;
  o[at + 9] = x ^ y;
  o[at + 10] = ~x;
  o[at + 11] = x << (y & 31);
  o[at + 12] = x >> (y & 31);
  o[at + 13] = int(ux >> (uy & 31u));
  o[at + 14] = min(x, y);
  o[at + 15] = max(x, y);
  o[at + 16] = int(min(ux, uy));
  o[at + 17] = int(max(ux, uy));
  o[at + 18] = abs(x);
  o[at + 19] = clamp(x, -100, 100);
  o[at + 20] = (x < y ? 1 : 0) + (ux < uy ? 2 : 0) + (x == y ? 4 : 0) + (x >= y ? 8 : 0) +
               (ux >= uy ? 16 : 0) + (x != y ? 32 : 0) + (x <= y ? 64 : 0) + (ux > uy ? 128 : 0);
  o[at + 21] = int(float(x >> 8) * 0.5);
  o[at + 22] = floatBitsToInt(float(x));
  o[at + 23] = int(uint(float(ux >> 8)));
  o[at + 24] = bitCount(x);
  o[at + 25] = findMSB(x) * 100 + findLSB(x);
  o[at + 26] = bitfieldReverse(x);
  o[at + 27] = x / y;  // undefined for y == 0 and INT_MIN / -1: must not crash
}
