// Robust buffer access: every kind of access (consecutive, gathered, uniform, packed vectors,
// scatter, atomics) partly past the bound ranges. Reads past a range give 0; writes and atomics
// past it change nothing, in particular not the memory right after the range.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer Data { uint d[]; };
layout(set = 0, binding = 1) readonly buffer Vectors { uvec4 v[]; };
layout(set = 0, binding = 2) buffer Written { uint w[]; };
layout(set = 0, binding = 3) buffer Out { uint o[]; };
layout(push_constant) uniform Parameters { uint far; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  o[i * 8u + 0u] = d[i];           // consecutive lanes
  o[i * 8u + 1u] = d[i * 3u];      // gathered
  o[i * 8u + 2u] = d[p.far];       // the same address in every lane
  o[i * 8u + 3u] = d[i - 16u];     // lanes 0..15 wrap to 2^32 - 16...
  uvec4 x = v[i];                  // packed vectors, consecutive
  o[i * 8u + 4u] = x.x + x.y + x.z + x.w;
  o[i * 8u + 5u] = v[i / 2u].y;    // gathered component
  w[i + 8u] = i + 1u;              // consecutive stores, partly past the range
  w[i * 5u] = 1000u + i;           // scattered stores
  o[i * 8u + 6u] = atomicAdd(w[i * 7u], 1u) > 0u ? 1u : 0u;
}
