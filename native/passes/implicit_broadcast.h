#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// MLX broadcasts operands explicitly: before an elementwise op or a matmul it records a
// Broadcast (BroadcastAxes for matmul's batch axes) of each operand, which in a shapeless
// graph follows the run-time shapes of the others. ONNX's elementwise operators and MatMul
// broadcast by themselves, so an operator reads the unbroadcast operand instead wherever
// that gives the same result: the shapes each Broadcast follows are operands of the same
// operator (or what those were broadcast from), and the recorded shapes agree. Broadcasts
// nothing else reads are then dead code.
void drop_implicit_broadcasts(Graph& graph);

}  // namespace mlx_onnx::passes
