// A uniform texel buffer read texel by texel: texelFetch of each invocation's index, past the end
// too (robust access reads 0), and textureSize. Compiled once per sampled type: -DTEXTURE=
// textureBuffer|itextureBuffer|utextureBuffer -DVEC=vec4|ivec4|uvec4 (tests/CMakeLists.txt).
#version 450
#extension GL_EXT_samplerless_texture_functions : require
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform TEXTURE texels;
layout(set = 0, binding = 1) buffer Out {
  uint size;
  VEC values[];
} o;
layout(push_constant) uniform Push { uint count; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i == 0) o.size = uint(textureSize(texels));
  if (i < p.count) o.values[i] = texelFetch(texels, int(i));
}
