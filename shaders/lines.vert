#version 330 core
// Screen-space thick lines (core profile lines are 1 px): each instance is
// a segment expanded into a quad of u_width_px.

layout(location = 0) in vec3 a_from;
layout(location = 1) in vec3 a_to;
layout(location = 2) in vec4 a_colour;

uniform mat4 u_view_proj;
uniform vec2 u_viewport;
uniform float u_width_px;

flat out vec4 v_colour;

void main() {
  vec4 a = u_view_proj * vec4(a_from, 1.0);
  vec4 b = u_view_proj * vec4(a_to, 1.0);
  vec2 sa = a.xy / a.w * u_viewport;
  vec2 sb = b.xy / b.w * u_viewport;
  vec2 dir = sb - sa;
  vec2 normal = length(dir) > 0.0 ? normalize(vec2(-dir.y, dir.x)) : vec2(0.0, 1.0);
  int v = gl_VertexID;  // 0..5: two triangles
  bool at_b = (v == 1 || v == 2 || v == 4);
  float s = (v == 2 || v == 4 || v == 5) ? 1.0 : -1.0;
  vec4 p = at_b ? b : a;
  p.xy += normal * s * u_width_px / u_viewport * p.w;
  gl_Position = p;
  v_colour = a_colour;
}
