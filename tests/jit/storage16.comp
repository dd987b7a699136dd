// 16-bit storage: std430 arrays of 16-bit scalars, vectors and structs read and written
// contiguously (indexed by the invocation) and scattered, a std140 uniform block and push
// constants with 16-bit members, halves in shared memory; values are mostly converted to 32 bits
// to compute.
#version 450
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
layout(local_size_x = 16) in;
layout(set = 0, binding = 0) buffer Halves { float16_t h[]; };
layout(set = 0, binding = 1) buffer Shorts { int16_t s[]; };
struct Record {
  uint16_t id;
  float16_t weight;
  i16vec3 position;  // std430: offset 8, aligned to 8
  f16vec2 range;     // offset 16; the record's size is 20, its array stride 24
};
layout(set = 0, binding = 2) buffer Records { Record records[]; };
layout(set = 0, binding = 3) buffer Sums { float sums[]; };
layout(set = 0, binding = 5) readonly buffer Inputs { float16_t inputs[]; };
layout(set = 0, binding = 6) writeonly buffer Moved { Record moved[]; };
layout(set = 0, binding = 4) uniform Table {
  float16_t unit;
  uint16_t count;
  f16vec4 offsets;
};
layout(push_constant) uniform Parameters {
  uint16_t stride;
  float16_t bias;
  i16vec2 shift;
} pc;
shared float16_t staged[16];

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint n = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  uint j = (i * uint(pc.stride)) % n;
  float a = float(h[i]);                 // contiguous load
  float c = float(inputs[j]);            // scattered load
  uint l = gl_LocalInvocationID.x;
  staged[l] = h[i];
  barrier();
  sums[i] = a + c + float(pc.bias) + float(unit) * float(count) + float(offsets[i & 3u]) +
            float(staged[15u - l]);
  h[i] = float16_t(a * 2.0 + 1.0);       // contiguous store
  s[j] = int16_t(int(s[j]) * 3 + int(pc.shift.x) + int(i));  // scattered read-modify-write
  Record r = records[i];
  r.id = uint16_t(uint(r.id) + 1000u);
  r.weight = float16_t(float(r.weight) * float(r.range.y));
  r.position = i16vec3(ivec3(r.position) + ivec3(pc.shift, -int(i)));
  r.range = r.range.yx;
  moved[n - 1u - i] = r;                 // scattered whole struct
}
