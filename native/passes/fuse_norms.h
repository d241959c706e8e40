#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// On a CPU stream MLX records mx.fast.rms_norm and mx.fast.layer_norm as their fallbacks'
// primitives (fixed code: x · rsqrt(mean(x²) + eps) · w, and (x − mean(x)) · rsqrt(var + eps)
// · w + b). This restores the RMSNorm and LayerNorm nodes a GPU stream records, so
// CPU-traced functions lower like GPU-recorded ones (one normalization that ONNX Runtime runs
// as one kernel instead of eight or more). Run on a pruned graph after drop_implicit_broadcasts (an
// intermediate must have one reader); the replaced nodes are left for prune_dead_code.
void fuse_norms(Graph& graph);

}  // namespace mlx_onnx::passes
