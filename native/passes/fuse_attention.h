#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// On a CPU stream MLX records mx.fast.scaled_dot_product_attention as its fallback's
// primitives (fixed code: softmax((scale · q) @ kᵀ [+ mask | where(mask, ·, lowest)]) @ v,
// grouped heads as a 5-D view). This restores the ScaledDotProductAttention node a GPU
// stream records, so the attention lowers to one fused operator where the target has one.
// Masks are kept as given (any rank that broadcasts); MLX's causal mask becomes do_causal.
// Run after drop_implicit_broadcasts; the replaced nodes are left for prune_dead_code.
void fuse_attention(Graph& graph);

}  // namespace mlx_onnx::passes
