// Tier 2: OpenGL on a headless context (EGL, llvmpipe in CI). Checks what
// a person would see: colours where the camera projects objects, and an
// image comparison against a committed reference with a stated tolerance.
#include <gtest/gtest.h>

#include "image_compare.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "pipescope/export/png.hpp"
#include "pipescope/render/font.hpp"
#include "pipescope/gl/gl_check.hpp"
#include "pipescope/gl/headless_context.hpp"
#include "pipescope/gl/program.hpp"
#include "pipescope/render/still.hpp"
#include "pipescope/animate/scene.hpp"

namespace pipescope {
namespace {

constexpr int kSize = 400;

class RenderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    context_ = std::make_unique<gl::HeadlessContext>();
    font_ = std::make_unique<FontAtlas>(find_font_file("DejaVu Sans"), 14.0f);
  }
  static void TearDownTestSuite() {
    font_.reset();
    context_.reset();
  }

  // The notebook's view of `scene` at `frame`, labels and arrows off unless asked.
  Image render(Scene& scene, std::uint32_t frame, RenderStyle style = plain()) {
    scene.playhead().seek(frame);
    SceneRenderer renderer(font_.get());
    renderer.set_scene(scene.layout(), scene.playhead());
    camera_ = fitted_camera(scene.layout(), ViewPreset::Notebook, Projection::Perspective, 1.0f);
    return render_still(renderer, camera_, kSize, kSize, style);
  }

  static RenderStyle plain() {
    RenderStyle s;
    s.labels = false;
    s.axes = false;
    s.edges = false;
    return s;
  }

  // Pixel (row 0 at the top) under the centre of an object's box.
  glm::ivec2 project_centre(const Layout& layout, ObjectIndex i) const {
    const Box& b = layout[i].box;
    const glm::vec4 c(0.5 * (b.lo[0] + b.hi[0]), 0.5 * (b.lo[1] + b.hi[1]), 0.5 * (b.lo[2] + b.hi[2]), 1.0);
    const glm::vec4 clip = camera_.view_projection(1.0f) * c;
    const glm::vec2 ndc = glm::vec2(clip) / clip.w;
    return {static_cast<int>((ndc.x * 0.5f + 0.5f) * kSize), static_cast<int>((0.5f - ndc.y * 0.5f) * kSize)};
  }

  static glm::ivec3 pixel(const Image& img, glm::ivec2 p) {
    const std::size_t i = (static_cast<std::size_t>(p.y) * img.width + p.x) * 4;
    return {img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]};
  }

  static std::unique_ptr<gl::HeadlessContext> context_;
  static std::unique_ptr<FontAtlas> font_;
  Camera camera_;
};

std::unique_ptr<gl::HeadlessContext> RenderTest::context_;
std::unique_ptr<FontAtlas> RenderTest::font_;

// Colour classes by the dominant channel, with a margin so greys and
// near-white pixels count as none.
bool bluish(glm::ivec3 c) { return c.b > c.r + 40 && c.b > c.g + 40; }
// A shaded green face at alpha 0.25 over white is about (191, 215, 191).
bool greenish(glm::ivec3 c) { return c.g > c.r + 12 && c.g > c.b + 12; }
bool reddish(glm::ivec3 c) { return c.r > c.g + 40 && c.r > c.b + 40; }
bool yellowish(glm::ivec3 c) { return c.r > c.b + 25 && c.g > c.b + 25 && std::abs(c.r - c.g) < 30; }

std::vector<ObjectIndex> in_state(const Scene& scene, std::initializer_list<ObjectKind> kinds, VisualState s) {
  std::vector<ObjectIndex> out;
  for (ObjectIndex i = 0; i < scene.layout().size(); ++i) {
    if (scene.playhead().state(i) != s) continue;
    for (ObjectKind k : kinds) {
      if (scene.layout()[i].kind == k) out.push_back(i);
    }
  }
  return out;
}

int count_pixels(const Image& img, bool (*is)(glm::ivec3)) {
  int n = 0;
  for (std::size_t i = 0; i < img.rgba.size(); i += 4) n += is({img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]});
  return n;
}

