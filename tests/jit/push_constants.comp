// Push constants of several types at their std430 offsets; an early return.
#version 450
layout(local_size_x = 4) in;
layout(push_constant) uniform Push {
  uint count;      // offset 0
  float scale;     // 4
  ivec2 offset;    // 8
  vec4 color;      // 16
  uint values[4];  // 32, stride 4
} pc;
layout(set = 0, binding = 0) writeonly buffer Out { vec4 o[]; };

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= pc.count) return;
  o[i] = pc.color * pc.scale +
         vec4(float(pc.offset.x), float(pc.offset.y), float(pc.values[i % 4u]), float(i));
}
