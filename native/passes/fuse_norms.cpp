#include "passes/fuse_norms.h"

#include <cstring>
#include <optional>

namespace mlx_onnx::passes {
namespace {

constexpr int64_t kReduceSum = 2;

class Matcher {
 public:
  explicit Matcher(const Graph& graph)
      : graph_(graph), producer_(graph.values.size(), -1), uses_(graph.values.size(), 0) {
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      for (ValueId v : graph.nodes[i].outputs) producer_[v] = static_cast<int>(i);
      for (ValueId v : graph.nodes[i].inputs) ++uses_[v];
    }
    for (ValueId v : graph.outputs) ++uses_[v];
  }

  // The node that makes `v` if it is an `op`, else nullptr.
  const Node* made_by(ValueId v, const char* op) const {
    int p = producer_[v];
    return p >= 0 && graph_.nodes[p].op == op ? &graph_.nodes[p] : nullptr;
  }
  // The same, for an intermediate only its one consumer reads (safe to fold away).
  const Node* only_for_one(ValueId v, const char* op) const { return uses_[v] == 1 ? made_by(v, op) : nullptr; }
  int uses(ValueId v) const { return uses_[v]; }

  // A float32 scalar constant's value.
  std::optional<double> scalar(ValueId v) const {
    const Constant* c = graph_.constant(v);
    if (!c || c->cast_from || graph_.value(v).dtype != DType::Float32 || c->nbytes != sizeof(float)) return std::nullopt;
    float f;
    std::memcpy(&f, c->data, sizeof f);
    return f;
  }

  const Graph& graph() const { return graph_; }

 private:
  const Graph& graph_;
  std::vector<int> producer_;
  std::vector<int> uses_;
};

// For a binary node with operand `v`, the other operand.
std::optional<ValueId> other(const Node& node, ValueId v) {
  if (node.inputs.size() != 2) return std::nullopt;
  if (node.inputs[0] == v) return node.inputs[1];
  if (node.inputs[1] == v) return node.inputs[0];
  return std::nullopt;
}

bool last_axis_only(const std::vector<int64_t>& axes, size_t rank) {
  return axes.size() == 1 && (axes[0] == -1 || axes[0] == static_cast<int64_t>(rank) - 1);
}

// 1/n for the last axis of a value of `rank` dims and last size `n`, as MLX's mean records
// it: NumberOfElements (inverted) in shapeless graphs, else a constant.
bool inverse_count(const Matcher& m, ValueId v, size_t rank, int64_t n) {
  if (const Node* count = m.made_by(v, "NumberOfElements")) {
    return count->bool_attr(1) && last_axis_only(count->ints_attr(0), rank);
  }
  std::optional<double> c = m.scalar(v);
  return c && *c == static_cast<float>(1.0 / static_cast<double>(n));
}

// mean(x²) over the last axis as MLX's mean records it: Sum(Square(x)) · 1/n. Returns x.
std::optional<ValueId> mean_of_square(const Matcher& m, ValueId mean) {
  const Node* mul = m.only_for_one(mean, "Multiply");
  if (!mul || mul->inputs.size() != 2) return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    const Node* sum = m.only_for_one(mul->inputs[side], "Reduce");
    if (!sum || sum->int_attr(0) != kReduceSum) continue;
    // A NumberOfElements reads the squares' shape: their second reader.
    ValueId squares = sum->inputs[0];
    const Node* count = m.made_by(mul->inputs[1 - side], "NumberOfElements");
    const Node* square = m.made_by(squares, "Square");
    if (!square || m.uses(squares) != (count && count->inputs.at(0) == squares ? 2 : 1)) continue;
    ValueId x = square->inputs[0];
    const Shape& shape = m.graph().value(x).shape;
    if (shape.empty() || !last_axis_only(sum->ints_attr(1), shape.size()) ||
        !inverse_count(m, mul->inputs[1 - side], shape.size(), shape.back())) {
      continue;
    }
    return x;
  }
  return std::nullopt;
}

// Matches Multiply(Multiply(x, Sqrt⁻¹(Add(mean(x²), eps))), w) ending at node `out`, with
// w a vector of x's last axis; rewrites `out` into RMSNorm(x, w; eps).
void fuse_at(const Matcher& m, Node& out) {
  if (out.op != "Multiply" || out.inputs.size() != 2) return;
  const Graph& g = m.graph();
  for (int side = 0; side < 2; ++side) {
    const Node* scaled = m.only_for_one(out.inputs[side], "Multiply");
    ValueId w = out.inputs[1 - side];
    if (!scaled || scaled->inputs.size() != 2) continue;
    for (int s = 0; s < 2; ++s) {
      const Node* rsqrt = m.only_for_one(scaled->inputs[s], "Sqrt");
      ValueId x = scaled->inputs[1 - s];
      if (!rsqrt || !rsqrt->bool_attr(0)) continue;
      const Node* add = m.only_for_one(rsqrt->inputs[0], "Add");
      if (!add || add->inputs.size() != 2) continue;
      for (int a = 0; a < 2; ++a) {
        std::optional<double> eps = m.scalar(add->inputs[a]);
        std::optional<ValueId> normalized = mean_of_square(m, add->inputs[1 - a]);
        if (!eps || normalized != x) continue;
        const Value& xv = g.value(x);
        const Value& wv = g.value(w);
        if (xv.dtype != DType::Float32 || wv.dtype != DType::Float32 || wv.shape.size() != 1 ||
            wv.shape[0] != xv.shape.back() || g.value(out.outputs[0]).shape != xv.shape) {
          continue;
        }
        out.op = "RMSNorm";
        out.inputs = {x, w};
        out.attrs = {Attr{*eps}};
        return;
      }
    }
  }
}

}  // namespace

void fuse_rms_norms(Graph& graph) {
  Matcher matcher(graph);
  for (Node& node : graph.nodes) fuse_at(matcher, node);
}

}  // namespace mlx_onnx::passes
