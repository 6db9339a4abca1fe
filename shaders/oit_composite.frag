#version 330 core
// Resolves weighted blended order-independent transparency: the weighted
// average colour, covering 1 - (product of 1 - alpha), as premultiplied
// "over" onto what the target already holds (background, axis arrows).

uniform sampler2D u_accum;   // rgb: sum of colour * weight; a: product of (1 - alpha)
uniform sampler2D u_weight;  // r: sum of alpha * weight

out vec4 o_colour;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 accum = texelFetch(u_accum, p, 0);
  float coverage = 1.0 - accum.a;
  if (coverage <= 0.0) discard;
  vec3 average = accum.rgb / max(texelFetch(u_weight, p, 0).r, 1e-5);
  o_colour = vec4(average * coverage, coverage);
}
