// Control flow that sends neighbouring invocations down different paths: nested loops with
// per-invocation trip counts, break and continue inside ifs inside loops, an early return from
// inside a loop (in a function and in main), a switch, a do-while, and values defined inside
// loops used after them; then a barrier after all that divergence, which must keep every
// invocation's live values. tests/compute/divergence.cpp repeats the arithmetic in C++.
#version 450
layout(local_size_x = 32) in;
layout(set = 0, binding = 0) readonly buffer In { uint v[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint o[]; };
shared uint mirror[32];

// Returns from inside the loop for most inputs; falls out of it for the rest.
uint firstPair(uint i, uint x) {
  for (uint k = 0u; k < 40u; ++k) {
    if (((x >> (k % 16u)) & 3u) == 3u && k > (i & 7u)) return k * 100u + (x & 0xffu);
    x = x * 1664525u + 1013904223u;
  }
  return 7u;
}

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint l = gl_LocalInvocationIndex;
  uint x = v[i];

  uint acc = 0u;
  uint last = 0u;
  for (uint a = 0u; a < (x & 7u) + (i & 1u); ++a) {
    uint b = 0u;
    while (true) {
      if (b >= ((x >> 3) & 7u) + a) break;
      if (((b + i) & 1u) == 0u) {
        b++;
        continue;
      }
      acc += a * 10u + b;
      if (acc > 200u + (i & 31u)) {
        last = a * 1000u + b;
        break;
      }
      b++;
    }
    if ((a ^ i) % 3u == 2u) continue;
    acc ^= a << 4;
    last += 1u;
  }

  uint chosen;
  switch ((x + i) % 6u) {
    case 0u:
      chosen = acc + 1u;
      break;
    case 1u:
      chosen = acc * 3u;
      break;
    case 2u: {
      uint t = 0u;
      for (uint k = 0u; k < (x & 15u); ++k) t += k * k;
      chosen = t;
      break;
    }
    case 3u:
      chosen = firstPair(i, x);
      break;
    case 5u:
      chosen = 0xabcdu;
      break;
    default:
      chosen = last;
      break;
  }

  uint y = x;
  uint steps = 0u;
  uint lastOdd = 0u;
  do {
    if ((y & 1u) != 0u) lastOdd = y;
    y >>= 1;
    steps++;
  } while (y != 0u && steps < (i % 13u) + 1u);

  mirror[l] = acc + chosen;
  barrier();
  uint base = 6u * i;
  o[base + 0u] = acc;
  o[base + 1u] = last;
  o[base + 2u] = chosen;
  o[base + 3u] = lastOdd * 16u + steps;
  o[base + 4u] = mirror[31u - l];
  o[base + 5u] = 99u;
  for (uint k = 0u; k < 8u; ++k) {
    if (k == (x ^ i) % 11u) {
      o[base + 5u] = k;
      return;
    }
  }
}
