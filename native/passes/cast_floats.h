#pragma once
#include "graph/graph.h"

namespace mlx_onnx::passes {

// Casts a function to another float dtype (float16, bfloat16 or float32): every float
// value (inputs, constants, node results, outputs) takes `dtype`, and so do AsType
// nodes to a float type. Constant bytes keep their dtype and are converted as they are
// written, except the few that lowering reads (quantization scales and biases), which
// are converted here. ERR_INVALID_ARGUMENT for another dtype, and for functions whose
// meaning a cast would change: complex values, and Views of float bits.
// With `keep_interface`, inputs and outputs keep their dtypes and AsType nodes cast at the
// boundary (how a bfloat16 cast is verified: onnxruntime-node has no bfloat16 tensors).
void cast_floats(Graph& graph, DType dtype, bool keep_interface = false);

}  // namespace mlx_onnx::passes
