#pragma once
// The shape of a SliceUpdate's write, which lowering and passes/dynamic_dims both read.
#include <optional>

#include "graph/graph.h"

namespace mlx_onnx {

// A SliceUpdate that writes a run of one axis (step 1) and takes every other axis whole:
// that axis. Lowering joins the data around the update there, so only
// the bounds on that axis are recorded sizes.
std::optional<size_t> joined_axis(const Node& node, const Shape& data, const Shape& block);

}  // namespace mlx_onnx
