#include "pipescope/render/camera.hpp"

#include <algorithm>
#include <cmath>

#include <glm/gtc/matrix_transform.hpp>

namespace pipescope {

namespace {
constexpr float kMaxElevation = 89.5f;  // keeps the up vector well defined
constexpr glm::vec3 kUp{0.0f, 0.0f, 1.0f};
}  // namespace

bool parse_view_preset(std::string_view name, ViewPreset& out) {
  for (ViewPreset v : {ViewPreset::Notebook, ViewPreset::Front, ViewPreset::Top, ViewPreset::Side}) {
    if (name == view_preset_name(v)) {
      out = v;
      return true;
    }
  }
  return false;
}

std::string_view view_preset_name(ViewPreset v) {
  switch (v) {
    case ViewPreset::Notebook: return "notebook";
    case ViewPreset::Front: return "front";
    case ViewPreset::Top: return "top";
    case ViewPreset::Side: return "side";
  }
  return "";
}

glm::vec3 Camera::forward() const {
  const float az = glm::radians(azimuth), el = glm::radians(elevation);
  // matplotlib: the eye sits at (cos el cos az, cos el sin az, sin el) from the centre.
  return -glm::vec3(std::cos(el) * std::cos(az), std::cos(el) * std::sin(az), std::sin(el));
}

glm::vec3 Camera::eye() const { return target - forward() * distance; }

glm::mat4 Camera::view() const { return glm::lookAt(eye(), target, kUp); }

float Camera::half_height_at_target() const {
  return distance * std::tan(glm::radians(fov_y) * 0.5f);
}

glm::mat4 Camera::projection_matrix(float aspect) const {
  // Depth range generous enough for any fitted scene; depth is not tested
  // (translucent objects are drawn sorted), it only needs to clip sanely.
  const float near_plane = std::max(distance * 0.01f, 1e-3f);
  const float far_plane = distance * 100.0f + 1.0f;
  if (projection == Projection::Orthographic) {
    const float h = half_height_at_target();
    return glm::ortho(-h * aspect, h * aspect, -h, h, -far_plane, far_plane);
  }
  return glm::perspective(glm::radians(fov_y), aspect, near_plane, far_plane);
}

void Camera::fit(const Box& b, float aspect) {
  const glm::vec3 lo(b.lo[0], b.lo[1], b.lo[2]), hi(b.hi[0], b.hi[1], b.hi[2]);
  target = (lo + hi) * 0.5f;
  // Fit the projected box: distance such that every corner is inside the
  // frustum with a 5 % margin.
  const glm::vec3 f = forward();
  const glm::vec3 right = glm::normalize(glm::cross(f, kUp));
  const glm::vec3 up = glm::cross(right, f);
  const float t = std::tan(glm::radians(fov_y) * 0.5f) * 0.95f;
  float needed = 1e-3f;
  for (int i = 0; i < 8; ++i) {
    const glm::vec3 c((i & 1) ? hi.x : lo.x, (i & 2) ? hi.y : lo.y, (i & 4) ? hi.z : lo.z);
    const glm::vec3 d = c - target;
    // Perspective: a corner farther along the view may sit wider. Orthographic
    // views are as wide at every depth.
    const float along = projection == Projection::Orthographic ? 0.0f : glm::dot(d, f);
    const float x = std::abs(glm::dot(d, right)), y = std::abs(glm::dot(d, up));
    // A corner at lateral offset x fits when (distance + along) * t * aspect >= x.
    needed = std::max(needed, x / (t * aspect) - along);
    needed = std::max(needed, y / t - along);
  }
  distance = needed;
}

void Camera::fit_orbit(const Box& b, float aspect, float degrees) {
  const float start = azimuth;
  // The fit varies smoothly with azimuth: a step of 2 degrees misses at
  // most a hair, which fit's 5 % margin covers.
  const int steps = std::max(1, static_cast<int>(std::ceil(std::abs(degrees) / 2.0f)));
  float farthest = 0.0f;
  for (int k = 0; k <= steps; ++k) {
    azimuth = start + degrees * static_cast<float>(k) / static_cast<float>(steps);
    fit(b, aspect);
    farthest = std::max(farthest, distance);
  }
  azimuth = start;
  distance = farthest;
}

void Camera::set_preset(ViewPreset preset) {
  switch (preset) {
    case ViewPreset::Notebook: azimuth = -60.0f, elevation = 30.0f; break;
    case ViewPreset::Front: azimuth = -90.0f, elevation = 0.0f; break;
    case ViewPreset::Top: azimuth = -90.0f, elevation = kMaxElevation; break;
    case ViewPreset::Side: azimuth = 0.0f, elevation = 0.0f; break;
  }
}

void Camera::orbit(float dx_px, float dy_px) {
  constexpr float kDegreesPerPixel = 0.3f;
  azimuth = std::fmod(azimuth - dx_px * kDegreesPerPixel, 360.0f);
  elevation = std::clamp(elevation + dy_px * kDegreesPerPixel, -kMaxElevation, kMaxElevation);
}

void Camera::pan(float dx_px, float dy_px, float viewport_height) {
  const glm::vec3 f = forward();
  const glm::vec3 right = glm::normalize(glm::cross(f, kUp));
  const glm::vec3 up = glm::cross(right, f);
  const float world_per_px = 2.0f * half_height_at_target() / std::max(viewport_height, 1.0f);
  target += (-dx_px * right + dy_px * up) * world_per_px;
}

void Camera::zoom_toward(float factor, glm::vec2 ndc, float aspect) {
  // The point under the cursor on the plane through the target stays put.
  const glm::vec3 f = forward();
  const glm::vec3 right = glm::normalize(glm::cross(f, kUp));
  const glm::vec3 up = glm::cross(right, f);
  const float h = half_height_at_target();
  const glm::vec3 under_cursor = target + right * (ndc.x * h * aspect) + up * (ndc.y * h);
  target = under_cursor + (target - under_cursor) * factor;
  distance *= factor;
}

}  // namespace pipescope
