#include <gtest/gtest.h>

#include "pipescope/render/camera.hpp"
#include "pipescope/animate/scene.hpp"
#include "support.hpp"

namespace pipescope {
namespace {

glm::vec2 to_ndc(const Camera& c, float aspect, glm::vec3 p) {
  const glm::vec4 clip = c.view_projection(aspect) * glm::vec4(p, 1.0f);
  return glm::vec2(clip) / clip.w;
}

TEST(Camera, NotebookPresetIsMatplotlibsDefaultView) {
  Camera c;
  c.set_preset(ViewPreset::Notebook);
  EXPECT_FLOAT_EQ(c.elevation, 30.0f);
  EXPECT_FLOAT_EQ(c.azimuth, -60.0f);
  // matplotlib puts the eye at +x, -y, +z of the centre for this view.
  const glm::vec3 d = c.eye() - c.target;
  EXPECT_GT(d.x, 0.0f);
  EXPECT_LT(d.y, 0.0f);
  EXPECT_GT(d.z, 0.0f);
}

TEST(Camera, FitKeepsEveryCornerOnScreen) {
  const Layout layout(Params{});
  for (ViewPreset v : {ViewPreset::Notebook, ViewPreset::Front, ViewPreset::Top, ViewPreset::Side}) {
    for (Projection p : {Projection::Perspective, Projection::Orthographic}) {
      for (float aspect : {0.5f, 1.0f, 16.0f / 9.0f}) {
        Camera c;
        c.projection = p;
        c.set_preset(v);
        const Box b = layout.bounds();
        c.fit(b, aspect);
        float widest = 0.0f;
        for (int i = 0; i < 8; ++i) {
          const glm::vec3 corner((i & 1) ? b.hi[0] : b.lo[0], (i & 2) ? b.hi[1] : b.lo[1], (i & 4) ? b.hi[2] : b.lo[2]);
          const glm::vec2 ndc = to_ndc(c, aspect, corner);
          EXPECT_LE(std::abs(ndc.x), 1.0f) << view_preset_name(v);
          EXPECT_LE(std::abs(ndc.y), 1.0f) << view_preset_name(v);
          widest = std::max({widest, std::abs(ndc.x), std::abs(ndc.y)});
        }
        EXPECT_GT(widest, 0.8f) << "the scene fills the view: " << view_preset_name(v);
      }
    }
  }
}

// An orbit video (--orbit 360) of a long real-model scene: fitted for the
// whole turn, every corner of the scene stays on screen at every azimuth
// (fitted for its first view only, the scene left the frame on the way).
TEST(Camera, AnOrbitFitKeepsTheSceneInViewAllTheWayRound) {
  const Params p = pipescope::testing::gpt_6_7b_on_pp4();
  ASSERT_TRUE(validate(p).empty());
  const Layout layout(p);
  const Box b = layout.bounds();
  const float aspect = 16.0f / 9.0f;
  Camera once, orbit;
  once.fit(b, aspect);
  orbit.fit_orbit(b, aspect, 360.0f);
  bool once_left = false;
  for (int deg = 0; deg <= 360; ++deg) {
    Camera a = orbit, o = once;
    a.azimuth += static_cast<float>(deg);
    o.azimuth += static_cast<float>(deg);
    for (int i = 0; i < 8; ++i) {
      const glm::vec3 corner((i & 1) ? b.hi[0] : b.lo[0], (i & 2) ? b.hi[1] : b.lo[1], (i & 4) ? b.hi[2] : b.lo[2]);
      const glm::vec2 ndc = to_ndc(a, aspect, corner);
      EXPECT_LE(std::abs(ndc.x), 1.0f) << deg << " degrees";
      EXPECT_LE(std::abs(ndc.y), 1.0f) << deg << " degrees";
      const glm::vec2 first = to_ndc(o, aspect, corner);
      once_left = once_left || std::abs(first.x) > 1.0f || std::abs(first.y) > 1.0f;
    }
  }
  EXPECT_TRUE(once_left) << "the scene is long enough that a camera fitted once loses it";
  EXPECT_EQ(orbit.azimuth, once.azimuth);
}

TEST(Camera, ZoomTowardTheCursorKeepsThePointUnderIt) {
  for (Projection p : {Projection::Perspective, Projection::Orthographic}) {
    Camera c;
    c.projection = p;
    c.target = {10.0f, 20.0f, 0.0f};
    c.distance = 80.0f;
    const glm::vec2 cursor(0.4f, -0.3f);
    // The point on the target plane under the cursor, before zooming.
    const glm::vec3 f = c.forward();
    const glm::vec3 right = glm::normalize(glm::cross(f, glm::vec3(0, 0, 1)));
    const glm::vec3 up = glm::cross(right, f);
    const float h = c.half_height_at_target();
    const glm::vec3 under = c.target + right * (cursor.x * h * 1.5f) + up * (cursor.y * h);
    c.zoom_toward(0.5f, cursor, 1.5f);
    EXPECT_NEAR(c.distance, 40.0f, 1e-4);
    const glm::vec2 after = to_ndc(c, 1.5f, under);
    EXPECT_NEAR(after.x, cursor.x, 1e-4);
    EXPECT_NEAR(after.y, cursor.y, 1e-4);
  }
}

TEST(Camera, OrbitTurnsAndClampsElevation) {
  Camera c;
  c.orbit(100.0f, 0.0f);
  EXPECT_FLOAT_EQ(c.azimuth, -90.0f);
  c.orbit(0.0f, 10000.0f);
  EXPECT_LT(c.elevation, 90.0f);
  EXPECT_GT(c.elevation, 89.0f);
}

TEST(Camera, PanMovesTheTargetAcrossTheScreen) {
  Camera c;
  const glm::vec3 before = c.target;
  c.pan(100.0f, 0.0f, 1000.0f);
  const glm::vec2 ndc = to_ndc(c, 1.0f, before);
  EXPECT_NEAR(ndc.x, 0.2f, 1e-4) << "the old target moved right by 100 of 1000 pixels";
  EXPECT_NEAR(ndc.y, 0.0f, 1e-4);
}

TEST(Camera, PresetNamesRoundTrip) {
  for (ViewPreset v : {ViewPreset::Notebook, ViewPreset::Front, ViewPreset::Top, ViewPreset::Side}) {
    ViewPreset parsed{};
    ASSERT_TRUE(parse_view_preset(view_preset_name(v), parsed));
    EXPECT_EQ(parsed, v);
  }
  ViewPreset unused{};
  EXPECT_FALSE(parse_view_preset("iso", unused));
}

}  // namespace
}  // namespace pipescope