#ifdef PIPESCOPE_GL_CHECKS
// Checked builds: a misspelt uniform is an error naming it, not a silent -1,
// and a GL error from an unchecked call is not blamed on the next checked one.
TEST_F(RenderTest, CheckedBuildsNameBadUniformsAndEarlierErrors) {
  const gl::ShaderProgram boxes("boxes.vert", "boxes.frag");
  EXPECT_GE(boxes.uniform("u_view_proj"), 0);
  try {
    boxes.uniform("u_veiw_proj");
    FAIL() << "a misspelt uniform was accepted";
  } catch (const gl::GlError& e) {
    EXPECT_NE(std::string(e.what()).find("u_veiw_proj"), std::string::npos) << e.what();
  }
  glBindBuffer(GL_ARRAY_BUFFER, 4242424);  // unchecked, and invalid
  try {
    GL_CHECK(glBindBuffer(GL_ARRAY_BUFFER, 0));
    FAIL() << "the earlier error went unseen";
  } catch (const gl::GlError& e) {
    EXPECT_NE(std::string(e.what()).find("unchecked GL call made before"), std::string::npos) << e.what();
  }
}
#endif

TEST_F(RenderTest, FrameZeroShowsBlueWeightsAndNothingGreenOrRed) {
  Scene scene(Params{});
  const Image img = render(scene, 0);
  const auto weights = in_state(scene, {ObjectKind::Weight1, ObjectKind::Weight2}, VisualState::Blue);
  ASSERT_EQ(weights.size(), 24u);
  for (ObjectIndex w : weights) {
    const glm::ivec2 p = project_centre(scene.layout(), w);
    EXPECT_TRUE(bluish(pixel(img, p))) << scene.layout().id(w) << " at " << p.x << "," << p.y;
  }
  EXPECT_EQ(count_pixels(img, greenish), 0);
  EXPECT_EQ(count_pixels(img, reddish), 0);
  // The background is the notebook's white.
  EXPECT_EQ(pixel(img, {0, 0}), glm::ivec3(255, 255, 255));
}

TEST_F(RenderTest, ForwardFrameShowsGreenActivationsAndLitYellowCuboids) {
  Scene scene(Params{});
  const Image img = render(scene, 40);
  // Hidden-activation faces lie flat in x-y: wide enough from this view to hit.
  const auto greens = in_state(scene, {ObjectKind::Hidden}, VisualState::Green);
  const auto lit = in_state(scene, {ObjectKind::Flop1, ObjectKind::Flop2}, VisualState::Lit);
  ASSERT_FALSE(greens.empty());
  ASSERT_FALSE(lit.empty());
  // Overlapping translucent objects mix colours, so require most, not all.
  int green_hits = 0;
  for (ObjectIndex i : greens) green_hits += greenish(pixel(img, project_centre(scene.layout(), i)));
  EXPECT_GT(green_hits, static_cast<int>(greens.size()) * 6 / 10) << green_hits << " of " << greens.size();
  int yellow_hits = 0;
  for (ObjectIndex i : lit) yellow_hits += yellowish(pixel(img, project_centre(scene.layout(), i)));
  EXPECT_GT(yellow_hits, 0) << "no lit FLOP cuboid looks yellow where it is";
  EXPECT_EQ(count_pixels(img, reddish), 0);
}

TEST_F(RenderTest, WeightGradientFrameShowsRedWeights) {
  Scene scene(Params{});
  // The last frame: every weight holds its gradient.
  const std::uint32_t last = scene.timeline().last_frame();
  const Image img = render(scene, last);
  const auto red = in_state(scene, {ObjectKind::Weight1, ObjectKind::Weight2}, VisualState::Red);
  ASSERT_EQ(red.size(), 24u);
  for (ObjectIndex w : red) {
    EXPECT_TRUE(reddish(pixel(img, project_centre(scene.layout(), w)))) << scene.layout().id(w);
  }
  EXPECT_EQ(count_pixels(img, bluish), 0);
}

