#include "passes/implicit_broadcast.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace mlx_onnx::passes {
namespace {

// MLX primitives whose lowering is ONNX operators that broadcast all operands
// (multidirectional broadcasting: Add, Where, Mod, BitShift, ...).
bool broadcasts_natively(std::string_view op) {
  static const std::unordered_set<std::string_view> ops = {
      "Add",         "ArcTan2",    "BitwiseBinary", "Divide",   "Equal",   "FloorDivide",
      "Greater",     "GreaterEqual", "Less",        "LessEqual", "LogAddExp", "LogicalAnd",
      "LogicalOr",   "Maximum",    "Minimum",       "Multiply", "NotEqual", "Power",
      "Remainder",   "Select",     "Subtract",
  };
  return ops.count(op) > 0;
}

bool is_broadcast(std::string_view op) { return op == "Broadcast" || op == "BroadcastAxes"; }

// numpy's broadcast of shapes; false when they do not broadcast.
bool broadcast_shape(const std::vector<Shape>& shapes, Shape& out) {
  size_t rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.size());
  out.assign(rank, 1);
  for (const Shape& s : shapes) {
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& d = out[rank - s.size() + i];
      if (s[i] == d || s[i] == 1) continue;
      if (d != 1) return false;
      d = s[i];
    }
  }
  return true;
}

Shape leading(const Shape& s, size_t drop) { return Shape(s.begin(), s.end() - std::min(drop, s.size())); }

class Rewriter {
 public:
  explicit Rewriter(Graph& graph) : graph_(graph), producer_(graph.values.size(), nullptr) {
    for (const Node& node : graph.nodes) {
      for (ValueId v : node.outputs) producer_[v] = &node;
    }
  }

  void rewrite(Node& node) {
    if (node.op == "AddMM" && node.inputs.size() == 3) return rewrite_addend(node);
    bool matmul = node.op == "Matmul";
    if (!(matmul && node.inputs.size() == 2) && !broadcasts_natively(node.op)) return;
    // Start from every broadcast operand replaced by its source; put back those whose
    // followed shapes are not covered, until the rest agree.
    std::vector<const Node*> source(node.inputs.size(), nullptr);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const Node* p = producer_[node.inputs[i]];
      if (p && is_broadcast(p->op) && !p->inputs.empty() && (!matmul || keeps_matrix(*p))) source[i] = p;
    }
    for (bool changed = true; changed;) {
      changed = false;
      std::unordered_set<ValueId> covered;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        covered.insert(source[i] ? source[i]->inputs[0] : node.inputs[i]);
        const Node* p = producer_[node.inputs[i]];
        if (p && is_broadcast(p->op) && !p->inputs.empty()) covered.insert(p->inputs[0]);
      }
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (!source[i]) continue;
        bool ok = std::all_of(source[i]->inputs.begin() + 1, source[i]->inputs.end(),
                              [&](ValueId f) { return covered.count(f) > 0; });
        if (!ok) {
          source[i] = nullptr;
          changed = true;
        }
      }
      if (!changed && !same_result(node, source, matmul)) {
        // Recorded shapes disagree: keep every broadcast (rare; not worth a search).
        std::fill(source.begin(), source.end(), nullptr);
      }
    }
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (source[i]) node.inputs[i] = source[i]->inputs[0];
    }
  }

  // AddMM lowers to a MatMul and an Add, which broadcasts the addend c itself: MLX's
  // broadcast of c to the product's recorded shape is dropped.
  void rewrite_addend(Node& node) {
    const Node* p = producer_[node.inputs[2]];
    if (!p || !is_broadcast(p->op) || p->inputs.size() != 1) return;
    for (size_t t = 0; t <= graph_.other_trace_shapes.size(); ++t) {
      Shape out;
      const Shape* product = graph_.shape_in_trace(t, node.outputs.at(0));
      const Shape* addend = graph_.shape_in_trace(t, p->inputs[0]);
      if (!product || !addend || !broadcast_shape({*product, *addend}, out) || out != *product) return;
    }
    node.inputs[2] = p->inputs[0];
  }

 private:
  // A broadcast before a matmul may only add or grow batch axes.
  bool keeps_matrix(const Node& broadcast) const {
    const Shape& in = graph_.value(broadcast.inputs[0]).shape;
    const Shape& out = graph_.value(broadcast.outputs.at(0)).shape;
    if (in.size() < 2 || out.size() < 2) return false;
    return in[in.size() - 1] == out[out.size() - 1] && in[in.size() - 2] == out[out.size() - 2];
  }

  // The recorded result shape is what ONNX's broadcasting of the new operands gives, in
  // every trace of a merged graph.
  bool same_result(const Node& node, const std::vector<const Node*>& source, bool matmul) const {
    for (size_t t = 0; t <= graph_.other_trace_shapes.size(); ++t) {
      std::vector<Shape> shapes;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        const Shape* s = graph_.shape_in_trace(t, source[i] ? source[i]->inputs[0] : node.inputs[i]);
        if (!s) return false;
        shapes.push_back(matmul ? leading(*s, 2) : *s);
      }
      Shape out;
      const Shape* recorded = graph_.shape_in_trace(t, node.outputs.at(0));
      if (!recorded || !broadcast_shape(shapes, out) || out != (matmul ? leading(*recorded, 2) : *recorded)) return false;
    }
    return true;
  }

  Graph& graph_;
  std::vector<const Node*> producer_;
};

}  // namespace

void drop_implicit_broadcasts(Graph& graph) {
  Rewriter rewriter(graph);
  for (Node& node : graph.nodes) rewriter.rewrite(node);
}

}  // namespace mlx_onnx::passes
