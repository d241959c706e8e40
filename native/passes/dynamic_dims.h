#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// Marks, in a shapeless graph, which dimensions of each value may differ at run time from
// the sizes recorded in the trace: those that follow an input dimension with a symbolic
// name (Graph::input_dim_params). Every other size is fixed, so lowering can write it as a
// constant instead of reading it with Shape at run time.
//
// A symbolic input dimension is kept only if the graph is known to run for other values of
// it. MLX records Python-int sizes as they were traced (reshape targets, slice bounds,
// arange lengths, broadcast shapes), so a size that follows an input dimension can meet a
// size baked at its traced value: a fixed size against it in an elementwise op, a matmul or
// a concatenation; a reshape that keeps it in a fixed entry; a slice or split of part of it;
// a primitive whose shapes the pass does not follow. Each such input dimension is made
// fixed (its name removed), with a warning in Graph::warnings naming the primitive and the
// input axis, and the marking runs again until nothing conflicts. Fixed-shape graphs are
// left as they are.
void mark_dynamic_dims(Graph& graph);

}  // namespace mlx_onnx::passes
