#include "passes/fuse_norms.h"

#include <optional>

#include "passes/matcher.h"

namespace mlx_onnx::passes {
namespace {

constexpr int64_t kReduceSum = 2;

bool last_axis_only(const std::vector<int64_t>& axes, size_t rank) {
  return axes.size() == 1 && (axes[0] == -1 || axes[0] == static_cast<int64_t>(rank) - 1);
}

// 1/n for the last axis of a value of `rank` dims and last size `n`, as MLX's mean records
// it: NumberOfElements (inverted) in shapeless graphs, else a constant.
bool inverse_count(const Matcher& m, ValueId v, size_t rank, int64_t n) {
  if (const Node* count = m.made_by(v, "NumberOfElements")) {
    return count->attr<bool>("inverted") && last_axis_only(count->attr<std::vector<int64_t>>("axes"), rank);
  }
  std::optional<double> c = m.scalar(v);
  return c && *c == static_cast<float>(1.0 / static_cast<double>(n));
}

// MLX's mean over the last axis, Sum(a) · 1/n, with the Multiply and the Sum read only
// here. Returns a, and whether the count (a NumberOfElements) reads a too.
struct Mean {
  ValueId of;
  bool count_reads_it;
};

std::optional<Mean> mean_of(const Matcher& m, ValueId mean) {
  const Node* mul = m.only_for_one(mean, "Multiply");
  if (!mul || mul->inputs.size() != 2) return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    const Node* sum = m.only_for_one(mul->inputs[side], "Reduce");
    if (!sum || sum->attr<int64_t>("reduce_type") != kReduceSum) continue;
    ValueId a = sum->inputs[0];
    const Shape& shape = m.graph().value(a).shape;
    if (shape.empty() || !last_axis_only(sum->attr<std::vector<int64_t>>("axes"), shape.size()) ||
        !inverse_count(m, mul->inputs[1 - side], shape.size(), shape.back())) {
      continue;
    }
    const Node* count = m.made_by(mul->inputs[1 - side], "NumberOfElements");
    return Mean{a, count && count->inputs.at(0) == a};
  }
  return std::nullopt;
}

// mean(x²) over the last axis, the squares read by nothing else. Returns x.
std::optional<ValueId> mean_of_square(const Matcher& m, ValueId mean) {
  std::optional<Mean> ms = mean_of(m, mean);
  if (!ms) return std::nullopt;
  const Node* square = m.made_by(ms->of, "Square");
  if (!square || m.uses(ms->of) != (ms->count_reads_it ? 2 : 1)) return std::nullopt;
  return square->inputs[0];
}

// x·rsqrt(v + eps) as Multiply(x, Sqrt⁻¹(Add(v, eps))) for node `scaled`, rsqrt read only
// here: (x, v, eps).
struct Normalized {
  ValueId x, variance;
  double eps;
};

std::optional<Normalized> normalized(const Matcher& m, const Node& scaled) {
  if (scaled.op != "Multiply" || scaled.inputs.size() != 2) return std::nullopt;
  for (int s = 0; s < 2; ++s) {
    const Node* rsqrt = m.only_for_one(scaled.inputs[s], "Sqrt");
    if (!rsqrt || !rsqrt->attr<bool>("reciprocal")) continue;
    const Node* add = m.only_for_one(rsqrt->inputs[0], "Add");
    if (!add || add->inputs.size() != 2) continue;
    for (int a = 0; a < 2; ++a) {
      if (std::optional<double> eps = m.scalar(add->inputs[a])) return Normalized{scaled.inputs[1 - s], add->inputs[1 - a], *eps};
    }
  }
  return std::nullopt;
}

// A float32 vector of x's last axis (a norm's weight or bias), and an output of x's shape.
bool norm_shapes(const Graph& g, ValueId x, ValueId vector, ValueId out) {
  const Value& xv = g.value(x);
  const Value& vv = g.value(vector);
  return xv.dtype == DType::Float32 && vv.dtype == DType::Float32 && vv.shape.size() == 1 && !xv.shape.empty() &&
         vv.shape[0] == xv.shape.back() && g.value(out).shape == xv.shape;
}

// Multiply(x·rsqrt(mean(x²) + eps), w) ending at node `out`: RMSNorm(x, w; eps).
bool fuse_rms_norm(const Matcher& m, Node& out) {
  if (out.op != "Multiply" || out.inputs.size() != 2) return false;
  for (int side = 0; side < 2; ++side) {
    const Node* scaled = m.only_for_one(out.inputs[side], "Multiply");
    ValueId w = out.inputs[1 - side];
    std::optional<Normalized> n = scaled ? normalized(m, *scaled) : std::nullopt;
    if (!n || mean_of_square(m, n->variance) != n->x || !norm_shapes(m.graph(), n->x, w, out.outputs[0])) continue;
    out.op = "RMSNorm";
    out.inputs = {n->x, w};
    out.attrs = {{"eps", n->eps}};
    return true;
  }
  return false;
}

// Add(Multiply(c·rsqrt(mean(c²) + eps), w), b) with c = x − mean(x), ending at node `out`:
// LayerNorm(x, w, b; eps).
bool fuse_layer_norm(const Matcher& m, Node& out) {
  if (out.op != "Add" || out.inputs.size() != 2) return false;
  for (int side = 0; side < 2; ++side) {
    const Node* weighted = m.only_for_one(out.inputs[side], "Multiply");
    ValueId b = out.inputs[1 - side];
    if (!weighted || weighted->inputs.size() != 2) continue;
    for (int ws = 0; ws < 2; ++ws) {
      const Node* scaled = m.only_for_one(weighted->inputs[ws], "Multiply");
      ValueId w = weighted->inputs[1 - ws];
      std::optional<Normalized> n = scaled ? normalized(m, *scaled) : std::nullopt;
      if (!n || mean_of_square(m, n->variance) != n->x) continue;
      // The centered values: read by the square and the scaling only.
      const Node* centered = m.made_by(n->x, "Subtract");
      if (!centered || m.uses(n->x) != 2 || m.uses(centered->inputs[1]) != 1) continue;
      ValueId x = centered->inputs[0];
      std::optional<Mean> mu = mean_of(m, centered->inputs[1]);
      if (!mu || mu->of != x || !norm_shapes(m.graph(), x, w, out.outputs[0]) ||
          !norm_shapes(m.graph(), x, b, out.outputs[0])) {
        continue;
      }
      out.op = "LayerNorm";
      out.inputs = {x, w, b};
      out.attrs = {{"eps", n->eps}};
      return true;
    }
  }
  return false;
}

}  // namespace

void fuse_norms(Graph& graph) {
  Matcher matcher(graph);
  // LayerNorm first: its inner x·rsqrt(mean(x²) + eps)·w, over centered x, also reads as an
  // RMSNorm (a correct one, but two nodes where one will do).
  for (Node& node : graph.nodes) fuse_layer_norm(matcher, node);
  for (Node& node : graph.nodes) fuse_rms_norm(matcher, node);
}

}  // namespace mlx_onnx::passes
