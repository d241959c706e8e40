#pragma once
// Lowers a whole Graph to an ONNX Model: inputs, constants as initializers (views of
// the graph's storage), one rule per node, and outputs.
#include <string>

#include "graph/graph.h"
#include "lower/context.h"
#include "onnx/model.h"

namespace mlx_onnx::lower {

constexpr int kDefaultOpset = 21;
constexpr int kMinOpset = 18;
constexpr int kMaxOpset = 23;

struct LowerOptions {
  int opset = kDefaultOpset;
  std::string producer_version;
  Target target = Target::Standard;
};

// Throws ERR_UNSUPPORTED_OP naming every primitive without a rule, with its count.
void check_supported(const Graph& graph);

onnx::Model lower_graph(const Graph& graph, const LowerOptions& options);

}  // namespace mlx_onnx::lower
