#version 330 core
// A translucent quad with matplotlib's look: the fill at the quad's alpha
// and, over it, an edge line of the same alpha in the unshaded colour.
// Output is premultiplied alpha (blend ONE, ONE_MINUS_SRC_ALPHA), so a
// transparent background composites correctly.
//
// With u_order_independent the quad instead goes into weighted blended
// order-independent transparency (McGuire and Bavoil 2013): colour times a
// depth weight is summed in o_colour.rgb, the weights in o_weight, and the
// coverage multiplied into o_colour.a (see OitPass for the blending).

in vec2 v_uv;
in float v_view_depth;
flat in vec4 v_fill;
flat in vec4 v_edge;

uniform float u_edge_px;  // edge width inside the quad, in pixels; 0 = none
uniform bool u_order_independent;
uniform float u_depth_scale;  // the scene's size: keeps weights in half-float range

layout(location = 0) out vec4 o_colour;
layout(location = 1) out float o_weight;

void main() {
  vec4 fill = vec4(v_fill.rgb * v_fill.a, v_fill.a);
  if (u_edge_px > 0.0) {
    vec2 px = min(v_uv, 1.0 - v_uv) / max(fwidth(v_uv), vec2(1e-6));
    float edge = 1.0 - smoothstep(u_edge_px - 0.5, u_edge_px + 0.5, min(px.x, px.y));
    vec4 line = vec4(v_edge.rgb * v_edge.a, v_edge.a) * edge;
    fill = line + fill * (1.0 - line.a);
  }
  if (u_order_independent) {
    // Nearer fragments weigh more; the scale keeps sums of hundreds of
    // layers finite in 16-bit floats.
    float z = v_view_depth / u_depth_scale;
    float w = fill.a * clamp(0.03 / (1e-5 + pow(z, 4.0)), 1e-2, 3e3);
    o_colour = vec4(fill.rgb * w, fill.a);
    o_weight = fill.a * w;
  } else {
    o_colour = fill;
    o_weight = 0.0;
  }
}
