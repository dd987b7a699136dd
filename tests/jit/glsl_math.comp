// GLSL.std.450: one function of x per slot.
#version 450
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) readonly buffer In { float x[]; };
layout(set = 0, binding = 1) writeonly buffer Out { float o[]; };

const uint kSlots = 30;

void main() {
  uint i = gl_GlobalInvocationID.x;
  float v = x[i];
  uint at = i * kSlots;
  o[at + 0] = abs(v - 5.0);
  o[at + 1] = sqrt(v);
  o[at + 2] = floor(v * 3.3);
  o[at + 3] = fma(v, 2.0, 1.0);
  o[at + 4] = min(v, 4.0);
  o[at + 5] = max(v, 4.0);
  o[at + 6] = exp(v * 0.5);
  o[at + 7] = log(v);
  o[at + 8] = sin(v);
  o[at + 9] = cos(v);
  o[at + 10] = pow(v, 1.5);
  o[at + 11] = float(min(uint(v * 10.0), 37u));
  o[at + 12] = float(max(int(v) - 5, -2));
  o[at + 13] = clamp(v, 1.0, 2.0);
  o[at + 14] = fract(v);
  o[at + 15] = inversesqrt(v);
  o[at + 16] = tan(v);
  o[at + 17] = atan(v, 2.0);
  o[at + 18] = exp2(v);
  o[at + 19] = log2(v);
  o[at + 20] = sign(v - 5.0);
  o[at + 21] = smoothstep(2.0, 8.0, v);
  o[at + 22] = step(5.0, v);
  o[at + 23] = mod(v, 1.5);
  o[at + 24] = round(v);
  o[at + 25] = ceil(v);
  o[at + 26] = trunc(v);
  o[at + 27] = normalize(vec2(v, 1.0)).x;
  o[at + 28] = distance(vec2(v), vec2(1.0, 2.0));
  o[at + 29] = mix(v, 10.0, 0.25);
}
