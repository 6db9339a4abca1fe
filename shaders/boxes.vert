#version 330 core
// One instance is one quad of one scene object: a face object's single
// quad, or one of a cuboid's six sides. Instances arrive sorted back to
// front; a cuboid's three far sides come before its three near ones, so
// plain "over" blending composites them in painter's order.

// (object index << 3) | side: side 0-2 far side on axis 0-2, 3-5 near
// side on axis 0-2, 6 the flat quad of a face object.
layout(location = 0) in uint a_item;

uniform samplerBuffer u_boxes;   // per object: (lo.xyz, colour group), (hi.xyz, flat axis),
                                 // (pieces along x, along y, first GPU or -1, GPU stride along y)
uniform usamplerBuffer u_states; // per object: VisualState
uniform mat4 u_view_proj;
uniform vec3 u_eye;              // perspective: which side of a box faces the eye
uniform vec3 u_forward;          // orthographic: the view direction
uniform bool u_orthographic;
uniform vec4 u_palette[18];      // [colour group * 6 + state]: rgb, alpha
uniform vec3 u_shade[3];         // [colour group]: per-axis shading of a side's normal
uniform vec3 u_rank_tint[8];     // edge colours of the weights each rank holds

out vec2 v_uv;
out float v_view_depth;  // distance along the view, for order-independent weights
flat out vec4 v_fill;   // shaded, as matplotlib shades a surface
flat out vec4 v_edge;   // unshaded, as matplotlib draws edges
out vec3 v_box;          // where in its box, 0-1 on each axis: which piece
flat out vec4 v_cut;     // the box's third texel: how the run cuts it
flat out vec2 v_piece;   // this side's shading, and how far a piece's GPU colour tints it

const vec2 kCorners[6] = vec2[](vec2(0, 0), vec2(1, 0), vec2(1, 1), vec2(0, 0), vec2(1, 1), vec2(0, 1));

void main() {
  int object = int(a_item >> 3u);
  int side = int(a_item & 7u);
  vec4 t0 = texelFetch(u_boxes, 3 * object);
  vec4 t1 = texelFetch(u_boxes, 3 * object + 1);
  v_cut = texelFetch(u_boxes, 3 * object + 2);
  vec3 lo = t0.xyz;
  vec3 hi = t1.xyz;
  int code = int(t0.w);  // colour group, plus 4 x (1 + rank tint) for tinted weights
  int group = code % 4;
  int tint = code / 4;
  uint state = texelFetch(u_states, object).r;

  int axis;
  bool high;
  if (side == 6) {
    axis = int(t1.w);
    high = false;
  } else {
    axis = side % 3;
    float toward_eye = u_orthographic ? -u_forward[axis] : u_eye[axis] - 0.5 * (lo[axis] + hi[axis]);
    bool near_side = side >= 3;
    high = (toward_eye > 0.0) == near_side;
  }
  int a1 = (axis + 1) % 3;
  int a2 = (axis + 2) % 3;
  vec2 c = kCorners[gl_VertexID];
  vec3 p;
  p[axis] = high ? hi[axis] : lo[axis];
  p[a1] = mix(lo[a1], hi[a1], c.x);
  p[a2] = mix(lo[a2], hi[a2], c.y);
  gl_Position = u_view_proj * vec4(p, 1.0);
  v_view_depth = u_orthographic ? dot(p - u_eye, u_forward) : distance(p, u_eye);
  v_uv = c;
  v_box = (p - lo) / max(hi - lo, vec3(1e-6));

  vec4 colour = u_palette[group * 6 + int(state)];
  v_fill = vec4(colour.rgb * u_shade[group][axis], colour.a);
  // A matmul's piece reads as its GPU's; a face keeps its state's colour
  // (weight, activation, gradient) first.
  v_piece = vec2(u_shade[group][axis], group == 1 ? 0.7 : 0.4);
  v_edge = colour;
  // A weight's edge takes its rank's colour, strong enough to read through the fill.
  if (tint > 0 && colour.a > 0.0) v_edge = vec4(u_rank_tint[(tint - 1) % 8], 0.9);
}