TEST_F(RenderTest, TransparentBackgroundKeepsAlpha) {
  Scene scene(Params{});
  RenderStyle style = plain();
  style.background.a = 0.0f;
  const Image img = render(scene, 0, style);
  EXPECT_EQ(img.rgba[3], 0) << "corner is transparent";
  const glm::ivec2 p = project_centre(scene.layout(), scene.layout().weight1(0, 0));
  const std::size_t i = (static_cast<std::size_t>(p.y) * img.width + p.x) * 4;
  EXPECT_GT(img.rgba[i + 3], 40) << "a weight face is partly opaque";
  EXPECT_LT(img.rgba[i + 3], 200);
  EXPECT_TRUE(bluish({img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]})) << "straight, not washed-out, colour";
}

TEST_F(RenderTest, LabelsAndArrowsDrawDarkPixels) {
  Scene scene(Params{});
  auto dark = [](glm::ivec3 c) { return c.r < 60 && c.g < 60 && c.b < 60; };
  const Image without = render(scene, 0);
  RenderStyle style = plain();
  style.labels = style.axes = true;
  const Image with = render(scene, 0, style);
  int n_without = 0, n_with = 0;
  for (std::size_t i = 0; i < with.rgba.size(); i += 4) {
    n_without += dark({without.rgba[i], without.rgba[i + 1], without.rgba[i + 2]});
    n_with += dark({with.rgba[i], with.rgba[i + 1], with.rgba[i + 2]});
  }
  EXPECT_EQ(n_without, 0);
  EXPECT_GT(n_with, 300) << "labels and arrows are black";
}

// llvmpipe versions and font hinting move edges and glyphs by a pixel.
constexpr pipescope::testing::ImageTolerance kSceneTolerance{48, 0.01, "llvmpipe versions, font hinting at edges"};

TEST_F(RenderTest, MatchesReferenceImageOfFrame120) {
  Scene scene(Params{});
  RenderStyle style;  // everything on: labels, arrows, edges
  pipescope::testing::expect_image(render(scene, 120, style), "notebook-frame-120", kSceneTolerance);
}

// Baselines for each look: order-independent transparency, orthographic,
// a zoo schedule on a real model.
TEST_F(RenderTest, MatchesBaselineWithOrderIndependentTransparency) {
  Scene scene(Params{});
  RenderStyle style;
  style.order_independent = true;
  // Weighted blending sums in half floats: a little more room than sorting.
  pipescope::testing::expect_image(render(scene, 120, style), "notebook-frame-120-oit",
                                   {48, 0.015, "llvmpipe versions, half-float accumulation, font hinting"});
}

TEST_F(RenderTest, MatchesBaselineOrthographic) {
  Scene scene(Params{});
  scene.playhead().seek(120);
  SceneRenderer renderer(font_.get());
  renderer.set_scene(scene.layout(), scene.playhead());
  const Camera camera = fitted_camera(scene.layout(), ViewPreset::Notebook, Projection::Orthographic, 1.0f);
  pipescope::testing::expect_image(render_still(renderer, camera, kSize, kSize, RenderStyle{}),
                                   "notebook-frame-120-orthographic", kSceneTolerance);
}

TEST_F(RenderTest, MatchesBaselineOfAZooScheduleOnATransformer) {
  Params p;
  p.model = CostModel::Transformer;
  p.schedule = ScheduleKind::ZBV;
  p.d_model = 1024;
  p.heads = 8;
  p.seq_len = 1024;
  p.pp = 2;
  p.L = 8;
  p.microbatches = 4;
  p.B = 8;
  Scene scene(p);
  RenderStyle style;
  pipescope::testing::expect_image(render(scene, scene.timeline().last_frame() / 2, style), "zb-v-transformer-middle",
                                   kSceneTolerance);
}

