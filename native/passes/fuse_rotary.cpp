#include "passes/fuse_rotary.h"

#include <optional>

#include "passes/matcher.h"

namespace mlx_onnx::passes {
namespace {

int64_t last_axis(const Matcher& m, const Node& n, int64_t axis) {
  int64_t rank = static_cast<int64_t>(m.graph().value(n.outputs[0]).shape.size());
  return axis < 0 ? axis + rank : axis;
}

// A Slice of the last axis of x (shape `x`), [begin, end) with unit steps, whole elsewhere.
bool slices_last_axis(const Node& s, const Shape& x, int64_t begin, int64_t end) {
  const std::vector<int64_t>& start = s.attr<std::vector<int64_t>>("start");
  const std::vector<int64_t>& stop = s.attr<std::vector<int64_t>>("end");
  const std::vector<int64_t>& step = s.attr<std::vector<int64_t>>("strides");
  if (x.empty() || start.size() != x.size() || stop.size() != x.size() || step.size() != x.size()) return false;
  for (size_t i = 0; i + 1 < x.size(); ++i) {
    if (start[i] != 0 || stop[i] != x[i] || step[i] != 1) return false;
  }
  return start.back() == begin && stop.back() == end && step.back() == 1;
}

// The halves of x's first `2·half` features, and the features past them when a split
// gave them: the outputs of Split(x, [half(, 2·half)], -1), or Slices [0, half) and
// [half, 2·half) of the last axis.
struct Halves {
  ValueId x;
  std::optional<ValueId> rest;
};

std::optional<Halves> halves_of(const Matcher& m, ValueId a, ValueId b, int64_t half) {
  if (const Node* split = m.made_by(a, "Split")) {
    const std::vector<int64_t>& at = split->attr<std::vector<int64_t>>("indices");
    bool whole = split->outputs.size() == 2 && at == std::vector<int64_t>{half};
    bool partial = split->outputs.size() == 3 && at == std::vector<int64_t>{half, 2 * half};
    int64_t last = static_cast<int64_t>(m.graph().value(a).shape.size()) - 1;
    if ((!whole && !partial) || split->outputs[0] != a || split->outputs[1] != b ||
        last_axis(m, *split, split->attr<int64_t>("axis")) != last) {
      return std::nullopt;
    }
    return Halves{split->inputs[0], partial ? std::optional<ValueId>(split->outputs[2]) : std::nullopt};
  }
  const Node* sa = m.made_by(a, "Slice");
  const Node* sb = m.made_by(b, "Slice");
  if (!sa || !sb || sa->inputs[0] != sb->inputs[0]) return std::nullopt;
  const Shape& x = m.graph().value(sa->inputs[0]).shape;
  if (!slices_last_axis(*sa, x, 0, half) || !slices_last_axis(*sb, x, half, 2 * half)) return std::nullopt;
  return Halves{sa->inputs[0], std::nullopt};
}

// The features of x past its first `dims`: Slice [dims, D) of the last axis.
bool is_rest_of(const Matcher& m, ValueId rest, ValueId x, int64_t dims) {
  const Node* s = m.made_by(rest, "Slice");
  const Shape& xs = m.graph().value(x).shape;
  return s && s->inputs[0] == x && !xs.empty() && slices_last_axis(*s, xs, dims, xs.back());
}

// Multiply(p, q) in either order.
bool is_product(const Matcher& m, ValueId v, ValueId p, ValueId q) {
  const Node* mul = m.made_by(v, "Multiply");
  return mul && mul->inputs.size() == 2 &&
         ((mul->inputs[0] == p && mul->inputs[1] == q) || (mul->inputs[0] == q && mul->inputs[1] == p));
}

bool fuse(const Matcher& m, Node& out) {
  if (out.op != "Concatenate" || (out.inputs.size() != 2 && out.inputs.size() != 3)) return false;
  const Shape& shape = m.graph().value(out.outputs[0]).shape;
  if (shape.size() < 3 || last_axis(m, out, out.attr<int64_t>("axis")) != static_cast<int64_t>(shape.size()) - 1) return false;
  const Node* first = m.made_by(out.inputs[0], "Subtract");
  const Node* second = m.made_by(out.inputs[1], "Add");
  if (!first || !second) return false;
  // first = a·cos − b·sin: find a and b through the split halves they come from.
  const Node* ac = m.made_by(first->inputs[0], "Multiply");
  const Node* bs = m.made_by(first->inputs[1], "Multiply");
  if (!ac || !bs || ac->inputs.size() != 2 || bs->inputs.size() != 2) return false;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      ValueId a = ac->inputs[i], cos = ac->inputs[1 - i], b = bs->inputs[j], sin = bs->inputs[1 - j];
      const Shape& half_shape = m.graph().value(a).shape;
      if (half_shape.empty() || m.graph().value(b).shape != half_shape) continue;
      int64_t half = half_shape.back();
      std::optional<Halves> halves = halves_of(m, a, b, half);
      if (!halves || m.graph().value(halves->x).shape != shape) continue;
      ValueId x = halves->x;
      // second = a·sin + b·cos, in either order.
      bool rotated = (is_product(m, second->inputs[0], a, sin) && is_product(m, second->inputs[1], b, cos)) ||
                     (is_product(m, second->inputs[1], a, sin) && is_product(m, second->inputs[0], b, cos));
      bool rest = out.inputs.size() == 3
                      ? (halves->rest ? *halves->rest == out.inputs[2] : is_rest_of(m, out.inputs[2], x, 2 * half))
                      : !halves->rest && 2 * half == shape.back();
      const Value& c = m.graph().value(cos);
      if (!rotated || !rest || c.dtype != m.graph().value(x).dtype || m.graph().value(sin).shape != c.shape ||
          c.shape.size() > shape.size() || c.shape.empty() || c.shape.back() != half) {
        continue;
      }
      out.op = "FusedRotary";
      out.inputs = {x, cos, sin};
      out.attrs = {{"dims", 2 * half}};
      return true;
    }
  }
  return false;
}

}  // namespace

void fuse_rotary(Graph& graph) {
  Matcher matcher(graph);
  for (Node& node : graph.nodes) fuse(matcher, node);
}

}  // namespace mlx_onnx::passes
