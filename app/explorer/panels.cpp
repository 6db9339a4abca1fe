#include "panels.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "file_browser.hpp"
#include "pipescope/model/gpu_presets.hpp"
#include "imgui_rects.hpp"
#include "session_panel.hpp"
#include "param_flags.hpp"
#include "pipescope/model/param_table.hpp"
#include "pipescope/analysis/units.hpp"

namespace pipescope::app {

namespace {

void show_errors_of(const std::string& field, const std::vector<ParamError>& errors) {
  for (const ParamError& e : errors) {
    if (e.field == field) {
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextColored(kErrorColour, "%s", e.message.c_str());
      ImGui::PopTextWrapPos();
    }
  }
}

// One parameter of the table: its field, its help and flag on hover, then
// the rule it breaks, if any. `locked`: why it cannot be edited (a schedule
// file fixes it), or nothing.
bool param_field(const ParamSpec& spec, ParamsEditor& ed, WidgetRects& rects, const std::string& locked = {}) {
  Params& p = ed.edited;
  const std::vector<ParamError>& errors = ed.errors;
  const std::string key(spec.key);
  std::int64_t value =
      spec.type() == ParamType::Integer || spec.type() == ParamType::Choice ? spec.effective(p) : 0;
  double number = spec.number ? p.*spec.number : 0;
  std::vector<double> list;
  const std::int64_t step = 1;
  ImGui::PushID(key.c_str());
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  if (!locked.empty()) ImGui::BeginDisabled();
  bool changed = false;
  // While typed into, the field shows its draft; the scene keeps the last applied value.
  const auto draft = ed.drafts.find(key);
  auto typed = [&](bool edited_now, double now) {
    if (edited_now) ed.drafts[key] = now;
    if (!ImGui::IsItemDeactivatedAfterEdit()) return false;
    ed.drafts.erase(key);
    return true;
  };
  switch (spec.type()) {
    case ParamType::Integer:
      if (draft != ed.drafts.end()) value = static_cast<std::int64_t>(draft->second);
      changed = typed(ImGui::InputScalar(key.c_str(), ImGuiDataType_S64, &value, &step, nullptr, "%" PRId64),
                      static_cast<double>(value));
      break;
    case ParamType::Number:
      if (draft != ed.drafts.end()) number = draft->second;
      changed = typed(ImGui::InputDouble(key.c_str(), &number, 0, 0, "%g"), number);
      break;
    case ParamType::Choice: {
      int index = static_cast<int>(value);
      std::string items;
      for (const std::string_view c : spec.choices) items.append(c).push_back('\0');
      changed = ImGui::Combo(key.c_str(), &index, items.c_str());
      value = index;
      break;
    }
    case ParamType::OptionalNumber:
    case ParamType::PerStage: {
      // Typed as on the command line, read on Enter: "1200" or "1200,1200,1500".
      char buf[512];
      std::snprintf(buf, sizeof buf, "%s", spec.text(p).c_str());
      if (ImGui::InputTextWithHint(key.c_str(), std::string(spec.when_unset).c_str(), buf, sizeof buf,
                                   ImGuiInputTextFlags_EnterReturnsTrue)) {
        std::string why;
        auto parsed = parse_per_stage(buf, why);
        if (parsed && spec.optional_number && parsed->size() > 1) {
          parsed.reset();
          why = "give one number, or nothing for " + std::string(spec.when_unset);
        }
        if (parsed) {
          list = std::move(*parsed);
          ed.list_error.clear();
          changed = true;
        } else {
          ed.list_error = key + ": " + why;
        }
      }
      break;
    }
  }
  if (!locked.empty()) ImGui::EndDisabled();
  remember(rects, "param:" + key);
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("%s%s%s (%s)%s%s", std::string(spec.help).c_str(), spec.unit.empty() ? "" : ", in ",
                      std::string(spec.unit).c_str(), std::string(spec.flag).c_str(), locked.empty() ? "" : "\n",
                      locked.c_str());
  }
  show_errors_of(key, errors);
  ImGui::PopID();
  if (changed) {
    switch (spec.type()) {
      case ParamType::Integer: spec.set(p, value); break;
      case ParamType::Number: p.*spec.number = number; break;
      case ParamType::Choice: p.*spec.value = value; break;
      case ParamType::OptionalNumber:
        p.*spec.optional_number = list.empty() ? std::nullopt : std::optional<double>(list.front());
        break;
      case ParamType::PerStage: p.*spec.per_stage = std::move(list); break;
    }
  }
  return changed;
}

// A GPU by name (--gpu): sets the GPU's and its server's figures below.
bool gpu_preset_combo(Params& p, WidgetRects& rects) {
  const GpuPreset* current = nullptr;
  for (const GpuPreset& g : gpu_presets()) {
    if (g.tflops == p.gpu_tflops && g.memory_gib == p.gpu_memory_gib && g.memory_gbps == p.gpu_memory_gbps &&
        g.intra_node_gbps == p.intra_node_gbps && g.inter_node_gbps == p.inter_node_gbps) {
      current = &g;
    }
  }
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  if (ImGui::BeginCombo("gpu", current ? std::string(current->name).c_str() : "(as set below)")) {
    for (const GpuPreset& g : gpu_presets()) {
      if (ImGui::Selectable(std::string(g.name).c_str(), &g == current)) {
        apply_gpu_preset(p, g);
        changed = true;
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", std::string(g.description).c_str());
    }
    ImGui::EndCombo();
  }
  remember(rects, "param:gpu");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("a GPU and its server: sets the figures below (--gpu)");
  return changed;
}

// What the costs come from: the model's kind, its shape and the hardware.
// Only what applies shows: the transformer's shape for a transformer, the
// GPU and links when time is real, measured times always (they make it real).
bool model_fields(ParamsEditor& ed, WidgetRects& rects) {
  Params& p = ed.edited;
  bool changed = false;
  int model = p.model == CostModel::Transformer ? 1 : 0;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  if (ImGui::Combo("model", &model, "notebook\0transformer\0")) {
    p.model = model == 1 ? CostModel::Transformer : CostModel::Notebook;
    changed = true;
  }
  remember(rects, "param:model");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("notebook: the notebook's MLP, time in animation frames\ntransformer: a GPT-style layer on real "
                      "GPUs, time in microseconds, memory in bytes (--model)");
  }
  const bool transformer = p.model == CostModel::Transformer;
  // In the order a run is described: the model, how it is cut, the GPUs, where they sit.
  const std::pair<ParamGroup, const char*> sections[] = {
      {ParamGroup::Model, nullptr},
      {ParamGroup::Parallelism, "Parallelism"},
      {ParamGroup::Hardware, "Hardware"},
      {ParamGroup::Cluster, "Cluster"},
  };
  for (const auto& [group, title] : sections) {
    const bool shown = ((group == ParamGroup::Model || group == ParamGroup::Parallelism) && transformer) ||
                       (group == ParamGroup::Cluster && p.real_time()) || group == ParamGroup::Hardware;
    if (!shown) continue;
    bool titled = false;
    for (const ParamSpec& spec : param_table()) {
      if (spec.group != group) continue;
      if (group == ParamGroup::Hardware && !p.real_time() && spec.per_stage == nullptr) continue;
      if (title && !titled) {
        ImGui::Separator();
        ImGui::TextDisabled("%s", title);
        titled = true;
        if (group == ParamGroup::Hardware) changed |= gpu_preset_combo(p, rects);
      }
      changed |= param_field(spec, ed, rects);
    }
  }
  if (!ed.list_error.empty()) ImGui::TextColored(kErrorColour, "%s", ed.list_error.c_str());
  return changed;
}

// The schedule (built-in or a PyTorch file), its stages per rank and its op costs.
bool schedule_fields(ParamsEditor& ed, UiActions& actions, WidgetRects& rects) {
  Params& p = ed.edited;
  bool changed = false;
  const ScheduleInfo& current = schedule_info(p.schedule);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  if (ImGui::BeginCombo("schedule", p.schedule_name().c_str(), ImGuiComboFlags_HeightLargest)) {
    for (const ScheduleInfo& info : schedule_catalog()) {
      const bool selected = !p.schedule_file && info.kind == p.schedule;
      if (ImGui::Selectable(std::string(info.name).c_str(), selected)) {
        if (!selected) {
          p.schedule = info.kind;
          p.schedule_file.reset();
          p.measured.reset();  // the measured costs stay: the zoo at them
          p.chunks.reset();  // the new schedule's own default
          changed = true;
        }
      }
      remember(rects, "schedule:" + std::string(info.name));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", std::string(info.summary).c_str());
    }
    ImGui::Separator();
    if (ImGui::Selectable("From a PyTorch CSV file...")) ed.schedule_browser.request_open = true;
    remember(rects, "schedule:file");
    if (ImGui::Selectable("Measured run (profiler traces)...")) ed.measured_browser.request_open = true;
    remember(rects, "schedule:measured");
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("a folder of one torch.profiler trace per rank: the step as it ran beside its ideal (--measured)");
    }
    ImGui::EndCombo();
  }
  remember(rects, "param:schedule");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%s", p.schedule_file ? ("read from " + p.schedule_file->path + " (--schedule-file)").c_str()
                                            : (std::string(current.summary) + " (--schedule)").c_str());
  }
  if (auto path = file_browser(ed.schedule_browser)) actions.schedule_file = std::move(path);
  if (auto path = file_browser(ed.measured_browser)) actions.measured = std::move(path);
  if (ed.schedule_browser.name_field) rects["schedule-file:name"] = *ed.schedule_browser.name_field;
  if (!ed.file_error.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(kErrorColour, "%s", ed.file_error.c_str());
    ImGui::PopTextWrapPos();
  }
  const std::string locked = p.schedule_file ? "set by " + p.schedule_file->name : std::string();
  for (const ParamSpec& spec : param_table()) {
    if (spec.group != ParamGroup::Schedule) continue;
    // The search's time bound, for the auto schedule only.
    if (spec.key == "auto_seconds") {
      if (p.schedule != ScheduleKind::Auto || p.schedule_file) continue;
    } else if (p.real_time() && spec.key != "chunks") {
      continue;  // costs in frames are the notebook model's: a real model's come from its FLOPs
    }
    if (spec.key == "chunks" && !p.schedule_file && current.min_chunks == current.max_chunks && !p.chunks) {
      show_errors_of("chunks", ed.errors);  // fixed by the schedule: nothing to edit
      continue;
    }
    changed |= param_field(spec, ed, rects, spec.key == "chunks" ? locked : std::string());
  }
  return changed;
}

