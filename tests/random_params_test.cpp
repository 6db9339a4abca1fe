// Randomized parameter sets, near and inside the caps, over every schedule:
// each either builds, renders one frame and dumps, or is refused with rules
// that each name a parameter that was given. Runs under the sanitizers in the
// README's test command. The seed is printed; PIPESCOPE_RANDOM_SEED replays one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <vector>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <streambuf>

#include "pipescope/render/font.hpp"
#include "pipescope/gl/headless_context.hpp"
#include "pipescope/render/still.hpp"
#include "pipescope/animate/scene.hpp"
#include "pipescope/analysis/state_dump.hpp"

namespace pipescope {
namespace {

// Takes the first `limit` bytes, then fails: a dump of a huge scene stops early.
class CappedBuffer : public std::streambuf {
 public:
  explicit CappedBuffer(std::size_t limit) : left_(limit) {}
  std::size_t written = 0;

 protected:
  int_type overflow(int_type c) override {
    if (left_ == 0) return traits_type::eof();
    --left_;
    ++written;
    return c;
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    const auto take = std::min<std::streamsize>(n, static_cast<std::streamsize>(left_));
    left_ -= static_cast<std::size_t>(take);
    written += static_cast<std::size_t>(take);
    return take;
  }

 private:
  std::size_t left_;
};

struct Drawn {
  Params params;
  std::set<std::string> given;  // notebook names of what was set
};

// One random set: each parameter kept at the notebook's default or drawn
// from small, moderate, near-cap or invalid values.
Drawn draw(std::mt19937_64& rng) {
  Drawn d;
  auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; };
  auto pick = [&](std::initializer_list<std::int64_t> values) {
    std::uniform_int_distribution<std::size_t> i(0, values.size() - 1);
    return *(values.begin() + static_cast<std::ptrdiff_t>(i(rng)));
  };
  auto maybe = [&](const char* name, std::int64_t& field, std::initializer_list<std::int64_t> values, double p) {
    if (!chance(p)) return;
    field = pick(values);
    d.given.insert(name);
  };
  Params& p = d.params;
  const auto& catalog = schedule_catalog();
  if (chance(0.85)) {
    p.schedule = catalog[std::uniform_int_distribution<std::size_t>(0, catalog.size() - 1)(rng)].kind;
    d.given.insert("schedule");
  }
  maybe("dp", p.dp, {1, 1, 2, 3, 8, 0, 222223}, 0.6);
  maybe("pp", p.pp, {1, 2, 3, 4, 8, 0}, 0.7);
  maybe("L", p.L, {1, 2, 4, 8, 12, 16, 24, 64, 7, 0, 166665}, 0.7);
  maybe("microbatches", p.microbatches, {1, 2, 5, 8, 12, 16, 64, 2000, 40000, 0, -3}, 0.7);
  maybe("d_model", p.d_model, {1, 4, 8, 33, 0, 9000000}, 0.3);
  maybe("B", p.B, {1, 7, 48, 50, 1000, 0, 20000000}, 0.3);
  maybe("dp_gpu_delta", p.dp_gpu_delta, {0, 3, 16, -1}, 0.2);
  maybe("pp_gpu_delta", p.pp_gpu_delta, {0, 5, 12, -2}, 0.2);
  maybe("pp_comm_steps", p.pp_comm_steps, {0, 1, 2, 5, 200000, -1}, 0.3);
  maybe("dp_comm_steps", p.dp_comm_steps, {0, 1, 2, 7, 2147483648, -1}, 0.3);
  maybe("cost_f", p.cost_f, {1, 2, 3, 0}, 0.2);
  maybe("cost_i", p.cost_i, {1, 2, 0}, 0.2);
  maybe("cost_w", p.cost_w, {1, 4, 100000}, 0.2);
  if (chance(0.3)) {
    p.chunks = pick({1, 2, 3, 4, 0, 100});
    d.given.insert("chunks");
  }
  if (chance(0.15)) {
    p.d_hidden = pick({1, 16, 40, 0, 9223372036854775807});
    d.given.insert("d_hidden");
  }
  // Most sets are coherent (layers a multiple of the stages, enough
  // microbatches for the schedule), so that many build; the rest probe rules.
  if (chance(0.7) && p.pp >= 1 && p.pp <= 8) {
    const std::int64_t v = p.chunks.value_or(schedule_info(p.schedule).default_chunks);
    if (v >= 1 && v <= 4) {
      p.L = p.pp * v * pick({1, 1, 2, 3});
      d.given.insert("L");
      if (p.microbatches < 2 * p.pp || p.microbatches > 64) {
        p.microbatches = 2 * p.pp * pick({1, 2});
        d.given.insert("microbatches");
      }
    }
  }
  return d;
}

std::string describe(const Drawn& d) {
  std::string s = std::string("schedule ") + std::string(schedule_info(d.params.schedule).name);
  const Params& p = d.params;
  s += " dp " + std::to_string(p.dp) + " pp " + std::to_string(p.pp) + " L " + std::to_string(p.L) +
       " microbatches " + std::to_string(p.microbatches) + " chunks " +
       (p.chunks ? std::to_string(*p.chunks) : std::string("-")) + " d_model " + std::to_string(p.d_model) +
       " B " + std::to_string(p.B) + " comm " + std::to_string(p.pp_comm_steps) + "/" +
       std::to_string(p.dp_comm_steps) + " costs " + std::to_string(p.cost_f) + "/" + std::to_string(p.cost_i) +
       "/" + std::to_string(p.cost_w);
  return s;
}

TEST(RandomParams, BuildRenderAndDumpOrAreRefusedNamingWhatWasGiven) {
  const char* env = std::getenv("PIPESCOPE_RANDOM_SEED");
  const std::uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 20261130;
  std::mt19937_64 rng(seed);
  gl::HeadlessContext context;
  const FontAtlas font(find_font_file("DejaVu Sans"), 14.0f);
  int built = 0, refused = 0;
  // Besides the random draws: the largest scenes the caps accept.
  std::vector<Drawn> near_caps(2);
  near_caps[0].params.dp = near_caps[0].params.pp = near_caps[0].params.L = 1;
  near_caps[0].params.microbatches = 124997;  // 999,999 frames
  near_caps[1].params.schedule = ScheduleKind::GPipe;
  near_caps[1].params.dp = near_caps[1].params.pp = 8;
  near_caps[1].params.L = 64;
  near_caps[1].params.microbatches = 900;  // 1.95 million objects
  for (int i = 0; i < 82; ++i) {
    const Drawn d = i < 2 ? near_caps[static_cast<std::size_t>(i)] : draw(rng);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", set " + std::to_string(i) + ": " + describe(d));
    const auto errors = validate(d.params);
    if (!errors.empty()) {
      ++refused;
      for (const ParamError& e : errors) {
        bool names_given = d.given.count(e.field) > 0;
        for (const auto& g : d.given) names_given |= e.message.find(g) != std::string::npos;
        EXPECT_TRUE(names_given) << "blames " << e.field << ": " << e.message;
        EXPECT_EQ(e.message.find('\n'), std::string::npos) << "one line: " << e.message;
      }
      EXPECT_THROW(Scene{d.params}, InvalidParams);
      continue;
    }
    ++built;
    Scene scene(d.params);
    const std::uint32_t last = scene.timeline().last_frame();
    scene.playhead().seek(std::uniform_int_distribution<std::uint32_t>(0, last)(rng));
    SceneRenderer renderer(&font);
    renderer.set_scene(scene.layout(), scene.playhead());
    const Camera camera = fitted_camera(scene.layout(), ViewPreset::Notebook, Projection::Perspective, 1.0f);
    const Image image = render_still(renderer, camera, 96, 96, RenderStyle{});
    EXPECT_EQ(image.rgba.size(), 96u * 96u * 4u);
    // What is visible is drawn: the fitted camera shows it, not a blank frame.
    std::size_t drawn = 0;
    for (std::size_t i = 0; i < image.rgba.size(); i += 4) {
      drawn += image.rgba[i] + image.rgba[i + 1] + image.rgba[i + 2] < 3 * 250;
    }
    if (renderer.stats().visible_objects > 0) {
      EXPECT_GT(drawn, 0u) << renderer.stats().visible_objects << " objects visible, nothing drawn (seed " << seed << ")";
    }
    CappedBuffer buffer(1 << 20);
    std::ostream out(&buffer);
    const bool whole = write_state_dump(out, scene.layout(), scene.timeline());
    EXPECT_GT(buffer.written, 0u);
    if (whole) {
      EXPECT_LT(buffer.written, std::size_t{1} << 20);
    }
  }
  std::cout << "random parameter sets, seed " << seed << ": " << built << " built, " << refused << " refused\n";
  // The draws must exercise both outcomes, or the test proves little.
  EXPECT_GE(built, 5);
  EXPECT_GE(refused, 5);
}

}  // namespace
}  // namespace pipescope
