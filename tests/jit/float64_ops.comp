// 64-bit float operations on a pair of doubles per invocation: arithmetic, fma, sqrt and the
// other GLSL.std.450 functions defined for doubles, comparisons, conversions to and from other
// widths, dvec3 at its 32-byte stride, and a double push constant.
#version 450
#extension GL_ARB_gpu_shader_int64 : require
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) readonly buffer In { dvec2 v[]; };
layout(set = 0, binding = 1) writeonly buffer Out { double o[]; };
layout(set = 0, binding = 2) writeonly buffer Ints { int64_t q[]; };
layout(set = 0, binding = 3) writeonly buffer Vectors { dvec3 d3[]; };
layout(push_constant) uniform Parameters { double scale; };

const uint kSlots = 18;

void main() {
  uint i = gl_GlobalInvocationID.x;
  double x = v[i].x;
  double y = v[i].y;
  uint at = i * kSlots;
  o[at + 0] = x + y;
  o[at + 1] = x - y;
  o[at + 2] = x * y;
  o[at + 3] = x / y;
  o[at + 4] = fma(x, y, 0.1lf);
  o[at + 5] = sqrt(abs(x));
  o[at + 6] = floor(x);
  o[at + 7] = ceil(y);
  o[at + 8] = min(x, y);
  o[at + 9] = max(x, y);
  o[at + 10] = double(float(x));  // rounded to float and back
  o[at + 11] = trunc(x) + round(y * 2.0lf);
  o[at + 12] = double(int(y)) + double(int64_t(x * 1000.0lf));
  o[at + 13] = (x < y ? 1.0lf : 0.0lf) + (x == y ? 2.0lf : 0.0lf) + (x >= y ? 4.0lf : 0.0lf);
  o[at + 14] = mod(x, y);
  o[at + 15] = x * scale;
  o[at + 16] = packDouble2x32(unpackDouble2x32(x).yx);  // halves swapped
  o[at + 17] = clamp(x, -10.0lf, 10.0lf) + double(uint64_t(abs(y) * 3.0lf));
  q[i * 3 + 0] = int64_t(x * 1e12lf);
  q[i * 3 + 1] = int64_t(int(x * 100.0lf));
  q[i * 3 + 2] = int64_t(uint64_t(abs(y) * 1e15lf));
  d3[i] = dvec3(x, y, x * y);
}
