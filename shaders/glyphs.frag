#version 330 core
in vec2 v_uv;
uniform sampler2D u_atlas;  // R8 coverage
uniform vec4 u_colour;
out vec4 o_colour;
void main() {
  float a = texture(u_atlas, v_uv).r * u_colour.a;
  o_colour = vec4(u_colour.rgb * a, a);
}
