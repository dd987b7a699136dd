// One invocation per pair of input words, through each instruction group the JIT translates:
// integer arithmetic, division and remainders, shifts and bit operations, comparisons and
// selection, conversions, float arithmetic and GLSL.std.450 functions, vectors, swizzles,
// matrices and composites with dynamic indexes. tests/compute/instructions.cpp repeats it in C++.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer In { uvec2 words[]; };
layout(set = 0, binding = 1) writeonly buffer Ints { uint io[]; };
layout(set = 0, binding = 2) writeonly buffer Floats { float fo[]; };

const uint kInts = 24u;
const uint kFloats = 20u;

struct Pair {
  int low;
  vec2 both;
};

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint a = words[i].x;
  uint b = words[i].y;
  int sa = int(a);
  int sb = int(b);
  uint n = i * kInts;

  // Integer arithmetic wraps; division by zero and INT_MIN / -1 are avoided (undefined).
  io[n + 0u] = a + b;
  io[n + 1u] = a - b;
  io[n + 2u] = a * b;
  uint d = b | 1u;
  io[n + 3u] = a / d;
  io[n + 4u] = a % d;
  int sd = sb == 0 || sb == -1 ? 7 : sb;
  io[n + 5u] = uint(sa / sd);
  io[n + 6u] = uint(sa % sd);  // OpSMod: takes the divisor's sign
  // Shifts and bits.
  io[n + 7u] = a << (b & 31u);
  io[n + 8u] = a >> (b & 31u);
  io[n + 9u] = uint(sa >> int(b & 31u));
  io[n + 10u] = (a & b) ^ (a | ~b);
  io[n + 11u] = uint(bitCount(a)) * 1000u + uint(findMSB(a) + 1) * 10u + uint(findLSB(b) + 1);
  io[n + 12u] = bitfieldReverse(a);
  io[n + 13u] = uint(sa * sb);
  io[n + 14u] = (a >> 16) | (b << 16);
  io[n + 15u] = ~a + uint(-sa);
  // Comparisons, selection, min/max/clamp/abs.
  io[n + 16u] = (a < b ? 1u : 0u) | (sa < sb ? 2u : 0u) | (a == b ? 4u : 0u) |
                (sa >= sb ? 8u : 0u) | (a != b && sa > 0 ? 16u : 0u);
  io[n + 17u] = uint(min(sa, sb)) ^ max(a, b);
  io[n + 18u] = uint(clamp(sa, -1000, 1000)) + clamp(b, 10u, 20u);
  io[n + 19u] = uint(abs(sa >> 4)) + uint(sign(sb) + 1);
  // Conversions.
  float fa = float(sa) / 65536.0;
  float fb = float(b & 0xffffu) / 256.0 + 0.5;
  io[n + 20u] = uint(int(fa * 3.0));
  io[n + 21u] = uint(fb * 1000.0);
  // Vectors, swizzles, composites and a dynamic index.
  uvec4 v = uvec4(a, b, a ^ b, a + b);
  uvec4 w = v.wzyx + v.yyxx * 3u;
  io[n + 22u] = w[b % 4u] ^ w.x;
  Pair pairs[3] = Pair[3](Pair(sa, vec2(1.0, 2.0)), Pair(sb, vec2(fa, fb)), Pair(-1, vec2(0.5)));
  io[n + 23u] = uint(pairs[a % 3u].low) + uint(pairs[(a + 1u) % 3u].both.x >= 1.0 ? 1 : 0);

  // Float arithmetic: each operation rounds once (no contraction: separate statements).
  uint m = i * kFloats;
  fo[m + 0u] = fa + fb;
  fo[m + 1u] = fa - fb;
  float prod = fa * fb;
  fo[m + 2u] = prod;
  fo[m + 3u] = fa / fb;
  fo[m + 4u] = floor(fa) + ceil(fb) * 1000.0;
  fo[m + 5u] = fract(fa);
  fo[m + 6u] = abs(fa) + sign(fa);
  fo[m + 7u] = min(fa, fb) - max(fa, -fb);
  fo[m + 8u] = clamp(fa, -2.0, 3.0);
  fo[m + 9u] = sqrt(fb);
  fo[m + 10u] = inversesqrt(fb);
  fo[m + 11u] = exp2(fract(fa) * 4.0);
  fo[m + 12u] = log2(fb);
  fo[m + 13u] = sin(fract(fa) * 3.0) + cos(fb * 0.01);
  fo[m + 14u] = pow(fb, 0.75);
  fo[m + 15u] = mix(fa, fb, 0.25);
  fo[m + 16u] = step(0.0, fa) + smoothstep(0.0, 1.0, fract(fb));
  vec3 p = vec3(fa, fb, 1.0);
  vec3 q = vec3(0.5, -fb, fa);
  fo[m + 17u] = dot(p, q) + length(q.xy);
  mat2 rot = mat2(0.0, 1.0, -1.0, 0.0);  // columns: (0, 1), (-1, 0)
  vec2 r = rot * vec2(fa, fb);
  fo[m + 18u] = r.x * 10.0 + r.y;
  fo[m + 19u] = cross(p, q).y;
}
