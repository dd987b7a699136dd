// Not supported yet: subgroup arithmetic (OpGroupNonUniformIAdd).
#version 450
#extension GL_KHR_shader_subgroup_arithmetic : require
layout(local_size_x = 8) in;
layout(set = 0, binding = 0) buffer Out { uint o[]; };

void main() { o[gl_GlobalInvocationID.x] = subgroupAdd(gl_GlobalInvocationID.x); }