void parameters_section(ParamsEditor& ed, UiActions& actions, WidgetRects& rects) {
  if (!ImGui::CollapsingHeader("Parameters", ImGuiTreeNodeFlags_DefaultOpen)) return;
  Params& p = ed.edited;
  bool changed = schedule_fields(ed, actions, rects);
  const std::string locked = p.schedule_file ? "set by " + p.schedule_file->name : std::string();
  for (const ParamSpec& spec : param_table()) {
    if (spec.group != ParamGroup::Scene) continue;
    if (spec.key == "d_hidden") {
      bool follow = !p.d_hidden.has_value();
      if (ImGui::Checkbox(p.model == CostModel::Transformer ? "d_hidden = 4 x d_model" : "d_hidden = 2 x d_model",
                          &follow)) {
        p.d_hidden = follow ? std::nullopt : std::optional<std::int64_t>(p.hidden());
        changed = true;
      }
      if (follow) continue;
    }
    const bool fixed_by_file = spec.key == "pp" || spec.key == "microbatches";
    changed |= param_field(spec, ed, rects, fixed_by_file ? locked : std::string());
  }
  if (ImGui::TreeNodeEx("Model and hardware", p.real_time() ? ImGuiTreeNodeFlags_DefaultOpen : 0)) {
    changed |= model_fields(ed, rects);
    ImGui::TreePop();
  }
  if (ImGui::Button("Notebook defaults")) {
    p = Params{};
    changed = true;
  }
  if (!ed.errors.empty()) {
    ImGui::TextColored(kErrorColour, "Showing the last valid scene.");
  }
  actions.params_edited |= changed;
}