TEST_F(RenderTest, DirtyUpdatesMatchAFreshUpload) {
  // Stepping a renderer along must draw exactly what a fresh one draws.
  Scene scene(Params{});
  SceneRenderer stepped(nullptr);
  scene.playhead().seek(0);
  stepped.set_scene(scene.layout(), scene.playhead());
  const Camera cam = fitted_camera(scene.layout(), ViewPreset::Notebook, Projection::Perspective, 1.0f);
  for (int i = 0; i < 90; ++i) {
    scene.playhead().step_forward();
    stepped.update(scene.playhead());
  }
  EXPECT_LT(stepped.stats().state_uploads, 100u) << "a step uploads only what changed";
  const Image a = render_still(stepped, cam, kSize, kSize, plain());
  SceneRenderer fresh(nullptr);
  fresh.set_scene(scene.layout(), scene.playhead());
  const Image b = render_still(fresh, cam, kSize, kSize, plain());
  EXPECT_EQ(a.rgba, b.rgba);
  EXPECT_EQ(stepped.stats().visible_objects, fresh.stats().visible_objects);
}

TEST_F(RenderTest, OrderIndependentTransparencyLooksLikeSorting) {
  // Both composite the same translucent quads; only the order of blending
  // differs, so they agree almost everywhere (with labels and edges off).
  Scene scene(Params{});
  const Image sorted = render(scene, 120);
  RenderStyle style = plain();
  style.order_independent = true;
  const Image oit = render(scene, 120, style);
  ASSERT_EQ(sorted.rgba.size(), oit.rgba.size());
  std::size_t differing = 0, drawn = 0;
  for (std::size_t i = 0; i < sorted.rgba.size(); i += 4) {
    int worst = 0;
    for (int ch = 0; ch < 3; ++ch) worst = std::max(worst, std::abs(sorted.rgba[i + ch] - oit.rgba[i + ch]));
    differing += worst > 24;
    drawn += sorted.rgba[i] + sorted.rgba[i + 1] + sorted.rgba[i + 2] < 3 * 250;
  }
  EXPECT_GT(drawn, 10000u);
  EXPECT_LT(differing, drawn / 20) << differing << " of " << drawn << " drawn pixels differ";
  // The same checks a person would make hold with it too.
  const auto red = in_state(scene, {ObjectKind::Hidden}, VisualState::Red);
  int red_hits = 0;
  for (ObjectIndex i : red) red_hits += reddish(pixel(oit, project_centre(scene.layout(), i)));
  EXPECT_GT(red_hits, static_cast<int>(red.size()) / 2);
  style.background.a = 0.0f;
  EXPECT_EQ(render(scene, 120, style).rgba[3], 0) << "transparent background kept";
}

TEST_F(RenderTest, OrthographicAndPresetsRender) {
  Scene scene(Params{});
  scene.playhead().seek(40);  // activations too: weights alone are edge-on from top and side
  SceneRenderer renderer(nullptr);
  renderer.set_scene(scene.layout(), scene.playhead());
  auto drawn = [](glm::ivec3 c) { return c.r + c.g + c.b < 3 * 250; };
  for (ViewPreset v : {ViewPreset::Front, ViewPreset::Top, ViewPreset::Side}) {
    std::vector<std::uint8_t> previous;
    for (Projection p : {Projection::Perspective, Projection::Orthographic}) {
      SCOPED_TRACE(std::string(view_preset_name(v)) + (p == Projection::Orthographic ? " orthographic" : " perspective"));
      const Camera cam = fitted_camera(scene.layout(), v, p, 1.0f);
      const Image img = render_still(renderer, cam, 200, 200, plain());
      EXPECT_GT(count_pixels(img, drawn), 400);
      // Fitted: the scene fills much of the frame, centred, and nothing is cut
      // off at the edges.
      int x0 = 200, y0 = 200, x1 = -1, y1 = -1;
      for (int y = 0; y < 200; ++y) {
        for (int x = 0; x < 200; ++x) {
          const std::size_t i = (static_cast<std::size_t>(y) * 200 + x) * 4;
          if (!drawn({img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]})) continue;
          x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        }
      }
      ASSERT_GE(x1, 0);
      EXPECT_GE(std::max(x1 - x0, y1 - y0), 100) << "fills at least half the frame one way";
      EXPECT_TRUE(x0 > 0 && y0 > 0 && x1 < 199 && y1 < 199) << "not cut off: " << x0 << "," << y0 << " " << x1 << "," << y1;
      EXPECT_NEAR((x0 + x1) / 2.0, 100.0, 50.0);
      EXPECT_NEAR((y0 + y1) / 2.0, 100.0, 50.0);
      EXPECT_NE(img.rgba, previous) << "the two projections draw different pictures";
      previous = img.rgba;
    }
  }
}

}  // namespace
}  // namespace pipescope

