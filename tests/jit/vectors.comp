// vec4/ivec4 arithmetic, swizzles, construction, insertion (constant and dynamic), selection.
#version 450
layout(local_size_x = 8) in;
layout(set = 0, binding = 0) readonly buffer A { vec4 a[]; };
layout(set = 0, binding = 1) readonly buffer B { vec4 b[]; };
layout(set = 0, binding = 2) writeonly buffer Out { vec4 o[]; };
layout(set = 0, binding = 3) writeonly buffer OutI { ivec4 oi[]; };

void main() {
  uint i = gl_GlobalInvocationID.x;
  vec4 x = a[i];
  vec4 y = b[i];
  o[i * 6u + 0u] = x + y * 2.0;
  o[i * 6u + 1u] = x.wzyx * y.xxyy;
  o[i * 6u + 2u] = vec4(cross(x.xyz, y.xyz), dot(x, y));
  vec4 t = x;
  t.y = y.z;
  t[int(i % 4u)] = 7.0;
  o[i * 6u + 3u] = t;
  o[i * 6u + 4u] = mix(x, y, lessThan(x, y));
  o[i * 6u + 5u] = vec4(min(x, y).xy, max(x, y).zw) / 2.0 - x.x;
  ivec4 ix = ivec4(x * 10.0);
  oi[i * 2u + 0u] = ix * 3 - ivec4(i) + (ix >> 1) % 5;
  bvec4 greater = greaterThan(x, y);
  oi[i * 2u + 1u] = ivec4(any(greater) ? 1 : 0, all(greater) ? 1 : 0, x[int(i % 4u)] > 0.0 ? 1 : 0,
                          length(x.xy) > 1.0 ? 1 : 0);
}
