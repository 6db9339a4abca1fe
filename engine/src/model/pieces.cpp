#include "pipescope/model/pieces.hpp"

#include "pipescope/model/layer_view.hpp"
#include "pipescope/model/mesh.hpp"

namespace pipescope {

std::vector<std::int64_t> Pieces::gpus() const {
  std::vector<std::int64_t> out;
  for (int j = 0; j < along_y; ++j) {
    for (int i = 0; i < along_x; ++i) out.push_back(gpu(i, j));
  }
  return out;
}

Pieces object_pieces(const Layout& layout, ObjectIndex i) {
  if (const LayerView* view = layout.layer_view()) return view->pieces[i];
  const Params& p = layout.params();
  const SceneObject& o = layout[i];
  Pieces pieces;
  if (p.tp == 1 && p.cp == 1) return pieces;
  const std::int64_t stage = is_per_stage(o.kind) ? o.layer : o.layer / p.layers_per_stage();
  const Mesh mesh = mesh_of(p);
  pieces.first_gpu = mesh.gpu({static_cast<std::int64_t>(o.replica), p.rank_of_stage(stage), 0, 0}).global;
  const int tp = static_cast<int>(p.tp), cp = static_cast<int>(p.cp);
  // Tokens: cp pieces, tp apart; sequence parallel cuts each of those over
  // the tp group too, which in Megatron's order makes consecutive ranks.
  auto tokens_cut = [&](bool sequence_parallel) {
    if (sequence_parallel) {
      pieces.along_y = cp * tp;
      pieces.y_stride = 1;
    } else {
      pieces.along_y = cp;
      pieces.y_stride = tp;
    }
  };
  switch (o.kind) {
    case ObjectKind::Weight1:
    case ObjectKind::Weight2:
      pieces.along_x = tp;
      pieces.owned = cp == 1;  // every cp rank holds the same shard
      break;
    case ObjectKind::Hidden:
    case ObjectKind::Flop1:
    case ObjectKind::Flop2:
      pieces.along_x = tp;
      tokens_cut(false);
      break;
    case ObjectKind::Residual:
    case ObjectKind::StageInput:
    case ObjectKind::PipeSend:
      tokens_cut(p.sp != 0);
      pieces.owned = p.sp != 0 || tp == 1;
      break;
    case ObjectKind::AllReduce1:
    case ObjectKind::AllReduce2:
      pieces.along_x = tp;  // each tp rank exchanges its own shard's gradient
      pieces.owned = false;
      break;
    case ObjectKind::TensorReduce:
    case ObjectKind::TensorReduceIn:
    case ObjectKind::ContextRing:
    case ObjectKind::ExpertAllToAll:
      tokens_cut(false);
      pieces.owned = false;  // the tp group's, together
      break;
  }
  return pieces;
}

}  // namespace pipescope
