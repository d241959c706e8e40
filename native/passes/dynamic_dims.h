#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// Marks, in a shapeless graph, which dimensions of each value may differ at run time from
// the sizes recorded in the trace: those that follow an input dimension with a symbolic
// name (Graph::input_dim_params). Every other size is fixed, so lowering can write it as a
// constant instead of reading it with Shape at run time. Primitives whose shapes are
// followed exactly are listed in the .cpp; for any other, every result dimension counts
// as dynamic as soon as one operand dimension is. Fixed-shape graphs are left as they are.
void mark_dynamic_dims(Graph& graph);

}  // namespace mlx_onnx::passes