void view_section(ViewSettings& v, UiActions& actions) {
  if (!ImGui::CollapsingHeader("View", ImGuiTreeNodeFlags_DefaultOpen)) return;
  bool changed = false;
  changed |= ImGui::Checkbox("Labels", &v.style.labels);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("only those that fit", &v.style.declutter_labels);
  changed |= ImGui::Checkbox("Order-independent transparency", &v.style.order_independent);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Nothing pops as the camera moves; costs more on a CPU renderer");
  changed |= ImGui::Checkbox("Edges", &v.style.edges);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("Axis arrows", &v.style.axes);
  changed |= ImGui::Checkbox("One layer, as the selected GPU runs it", &v.layer_view);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("A transformer's layer at its true shapes, each matmul cut as tp, cp and ep cut it, one colour\n"
                      "a GPU, and its collectives: it plays the pass the selected lane (or the first) runs at the\n"
                      "playhead. Real models only.");
  }
  changed |= ImGui::Checkbox("Merge microbatches when small", &v.style.level_of_detail);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("A large scene seen from afar draws consecutive microbatches in the same state as one box:\n"
                      "the same colours, a tenth of the work. Zoom in and they separate.");
  }
  changed |= ImGui::ColorEdit3("Background", &v.style.background.r, ImGuiColorEditFlags_NoInputs);
  int projection = v.projection == Projection::Orthographic ? 1 : 0;
  if (ImGui::Combo("Projection", &projection, "Perspective\0Orthographic\0")) {
    v.projection = projection == 1 ? Projection::Orthographic : Projection::Perspective;
    changed = true;
  }
  const struct {
    const char* label;
    ViewPreset preset;
  } presets[] = {{"Notebook (1)", ViewPreset::Notebook}, {"Front (2)", ViewPreset::Front},
                 {"Top (3)", ViewPreset::Top}, {"Side (4)", ViewPreset::Side}};
  for (const auto& p : presets) {
    if (p.preset != ViewPreset::Notebook) ImGui::SameLine();
    if (ImGui::Button(p.label)) actions.preset = p.preset;
  }
  if (ImGui::Button("Fit scene")) actions.fit = true;
  ImGui::SameLine();
  if (ImGui::Button("Reset camera (R)")) actions.reset_camera = true;
  actions.view_changed |= changed;
}

