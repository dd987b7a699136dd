// Every subgroup operation emvk reports (vote, ballot, arithmetic, shuffle, shuffle relative,
// clustered, quad), over a subgroup that is a SIMD group. The workgroup size is specialised
// (local_size_x_id) so the last subgroup may be partial; a divergent branch runs some of them
// on a subset of the lanes. The test checks each result against a C++ model of the subgroups.
#version 450
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_vote : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_KHR_shader_subgroup_shuffle_relative : require
#extension GL_KHR_shader_subgroup_clustered : require
#extension GL_KHR_shader_subgroup_quad : require
layout(local_size_x_id = 0) in;
layout(set = 0, binding = 0) readonly buffer In { uint v[]; };
layout(set = 0, binding = 1) buffer Out { uint o[]; };

const uint kOutputs = 34u;

void main() {
  uint gid = gl_GlobalInvocationID.x;
  uint x = v[gid];
  uint lane = gl_SubgroupInvocationID;
  uint at = gid * kOutputs;
  o[at + 0u] = subgroupAdd(x);
  o[at + 1u] = subgroupMul(x | 1u);
  o[at + 2u] = uint(subgroupMin(int(x) - 500));
  o[at + 3u] = subgroupMax(x);
  o[at + 4u] = subgroupAnd(x);
  o[at + 5u] = subgroupOr(x);
  o[at + 6u] = subgroupXor(x);
  o[at + 7u] = subgroupInclusiveAdd(x);
  o[at + 8u] = subgroupExclusiveAdd(x);
  o[at + 9u] = subgroupClusteredAdd(x, 4u);
  o[at + 10u] = floatBitsToUint(subgroupAdd(float(x & 255u)));
  o[at + 11u] = subgroupAll(x > 10u) ? 1u : 0u;
  o[at + 12u] = subgroupAny(x == 7u) ? 1u : 0u;
  o[at + 13u] = subgroupAllEqual(x % 2u) ? 1u : 0u;
  uvec4 ballot = subgroupBallot(x % 2u == 1u);
  o[at + 14u] = ballot.x;
  o[at + 15u] = subgroupBallotBitCount(ballot);
  o[at + 16u] = subgroupBallotInclusiveBitCount(ballot);
  o[at + 17u] = subgroupBallotExclusiveBitCount(ballot);
  o[at + 18u] = subgroupBallotFindLSB(ballot);
  o[at + 19u] = subgroupBallotFindMSB(ballot);
  o[at + 20u] = subgroupBallotBitExtract(ballot, lane) ? 1u : 0u;
  o[at + 21u] = subgroupBroadcast(x, 1u);
  o[at + 22u] = subgroupBroadcastFirst(x);
  o[at + 23u] = subgroupShuffle(x, (lane * 5u) % gl_SubgroupSize);
  o[at + 24u] = subgroupShuffleXor(x, 1u);
  o[at + 25u] = subgroupShuffleUp(x, 1u);
  o[at + 26u] = subgroupShuffleDown(x, 1u);
  o[at + 27u] = subgroupQuadBroadcast(x, 2u);
  o[at + 28u] = subgroupQuadSwapHorizontal(x);
  o[at + 29u] = gl_SubgroupEqMask.x | (gl_SubgroupLtMask.x << 16);
  o[at + 30u] = subgroupShuffleXor(uvec2(x, x + 1u), 2u).y;
  if (lane % 3u != 1u) {
    o[at + 31u] = subgroupAdd(x);
    o[at + 32u] = subgroupInclusiveMax(x);
    o[at + 33u] = subgroupElect() ? 1u : 0u;
  } else {
    o[at + 31u] = 0xffffffffu;
    o[at + 32u] = 0xffffffffu;
    o[at + 33u] = 0xffffffffu;
  }
}
