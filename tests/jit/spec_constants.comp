// Specialisation constants: the local size, an int, a bool, a float and one derived from them.
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int kMultiplier = 3;
layout(constant_id = 2) const bool kNegate = false;
layout(constant_id = 3) const float kOffset = 0.5;
const int kDouble = kMultiplier * 2;
layout(set = 0, binding = 0) writeonly buffer Out { float o[]; };
layout(set = 0, binding = 1) writeonly buffer Sizes { uint sizes[]; };

void main() {
  uint i = gl_GlobalInvocationID.x;
  float v = float(int(i) * kDouble) + kOffset;
  o[i] = kNegate ? -v : v;
  sizes[gl_WorkGroupID.x] = gl_WorkGroupSize.x;
}
