// Subgroup basics (the operations every Vulkan 1.1 device supports in compute), for any workgroup
// shape (local_size_*_id 0-2): the built-ins, subgroupElect and the subgroup barriers, with
// shared-memory atomics counting each subgroup's members and its elected invocation.
#version 450
#extension GL_KHR_shader_subgroup_basic : require
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
layout(set = 0, binding = 0) writeonly buffer Out { uvec4 o[]; };
shared uint marks[1024];

void main() {
  uint n = gl_WorkGroupSize.x * gl_WorkGroupSize.y * gl_WorkGroupSize.z;
  uint l = gl_LocalInvocationIndex;
  uint at = gl_WorkGroupID.x * n + l;
  marks[l] = 0u;
  barrier();
  // Every invocation of a subgroup marks its subgroup's slot; the elected one adds 1000.
  atomicAdd(marks[gl_SubgroupID], 1u);
  if (subgroupElect()) atomicAdd(marks[gl_SubgroupID], 1000u);
  subgroupMemoryBarrierShared();
  subgroupBarrier();
  barrier();
  o[2u * at] = uvec4(gl_SubgroupSize, gl_SubgroupInvocationID, gl_SubgroupID, gl_NumSubgroups);
  o[2u * at + 1u] = uvec4(subgroupElect() ? 1u : 0u, marks[gl_SubgroupID], l, n);
}