void export_section(ExportSettings& e, UiActions& actions, WidgetRects& rects) {
  if (!ImGui::CollapsingHeader("Export", ImGuiTreeNodeFlags_DefaultOpen)) return;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  ImGui::InputInt("##w", &e.width, 0);
  ImGui::SameLine();
  ImGui::TextUnformatted("x");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  ImGui::InputInt("pixels##h", &e.height, 0);
  const bool size_ok = e.include_ui || (e.width >= 1 && e.height >= 1 && e.width <= 16384 && e.height <= 16384);
  if (!size_ok) ImGui::TextColored(kErrorColour, "Width and height must be 1 to 16384 pixels.");
  ImGui::Checkbox("Transparent background", &e.transparent);
  ImGui::Checkbox("Include the panels (window size)", &e.include_ui);
  if (!size_ok) ImGui::BeginDisabled();
  if (ImGui::Button("Save screenshot (F12)")) actions.screenshot = true;
  remember(rects, "screenshot");
  ImGui::SameLine();
  if (ImGui::Button("Save lanes")) actions.lanes_picture = true;
  remember(rects, "lanes:save");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The lanes and activation memory as a PNG, the export width wide");
  // Its own row: three buttons do not fit the panel's width.
  if (ImGui::Button("Save trace (Perfetto)")) actions.trace = true;
  remember(rects, "trace:save");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("The schedule as a Chrome trace (JSON) for ui.perfetto.dev, one frame = 1 ms (pipescope trace)");
  }
  if (!size_ok) ImGui::EndDisabled();
  if (!e.status.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(e.status.c_str());
    ImGui::PopTextWrapPos();
  }
}

