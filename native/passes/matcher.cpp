#include "passes/matcher.h"

#include <cstring>

#include "graph/float_cast.h"

namespace mlx_onnx::passes {

Matcher::Matcher(const Graph& graph)
    : graph_(graph),
      producer_(graph.values.size(), -1),
      uses_(graph.values.size(), 0) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (ValueId v : graph.nodes[i].outputs) producer_[v] = static_cast<int>(i);
    for (ValueId v : graph.nodes[i].inputs) ++uses_[v];
  }
  for (ValueId v : graph.outputs) ++uses_[v];
}

const Node* Matcher::made_by(ValueId v, const char* op) const {
  int p = producer_[v];
  return p >= 0 && graph_.nodes[p].op == op ? &graph_.nodes[p] : nullptr;
}

ValueId Matcher::unbroadcast(ValueId v) const {
  while (const Node* b = made_by(v, "Broadcast")) v = b->inputs[0];
  return v;
}

std::optional<double> Matcher::scalar(ValueId v) const {
  const Constant* c = graph_.constant(v);
  DType dt = graph_.value(v).dtype;
  if (!c || c->cast_from || c->nbytes != dtype_size(dt)) return std::nullopt;
  float f;
  if (dt == DType::Float32) {
    std::memcpy(&f, c->data, sizeof f);
  } else if (FloatCast cast = float_cast(dt, DType::Float32); cast && (dt == DType::Float16 || dt == DType::BFloat16)) {
    cast(c->data, reinterpret_cast<uint8_t*>(&f), 1);
  } else {
    return std::nullopt;
  }
  return f;
}

std::optional<ValueId> other(const Node& node, ValueId v) {
  if (node.inputs.size() != 2) return std::nullopt;
  if (node.inputs[0] == v) return node.inputs[1];
  if (node.inputs[1] == v) return node.inputs[0];
  return std::nullopt;
}

}  // namespace mlx_onnx::passes
