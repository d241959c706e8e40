#include "passes/optimize.h"

#include "passes/dynamic_dims.h"
#include "passes/fuse_attention.h"
#include "passes/fuse_norms.h"
#include "passes/fuse_rotary.h"
#include "passes/implicit_broadcast.h"
#include "passes/prune.h"

namespace mlx_onnx::passes {

void optimize_graph(Graph& graph) {
  drop_implicit_broadcasts(graph);
  prune_dead_code(graph);
  fuse_norms(graph);
  fuse_attention(graph);
  fuse_rotary(graph);
  prune_dead_code(graph);
  mark_dynamic_dims(graph);
}

}  // namespace mlx_onnx::passes
