// GLSL's bitfieldExtract (signed and unsigned) and bitfieldInsert: OpBitFieldSExtract,
// OpBitFieldUExtract and OpBitFieldInsert, with offsets and counts that vary per invocation.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer In { uvec2 words[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uvec4 o[]; };

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint a = words[i].x;
  uint b = words[i].y;
  int offset = int(b % 16u);
  int bits = int(b >> 28) + 1;  // 1..16: offset + bits stays within 32
  o[i] = uvec4(bitfieldExtract(a, offset, bits), uint(bitfieldExtract(int(a), offset, bits)),
               bitfieldInsert(a, b, offset, bits), bitfieldExtract(a, 0, 0));
}