namespace pipescope {
namespace {

TEST_F(RenderTest, MergedMicrobatchesLookLikeEveryObjectDrawn) {
  // The large scene from afar: its 64 microbatches are a pixel or two tall,
  // so they merge. The picture keeps its colours where they were (edges
  // between microbatches go), at a small share of the quads.
  Params p;
  p.dp = 8;
  p.pp = 8;
  p.L = 64;
  p.microbatches = 64;
  Scene scene(p);
  const std::uint32_t frame = 1476;  // mid-step: forwards, backwards and sends in flight
  RenderStyle full = plain();
  full.level_of_detail = false;
  scene.playhead().seek(frame);
  SceneRenderer renderer(nullptr);
  renderer.set_scene(scene.layout(), scene.playhead());
  const Camera cam = fitted_camera(scene.layout(), ViewPreset::Notebook, Projection::Perspective, 1.0f);
  ASSERT_LT(microbatch_pixels(scene.layout(), cam, kSize), kMergeMicrobatchesBelowPx);
  const Image every = render_still(renderer, cam, kSize, kSize, full);
  const std::size_t every_quads = renderer.stats().quads;
  const Image merged = render_still(renderer, cam, kSize, kSize, plain());
  const std::size_t merged_quads = renderer.stats().quads;
  EXPECT_LT(merged_quads * 10, every_quads) << merged_quads << " quads merged, " << every_quads << " every object";
  std::size_t drawn = 0, class_changed = 0;
  for (std::size_t i = 0; i < every.rgba.size(); i += 4) {
    const glm::ivec3 a(every.rgba[i], every.rgba[i + 1], every.rgba[i + 2]);
    const glm::ivec3 b(merged.rgba[i], merged.rgba[i + 1], merged.rgba[i + 2]);
    const bool a_drawn = a.r + a.g + a.b < 3 * 250, b_drawn = b.r + b.g + b.b < 3 * 250;
    drawn += a_drawn;
    class_changed += a_drawn != b_drawn || bluish(a) != bluish(b) || greenish(a) != greenish(b) ||
                     reddish(a) != reddish(b);
  }
  EXPECT_GT(drawn, 5000u);
  EXPECT_LT(class_changed, drawn / 20) << class_changed << " of " << drawn << " drawn pixels changed colour class";
  // Close in, a microbatch is tall again: every object is drawn.
  Camera close = cam;
  close.distance /= 400.0f;
  ASSERT_GT(microbatch_pixels(scene.layout(), close, kSize), kMergeMicrobatchesBelowPx);
  render_still(renderer, close, kSize, kSize, plain());
  EXPECT_EQ(renderer.stats().drawn_boxes, renderer.stats().visible_objects);

  // Stepped while merged (the objects' states then wait on the CPU), then
  // seen close: exactly what a fresh renderer draws there.
  render_still(renderer, cam, kSize, kSize, plain());
  for (int i = 0; i < 60; ++i) {
    scene.playhead().step_forward();
    renderer.update(scene.playhead());
  }
  render_still(renderer, cam, kSize, kSize, plain());
  const Image stepped = render_still(renderer, close, kSize, kSize, plain());
  SceneRenderer fresh(nullptr);
  fresh.set_scene(scene.layout(), scene.playhead());
  EXPECT_EQ(stepped.rgba, render_still(fresh, close, kSize, kSize, plain()).rgba);
}

}  // namespace
}  // namespace pipescope
