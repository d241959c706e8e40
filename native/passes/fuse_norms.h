#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// On a CPU stream MLX records mx.fast.rms_norm as its fallback's primitives (fixed code:
// x · rsqrt(mean(x²) + eps) · w). This restores the RMSNorm node a GPU stream records, so
// CPU-traced functions lower like GPU-recorded ones (one normalization ONNX Runtime runs as
// one kernel instead of eight). Run on a pruned graph after drop_implicit_broadcasts (an
// intermediate must have one reader); the replaced nodes are left for prune_dead_code.
void fuse_rms_norms(Graph& graph);

}  // namespace mlx_onnx::passes