void video_section(VideoPanel& v, std::uint32_t last_frame, UiActions& actions, WidgetRects& rects) {
  const bool open = ImGui::CollapsingHeader("Export video");
  remember(rects, "video:header");
  // The section sits low in the panel: opening it scrolls it into view.
  if (ImGui::IsItemToggledOpen() && open) ImGui::SetScrollHereY(0.0f);
  if (!open) return;
  if (v.running) {
    const float fraction = v.total == 0 ? 0.0f : static_cast<float>(v.done) / static_cast<float>(v.total);
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%u / %u frames", v.done, v.total);
    ImGui::ProgressBar(fraction, ImVec2(-1.0f, 0.0f), overlay);
    if (ImGui::Button("Cancel")) actions.cancel_video = true;
    remember(rects, "video:cancel");
  } else {
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::InputText("##video_path", &v.path);
    remember(rects, "video:path");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(".mp4 (H.264), .webm (VP9), .gif, or out_{frame:04}.png");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    ImGui::InputInt("##vw", &v.width, 0);
    remember(rects, "video:width");
    ImGui::SameLine();
    ImGui::TextUnformatted("x");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    ImGui::InputInt("pixels##vh", &v.height, 0);
    remember(rects, "video:height");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    ImGui::SliderFloat("fps##video", &v.fps, 1.0f, 60.0f, "%.0f");
    if (v.to < 0 || v.to > static_cast<int>(last_frame)) v.to = static_cast<int>(last_frame);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    ImGui::DragIntRange2("frames", &v.from, &v.to, 1.0f, 0, static_cast<int>(last_frame));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    ImGui::SliderFloat("orbit", &v.orbit_degrees, -360.0f, 360.0f, "%.0f deg");
    if (ImGui::Button("Start export")) actions.start_video = true;
    remember(rects, "video:start");
  }
  if (!v.status.empty()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(v.status.c_str());
    ImGui::PopTextWrapPos();
  }
}

void stats_section(const RenderStats& r, const FrameStats& f) {
  if (!ImGui::CollapsingHeader("Stats", ImGuiTreeNodeFlags_DefaultOpen)) return;
  ImGui::Text("Objects      %zu", r.objects);
  ImGui::Text("Visible      %zu", r.visible_objects);
  ImGui::Text("Drawn quads  %zu", r.quads);
  ImGui::Text("Label glyphs %zu", r.glyphs);
  ImGui::Text("Scene render %.1f ms", f.scene_ms);
  ImGui::Text("Whole frame  %.1f ms", f.ui_frame_ms);
}

}  // namespace

PanelLayout panel_layout(float ui_scale, std::size_t lanes, std::size_t compare_lanes) {
  const std::size_t shown = compare_lanes > 0 ? kLaneRowsShownBeside : kLaneRowsShown;
  const float compare = compare_lanes > 0 ? lanes_height(compare_lanes, ui_scale, false, shown) + 22.0f * ui_scale : 0.0f;
  return {340.0f * ui_scale, 118.0f * ui_scale + lanes_height(lanes, ui_scale, false, shown) + compare};
}

void side_panel(const PanelLayout& layout, PanelState s, UiActions& actions, WidgetRects& rects) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(layout.side_width, io.DisplaySize.y - layout.timeline_height), ImGuiCond_Always);
  ImGui::Begin("pipescope", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
  // Which sections are open lives in ImGui's per-window storage, keyed as
  // CollapsingHeader keys it; a session reads and restores it there.
  const struct {
    const char* name;
    bool default_open;
  } kSections[] = {{"Session", true},       {"Parameters", true}, {"View", true},  {"Export", true},
                   {"Export video", false}, {"Stats", true},      {"Schedule metrics", true},
                   {"Auto-schedule", true},  {"Planner", false},    {"Rank map", true}};
  ImGuiStorage* storage = ImGui::GetStateStorage();
  if (s.sections.restore) {
    for (const auto& sec : kSections) {
      const auto it = s.sections.open.find(sec.name);
      if (it != s.sections.open.end()) storage->SetInt(ImGui::GetID(sec.name), it->second ? 1 : 0);
    }
    s.sections.restore = false;
  }
  session_section(s.session, actions, rects);
  parameters_section(s.params, actions, rects);
  if (s.auto_panel != nullptr) auto_section(*s.auto_panel, actions, rects);
  if (s.planner != nullptr) planner_section(*s.planner, *s.planner_input, actions, rects);
  view_section(s.view, actions);
  export_section(s.exports, actions, rects);
  video_section(s.video, s.last_frame, actions, rects);
  stats_section(s.render_stats, s.frame_stats);
  if (const auto to = metrics_section(s.metrics, rects)) actions.seek = *to;
  if (s.rank_map != nullptr) rank_map_section(*s.rank_map, *s.rank_map_input, actions, rects);
  for (const auto& sec : kSections) {
    s.sections.open[sec.name] = storage->GetInt(ImGui::GetID(sec.name), sec.default_open ? 1 : 0) != 0;
  }
  ImGui::End();
}

}  // namespace pipescope::app
