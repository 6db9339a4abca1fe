#include "pipescope/render/style.hpp"

namespace pipescope {

glm::vec4 notebook_colour(ColourGroup group, VisualState state) {
  // matplotlib's single-letter colours.
  constexpr glm::vec3 kBlue{0.0f, 0.0f, 1.0f}, kGreen{0.0f, 0.5f, 0.0f}, kRed{1.0f, 0.0f, 0.0f};
  constexpr glm::vec3 kYellow{0.75f, 0.75f, 0.0f}, kBlack{0.0f, 0.0f, 0.0f};
  constexpr float kFaceAlpha = 0.25f, kDimAlpha = 0.2f, kLitAlpha = 0.25f;
  // A weight gathered whole for use (FSDP, ZeRO 3): the notebook never lights a face.
  constexpr float kGatheredAlpha = 0.6f;
  if (group == ColourGroup::Face) {
    switch (state) {
      case VisualState::Blue: return {kBlue, kFaceAlpha};
      case VisualState::Lit: return {kBlue, kGatheredAlpha};
      case VisualState::Green: return {kGreen, kFaceAlpha};
      case VisualState::Red: return {kRed, kFaceAlpha};
      default: return glm::vec4(0.0f);
    }
  }
  const glm::vec3 rgb = group == ColourGroup::Flop ? kYellow : kBlack;
  switch (state) {
    case VisualState::Dim: return {rgb, kDimAlpha};
    case VisualState::Lit: return {rgb, kLitAlpha};
    default: return glm::vec4(0.0f);
  }
}

glm::vec3 rank_tint(int rank) {
  // matplotlib's tab10, without its blue, green and red (the faces' states).
  constexpr glm::vec3 kTints[kRankTints] = {
      {1.000f, 0.498f, 0.055f}, {0.580f, 0.404f, 0.741f}, {0.549f, 0.337f, 0.294f}, {0.890f, 0.467f, 0.761f},
      {0.498f, 0.498f, 0.498f}, {0.737f, 0.741f, 0.133f}, {0.090f, 0.745f, 0.812f}, {0.000f, 0.000f, 0.000f}};
  return kTints[rank % kRankTints];
}

glm::vec3 notebook_shading(ColourGroup group) {
  // Measured from the notebook's own polygons: 0.3 + 0.7 * (n . light + 1) / 2
  // with the normals its vertex order produces.
  if (group == ColourGroup::Face) return {0.8833f, 0.8833f, 0.7667f};
  return {0.8833f, 0.4167f, 0.7667f};
}

}  // namespace pipescope
