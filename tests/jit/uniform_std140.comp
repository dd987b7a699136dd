// A std140 uniform buffer: padded arrays, vec3 + float packing, a column-major mat4, structs.
#version 450
layout(local_size_x = 4) in;
struct Light {
  vec3 position;
  float intensity;
};
layout(std140, set = 0, binding = 0) uniform Scene {
  float weights[4];  // offset 0, stride 16
  vec3 direction;    // 64
  float bias;        // 76
  mat4 transform;    // 80, MatrixStride 16
  Light lights[2];   // 144, stride 16
  ivec2 range;       // 176
} scene;
layout(std430, set = 0, binding = 1) writeonly buffer Out { vec4 o[]; };

void main() {
  uint i = gl_LocalInvocationIndex;
  vec4 p = vec4(float(i), 1.0, 2.0, 1.0);
  o[i * 3u + 0u] = scene.transform * p;
  o[i * 3u + 1u] = vec4(scene.direction * scene.weights[i], scene.bias);
  Light light = scene.lights[i % 2u];
  o[i * 3u + 2u] = vec4(light.position, light.intensity + float(scene.range.x - scene.range.y));
}
