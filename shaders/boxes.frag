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
in vec3 v_box;
flat in vec4 v_cut;
flat in vec2 v_piece;

uniform float u_edge_px;  // edge width inside the quad, in pixels; 0 = none
uniform bool u_order_independent;
uniform float u_depth_scale;  // the scene's size: keeps weights in half-float range

layout(location = 0) out vec4 o_colour;
layout(location = 1) out float o_weight;

// A GPU's colour: hues a golden-ratio turn apart, so neighbouring ranks
// (a tp group) differ most, and 64 in view stay apart.
vec3 gpu_colour(float gpu) {
  float h = fract(gpu * 0.6180339887) * 6.0;
  vec3 rgb = clamp(abs(mod(h + vec3(0.0, 4.0, 2.0), 6.0) - 3.0) - 1.0, 0.0, 1.0);
  return mix(vec3(1.0), rgb, 0.8) * 0.85;
}

void main() {
  vec4 base = v_fill;
  float cut_line = 0.0;
  if (v_cut.x * v_cut.y > 1.5 || v_cut.z >= 0.0) {
    // Which piece of the cut this fragment is on, and whether it is on a
    // cut between two pieces (a thin line in the piece's edge colour).
    vec2 cells = v_box.xy * v_cut.xy;
    vec2 piece = min(floor(cells), v_cut.xy - 1.0);
    if (v_cut.z >= 0.0) {
      vec3 tint = gpu_colour(v_cut.z + piece.x + piece.y * v_cut.w);
      base.rgb = mix(base.rgb, tint * v_piece.x, v_piece.y);
    }
    // Cuts closer than 3 pixels would be a smear of lines: only the tint then.
    vec2 w = fwidth(cells);
    for (int a = 0; a < 2; ++a) {
      if (v_cut[a] < 1.5 || w[a] < 1e-6 || w[a] > 0.34) continue;  // uncut, edge-on, or too fine
      float nearest = floor(cells[a] + 0.5);
      if (nearest < 0.5 || nearest > v_cut[a] - 0.5) continue;  // the box's own edge
      cut_line = max(cut_line, 1.0 - smoothstep(0.5, 1.5, abs(cells[a] - nearest) / w[a]));
    }
  }
  vec4 fill = vec4(base.rgb * base.a, base.a);
  if (cut_line > 0.0) {
    vec4 line = vec4(v_edge.rgb * 0.6 * max(v_edge.a, 0.5), max(v_edge.a, 0.5)) * cut_line;
    fill = line + fill * (1.0 - line.a);
  }
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
