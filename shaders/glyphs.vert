#version 330 core
// Text that keeps its size on screen: each instance is one glyph quad,
// anchored at a world point and offset in pixels.

layout(location = 0) in vec3 a_anchor;
layout(location = 1) in vec4 a_rect_px;  // x0, y0, x1, y1 relative to the anchor (y up)
layout(location = 2) in vec4 a_uv;       // u0, v0, u1, v1 in the atlas

uniform mat4 u_view_proj;
uniform vec2 u_viewport;  // pixels

out vec2 v_uv;

const vec2 kCorners[6] = vec2[](vec2(0, 0), vec2(1, 0), vec2(1, 1), vec2(0, 0), vec2(1, 1), vec2(0, 1));

void main() {
  vec2 c = kCorners[gl_VertexID];
  vec4 p = u_view_proj * vec4(a_anchor, 1.0);
  // Snap the anchor to whole pixels so glyphs stay crisp.
  vec2 anchor_px = floor((p.xy / p.w * 0.5 + 0.5) * u_viewport + 0.5);
  vec2 px = anchor_px + mix(a_rect_px.xy, a_rect_px.zw, c);
  gl_Position = vec4((px / u_viewport * 2.0 - 1.0) * p.w, p.z, p.w);
  v_uv = mix(a_uv.xy, a_uv.zw, c);
}
