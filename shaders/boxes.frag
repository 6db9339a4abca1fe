#version 330 core
// A translucent quad with matplotlib's look: the fill at the quad's alpha
// and, over it, an edge line of the same alpha in the unshaded colour.
// Output is premultiplied alpha (blend ONE, ONE_MINUS_SRC_ALPHA), so a
// transparent background composites correctly.

in vec2 v_uv;
flat in vec4 v_fill;
flat in vec4 v_edge;

uniform float u_edge_px;  // edge width inside the quad, in pixels; 0 = none

out vec4 o_colour;

void main() {
  vec4 fill = vec4(v_fill.rgb * v_fill.a, v_fill.a);
  if (u_edge_px > 0.0) {
    vec2 px = min(v_uv, 1.0 - v_uv) / max(fwidth(v_uv), vec2(1e-6));
    float edge = 1.0 - smoothstep(u_edge_px - 0.5, u_edge_px + 0.5, min(px.x, px.y));
    vec4 line = vec4(v_edge.rgb * v_edge.a, v_edge.a) * edge;
    fill = line + fill * (1.0 - line.a);
  }
  o_colour = fill;
}
