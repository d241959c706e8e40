#pragma once
// What the fusion passes ask of a graph while they match MLX's fallback decompositions:
// who made a value, how many read it, and the value of a scalar constant.
#include <optional>

#include "graph/graph.h"

namespace mlx_onnx::passes {

class Matcher {
 public:
  explicit Matcher(const Graph& graph);

  // The node that makes `v` if it is an `op`, else nullptr.
  const Node* made_by(ValueId v, const char* op) const;
  // The same, for an intermediate only its one consumer reads (safe to fold away).
  const Node* only_for_one(ValueId v, const char* op) const { return uses_[v] == 1 ? made_by(v, op) : nullptr; }
  int uses(ValueId v) const { return uses_[v]; }
  // `v` before any Broadcast nodes (the operands of a matmul keep MLX's broadcasts).
  ValueId unbroadcast(ValueId v) const;

  // A scalar float constant's value (float32, float16 or bfloat16).
  std::optional<double> scalar(ValueId v) const;

  const Graph& graph() const { return graph_; }

 private:
  const Graph& graph_;
  std::vector<int> producer_;
  std::vector<int> uses_;
};

// For a binary node with operand `v`, the other operand.
std::optional<ValueId> other(const Node& node, ValueId v);

}  // namespace mlx_onnx::passes
