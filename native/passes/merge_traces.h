#pragma once
// Several traces of one function at different input sizes (as `mx.exporter` writes them,
// one call per size) merged into one graph whose input dimensions that differ between
// the traces are symbolic.
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mlx_onnx::passes {

// An input dimension the user names (ConvertOptions::dynamic_dims), by input index.
struct NamedDim {
  size_t input;
  size_t axis;
  std::string name;
};

// Returns traces[0] made shapeless. The traces must record the same primitives on the same
// values, with the same constants; the first difference fails with ERR_INVALID_INPUT
// naming the node. An input dimension that differs between traces is symbolic (named
// `<input>_<axis>` unless `names` names it; naming one that is equal in every trace is
// an ERR_INVALID_ARGUMENT).
//
// Every size the traces recorded differently is fitted as factor · (product of input
// dimensions) or dimension + offset, checked on every trace, and attached where lowering
// reads it at run time: a Reshape's, Broadcast's or Unflatten's result shape
// ("recovered_dims"), an Arange's length ("length_of"). Other sizes that differ are left to
// passes/dynamic_dims, which keeps the input dimensions they follow fixed and says why
// (Graph::traced_sizes holds what it checks against).
Graph merge_traces(std::vector<Graph>& traces, const std::vector<NamedDim>& names);

}  // namespace mlx_onnx::passes
