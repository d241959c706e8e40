#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// A rotary embedding written as MLX's RoPE fallback writes it: x's rotated features split
// into halves a and b (a Split, whose third part is then the rest, or Slices of the last
// axis), then concat(a·cos − b·sin, a·sin + b·cos[, the features past the rotated ones]).
// MLX records that on a CPU stream for mx.fast.rope, and export-model's decoders write it
// with angles of their own positions. This makes it one FusedRotary(x, cos, sin; dims) node, not an MLX
// primitive: the lowering writes one rotary operator where the target has one. cos and sin
// broadcast against a. Run after drop_implicit_broadcasts; replaced nodes are left for
// prune_dead_code.
void fuse_rotary(Graph& graph);

}  // namespace mlx_onnx::passes
