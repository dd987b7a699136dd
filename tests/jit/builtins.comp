// Every compute built-in, written out by each invocation of a 3D dispatch.
#version 450
layout(local_size_x = 4, local_size_y = 2, local_size_z = 3) in;
layout(set = 0, binding = 0) writeonly buffer Out { uvec4 o[]; };

void main() {
  uvec3 g = gl_WorkGroupID;
  uvec3 n = gl_NumWorkGroups;
  uint group = (g.z * n.y + g.y) * n.x + g.x;
  uint at = (group * 24u + gl_LocalInvocationIndex) * 4u;
  o[at + 0u] = uvec4(gl_GlobalInvocationID, gl_LocalInvocationIndex);
  o[at + 1u] = uvec4(gl_LocalInvocationID, 0u);
  o[at + 2u] = uvec4(gl_WorkGroupID, 0u);
  o[at + 3u] = uvec4(gl_NumWorkGroups, gl_WorkGroupSize.x * 100u + gl_WorkGroupSize.y * 10u +
                                           gl_WorkGroupSize.z);
}
