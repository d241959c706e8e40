#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// Removes nodes and constants that no output depends on.
void prune_dead_code(Graph& graph);

}  // namespace mlx_onnx::passes
