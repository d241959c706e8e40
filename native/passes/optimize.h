#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// The passes every graph goes through before lowering, in order: implicit broadcasts
// dropped, MLX's decomposed norms, attention and rotary embeddings fused back, dead code pruned, dynamic dimensions marked.
void optimize_graph(Graph& graph);

}  // namespace mlx_onnx::passes
