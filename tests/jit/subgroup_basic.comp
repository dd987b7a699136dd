// Subgroup basics, a subgroup per SIMD group (jit/translator.hpp), for any workgroup shape
// (specialised through local_size_*_id). The subgroup barriers sit in divergent control flow;
// they must not wait for the workgroup.
#version 450
#extension GL_KHR_shader_subgroup_basic : require
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
layout(set = 0, binding = 0) buffer Out { uvec4 o[]; };

void main() {
  uint invocations = gl_WorkGroupSize.x * gl_WorkGroupSize.y * gl_WorkGroupSize.z;
  uint at = (gl_WorkGroupID.x * invocations + gl_LocalInvocationIndex) * 2u;
  o[at] = uvec4(gl_SubgroupSize, gl_SubgroupInvocationID, gl_SubgroupID, gl_NumSubgroups);
  uint elected = subgroupElect() ? 1u : 0u;
  if (gl_LocalInvocationIndex % 2u == 1u) {
    subgroupBarrier();
    elected += 10u;
  } else {
    subgroupMemoryBarrier();
  }
  // Read back what this invocation wrote before the barriers.
  o[at + 1u] = uvec4(elected, gl_LocalInvocationIndex, o[at].z, invocations);
}
