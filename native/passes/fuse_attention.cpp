#include "passes/fuse_attention.h"

#include <limits>
#include <optional>

#include "passes/matcher.h"

namespace mlx_onnx::passes {
namespace {

int64_t axis_in(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

size_t rank_of(const Matcher& m, ValueId v) { return m.graph().value(v).shape.size(); }

// x where `v` is ExpandDims(x, axis), else nullopt.
std::optional<ValueId> expanded_at(const Matcher& m, ValueId v, int64_t axis) {
  const Node* e = m.made_by(m.unbroadcast(v), "ExpandDims");
  if (!e || e->attr<std::vector<int64_t>>("axes").size() != 1 || axis_in(e->attr<std::vector<int64_t>>("axes")[0], rank_of(m, e->outputs[0])) != axis) {
    return std::nullopt;
  }
  return e->inputs[0];
}

// A transpose of the last two axes only.
bool swaps_last_two(const Node& t) {
  const std::vector<int64_t>& perm = t.attr<std::vector<int64_t>>("axes");
  size_t r = perm.size();
  if (r < 2) return false;
  for (size_t i = 0; i + 2 < r; ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return perm[r - 2] == static_cast<int64_t>(r - 1) && perm[r - 1] == static_cast<int64_t>(r - 2);
}

struct Scores {
  ValueId q, k;
  double scale;
  bool grouped;  // q viewed as (B, Hkv, G, L, D), k and v as (B, Hkv, 1, S, D)
};

// Matmul(Multiply(scale, q) [Unflatten(axis 1)], Transpose(k [ExpandDims(2)])): the scores.
std::optional<Scores> scores_of(const Matcher& m, ValueId s) {
  const Node* mm = m.only_for_one(s, "Matmul");
  if (!mm || mm->inputs.size() != 2) return std::nullopt;
  ValueId scaled = mm->inputs[0];
  bool grouped = false;
  if (const Node* u = m.only_for_one(scaled, "Unflatten")) {
    if (rank_of(m, u->inputs[0]) != 4 || axis_in(u->attr<int64_t>("axis"), 4) != 1 || u->attr<std::vector<int64_t>>("shape").size() != 2) {
      return std::nullopt;
    }
    scaled = u->inputs[0];
    grouped = true;
  }
  const Node* mul = m.only_for_one(scaled, "Multiply");
  const Node* t = m.made_by(m.unbroadcast(mm->inputs[1]), "Transpose");
  if (!mul || mul->inputs.size() != 2 || !t || !swaps_last_two(*t)) return std::nullopt;
  std::optional<ValueId> k = grouped ? expanded_at(m, t->inputs[0], 2) : std::optional<ValueId>(t->inputs[0]);
  if (!k || rank_of(m, *k) != 4) return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    std::optional<double> scale = m.scalar(mul->inputs[side]);
    ValueId q = mul->inputs[1 - side];
    if (scale && rank_of(m, q) == 4) return Scores{q, *k, *scale, grouped};
  }
  return std::nullopt;
}

// The mask as the fallback received it: undoes its grouped view (ExpandDims(-3) or
// Unflatten(-3) of a mask of rank 3 or more).
std::optional<ValueId> ungrouped_mask(const Matcher& m, ValueId v, bool grouped) {
  v = m.unbroadcast(v);
  if (!grouped || rank_of(m, v) < 3) return v;
  size_t r = rank_of(m, v);
  if (std::optional<ValueId> x = expanded_at(m, v, static_cast<int64_t>(r) - 3)) return m.unbroadcast(*x);
  const Node* u = m.made_by(v, "Unflatten");
  if (u && axis_in(u->attr<int64_t>("axis"), r - 1) == static_cast<int64_t>(r) - 4 && u->attr<std::vector<int64_t>>("shape").size() == 2) {
    return m.unbroadcast(u->inputs[0]);
  }
  return std::nullopt;
}

// arange(start, start + n) as one Arange node.
bool is_arange(const Matcher& m, ValueId v, int64_t start, int64_t n) {
  const Node* a = m.made_by(m.unbroadcast(v), "Arange");
  const Shape& s = m.graph().value(m.unbroadcast(v)).shape;
  return a && s.size() == 1 && s[0] == n && a->attr<double>("start") == static_cast<double>(start) && a->attr<double>("step") == 1.0;
}

// MLX's causal mask for Lq queries and Lk keys: arange(Lk − Lq, Lk)[:, None] >= arange(Lk)[None].
bool is_causal_mask(const Matcher& m, ValueId mask, int64_t lq, int64_t lk) {
  const Node* ge = m.made_by(mask, "GreaterEqual");
  if (!ge || ge->inputs.size() != 2) return false;
  std::optional<ValueId> qi = expanded_at(m, ge->inputs[0], 1);
  std::optional<ValueId> ki = expanded_at(m, ge->inputs[1], 0);
  return qi && ki && is_arange(m, *qi, std::max<int64_t>(lk - lq, 0), lq) && is_arange(m, *ki, 0, lk);
}

// The lowest finite value of a float dtype, as where() receives it.
bool is_lowest(const Matcher& m, ValueId v) {
  std::optional<double> x = m.scalar(v);
  DType dt = m.graph().value(v).dtype;
  if (!x) return false;
  if (dt == DType::Float16) return *x == -65504.0;
  if (dt == DType::BFloat16) return *x < -3.38e38;
  return *x == static_cast<double>(std::numeric_limits<float>::lowest());
}

// Softmax(scores [masked]) @ v [Flatten(1, 2)] ending at node `out`.
bool fuse_sdpa(const Matcher& m, Node& out) {
  const Node* mm = &out;
  if (out.op == "Flatten") {
    if (out.attr<int64_t>("start_axis") != 1 || out.attr<int64_t>("end_axis") != 2) return false;
    mm = m.only_for_one(out.inputs[0], "Matmul");
  } else if (out.op != "Matmul") {
    return false;
  }
  if (!mm || mm->inputs.size() != 2) return false;
  const Node* softmax = m.only_for_one(mm->inputs[0], "Softmax");
  if (!softmax || !softmax->attr<bool>("precise")) return false;
  ValueId masked = softmax->inputs[0];
  std::optional<Scores> s;
  std::optional<ValueId> mask;
  bool causal = false;
  if (const Node* add = m.only_for_one(masked, "Add"); add && add->inputs.size() == 2) {
    s = scores_of(m, add->inputs[0]);
    if (s) mask = ungrouped_mask(m, add->inputs[1], s->grouped);
    if (!mask) return false;
  } else if (const Node* sel = m.only_for_one(masked, "Select"); sel && sel->inputs.size() == 3) {
    s = scores_of(m, sel->inputs[1]);
    if (s) mask = ungrouped_mask(m, sel->inputs[0], s->grouped);
    if (!mask || !is_lowest(m, sel->inputs[2])) return false;
  } else {
    s = scores_of(m, masked);
  }
  if (!s || (out.op == "Flatten") != s->grouped) return false;
  std::optional<ValueId> v = s->grouped ? expanded_at(m, mm->inputs[1], 2) : std::optional<ValueId>(m.unbroadcast(mm->inputs[1]));
  if (!v || rank_of(m, *v) != 4) return false;
  const Shape& q = m.graph().value(s->q).shape;
  const Shape& k = m.graph().value(s->k).shape;
  const Shape& vs = m.graph().value(*v).shape;
  bool shapes_agree = q[0] == k[0] && k[0] == vs[0] && k[1] > 0 && q[1] % k[1] == 0 && k[1] == vs[1] &&
                      k[2] == vs[2] && q[3] == k[3];
  if (!shapes_agree || (mask && rank_of(m, *mask) > 4)) return false;
  if (mask && is_causal_mask(m, *mask, q[2], k[2])) {
    causal = true;
    mask.reset();
  }
  out.op = "ScaledDotProductAttention";
  out.inputs = {s->q, s->k, *v};
  if (mask) out.inputs.push_back(*mask);
  out.attrs = {{"scale", s->scale}, {"do_causal", causal}, {"has_sinks", false}, {"output_logsumexp", false},
               {"force_fused", false}};
  return true;
}

}  // namespace

void fuse_attention(Graph& graph) {
  Matcher matcher(graph);
  for (Node& node : graph.nodes) fuse_sdpa(matcher, node);
}

}  // namespace mlx_onnx::passes
