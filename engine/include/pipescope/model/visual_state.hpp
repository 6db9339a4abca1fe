#pragma once
// What one scene object looks like at one instant: the notebook's set_color,
// make_grad, hide, show_solid, dim_solid and hide_solid reduced to one byte.

#include <cstdint>
#include <string_view>

namespace pipescope {

enum class VisualState : std::uint8_t {
  Hidden = 0,  // alpha 0: not drawn, not listed in a state dump
  Blue,        // face: a weight, untouched (matplotlib 'b')
  Green,       // face: an activation computed in the forward pass ('g')
  Red,         // face: a gradient; its label gains a leading nabla ('r')
  Dim,         // cuboid at alpha 0.2
  Lit,         // cuboid at alpha 0.25; a weight face gathered whole for use (FSDP)
};

inline constexpr int kVisualStateCount = 6;

// The name the state dump uses ("blue", "lit", ...); empty for Hidden.
constexpr std::string_view dump_name(VisualState s) {
  switch (s) {
    case VisualState::Hidden: return "";
    case VisualState::Blue: return "blue";
    case VisualState::Green: return "green";
    case VisualState::Red: return "red";
    case VisualState::Dim: return "dim";
    case VisualState::Lit: return "lit";
  }
  return "";
}

}  // namespace pipescope
