// Specialisation constants (the local size, an int, a bool, a float, a uint used in a derived
// constant) and push constants of several types at their std430 offsets, read by every invocation.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int kScale = 3;
layout(constant_id = 2) const bool kNegate = false;
layout(constant_id = 3) const float kBias = 0.5;
layout(constant_id = 4) const uint kMask = 0xffu;
const uint kMaskPlusOne = kMask + 1u;
layout(push_constant) uniform Push {
  uint count;      // offset 0
  float scale;     // 4
  ivec2 offset;    // 8
  vec4 color;      // 16
  uint values[4];  // 32, stride 4
} pc;
layout(set = 0, binding = 0) writeonly buffer Out { vec4 o[]; };
layout(set = 0, binding = 1) writeonly buffer Ints { uvec4 ints[]; };

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= pc.count) return;
  float v = float(int(i) * kScale) + kBias;
  o[i] = pc.color * pc.scale +
         vec4(kNegate ? -v : v, float(pc.offset.x), float(pc.offset.y), float(pc.values[i % 4u]));
  ints[i] = uvec4(gl_WorkGroupSize.x, i & kMask, kMaskPlusOne, gl_WorkGroupID.x);
}
