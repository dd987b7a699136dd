// Storage texel buffers: imageLoad of each invocation's texel from `src`, imageStore of an input
// vec4 into `dst`, past the end too (reads 0, writes dropped), and imageSize. Compiled once per
// storage format: -DFORMAT=rgba8|r32f|... -DIMAGE=imageBuffer|iimageBuffer|uimageBuffer
// -DVEC=vec4|ivec4|uvec4 (tests/CMakeLists.txt).
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0, FORMAT) uniform readonly IMAGE src;
layout(set = 0, binding = 1, FORMAT) uniform writeonly IMAGE dst;
layout(set = 0, binding = 2) buffer Out {
  uint srcSize;
  uint dstSize;
  VEC values[];
} o;
layout(set = 0, binding = 3) readonly buffer In { VEC inputs[]; } w;
layout(push_constant) uniform Push { uint count; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i == 0) {
    o.srcSize = uint(imageSize(src));
    o.dstSize = uint(imageSize(dst));
  }
  if (i < p.count) {
    o.values[i] = imageLoad(src, int(i));
    imageStore(dst, int(i), w.inputs[i]);
  }
}
