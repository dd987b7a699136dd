// Structs loaded and stored whole, composite insertion, dynamic component and array indexes,
// matrix products, local arrays of bools, a Private global with an initializer.
#version 450
layout(local_size_x = 8) in;
struct Pair {
  vec2 a;
  ivec2 b;
};
layout(std430, set = 0, binding = 0) readonly buffer In { Pair pairs[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { vec4 o[]; };
layout(std430, set = 0, binding = 2) writeonly buffer OutPairs { Pair outPairs[]; };

float gScale = 3.0;

void main() {
  uint i = gl_GlobalInvocationID.x;
  Pair p = pairs[i];
  Pair q = p;
  q.a.y = float(p.b.x);
  q.b = p.b.yx;
  outPairs[i] = q;
  vec4 v = vec4(p.a, q.a) + 1.0;
  float picked = (v * 2.0)[i % 4u];
  mat2 m = mat2(p.a, q.a);
  mat2 mm = m * transpose(m);
  vec2 vm = p.a * m;
  mat2 op = outerProduct(p.a, q.a);
  o[i * 5u + 0u] = vec4(mm[0], mm[1]);
  o[i * 5u + 1u] = vec4(vm, picked, float(p.b.y));
  o[i * 5u + 2u] = vec4(op[0], op[1]);
  vec4 rows[3] = vec4[3](v, v.yzwx, vec4(picked));
  o[i * 5u + 3u] = rows[i % 3u] * (m * 0.5)[1].x * gScale;
  bool positive[4];
  for (int k = 0; k < 4; ++k) positive[k] = v[k] > 2.0;
  bvec2 both = bvec2(positive[i % 4u], positive[(i + 1u) % 4u]);
  o[i * 5u + 4u] = vec4(positive[0] ? 1.0 : 0.0, positive[3] ? 1.0 : 0.0, both.x ? 1.0 : 0.0,
                        both.y ? 1.0 : 0.0);
}
