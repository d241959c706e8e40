#include "passes/dynamic_dims.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace mlx_onnx::passes {
namespace {

using Flags = std::vector<bool>;

// Primitives whose result has the broadcast shape of their operands (aligned from the
// last axis): elementwise functions, and those that keep their operand's shape.
const std::unordered_set<std::string_view>& shape_following() {
  static const std::unordered_set<std::string_view> ops = {
      "Abs", "Add", "ArcCos", "ArcCosh", "ArcSin", "ArcSinh", "ArcTan", "ArcTan2", "ArcTanh", "ArgPartition",
      "ArgSort", "AsType", "BitwiseBinary", "Broadcast", "BroadcastAxes", "Ceil", "Copy", "Cos", "Cosh",
      "Divide", "Equal", "Erf", "ErfInv", "Exp", "Expm1", "Floor", "FloorDivide", "Greater", "GreaterEqual",
      "LayerNorm", "Less", "LessEqual", "Log", "Log1p", "LogAddExp", "LogicalAnd", "LogicalNot", "LogicalOr",
      "Maximum", "Minimum", "Multiply", "Negative", "NotEqual", "Partition", "Power", "RMSNorm", "Remainder",
      "Round", "Scan", "Select", "Sigmoid", "Sign", "Sin", "Sinh", "Softmax", "Sort", "Sqrt", "Square",
      "StopGradient", "Subtract", "Tan", "Tanh",
  };
  return ops;
}

struct Marker {
  Graph& graph;
  const Node* node = nullptr;

  const Flags& in(size_t i) const { return graph.values.at(node->inputs.at(i)).dynamic; }
  size_t in_rank(size_t i) const { return graph.value(node->inputs.at(i)).shape.size(); }
  size_t out_rank(size_t i = 0) const { return graph.value(node->outputs.at(i)).shape.size(); }
  bool any_dynamic() const {
    for (ValueId v : node->inputs) {
      const Flags& f = graph.value(v).dynamic;
      if (std::find(f.begin(), f.end(), true) != f.end()) return true;
    }
    return false;
  }
  // The flags of operand i, aligned to the last axis of a result of rank `rank`.
  bool aligned(size_t i, size_t axis, size_t rank) const {
    size_t r = in_rank(i);
    return axis + r >= rank && graph.value(node->inputs.at(i)).is_dynamic(axis + r - rank);
  }
  Flags broadcast(size_t first, size_t count, size_t rank) const {
    Flags out(rank, false);
    for (size_t i = first; i < first + count; ++i) {
      if (in_rank(i) > rank) return Flags(rank, true);
      for (size_t axis = 0; axis < rank; ++axis) out[axis] = out[axis] || aligned(i, axis, rank);
    }
    return out;
  }
  const std::vector<int64_t>& ints(const char* name) const { return node->attr<std::vector<int64_t>>(name); }
  static int64_t axis_in(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

  // The flags of each result; any unexpected layout falls back to "all dynamic".
  std::vector<Flags> results() const {
    const std::string& op = node->op;
    size_t rank = out_rank();
    if (shape_following().count(op)) return {broadcast(0, node->inputs.size(), rank)};
    if (op == "Reduce" || op == "ArgReduce") {
      if (in_rank(0) != rank) return {};
      Flags out = in(0);
      std::vector<int64_t> axes = op == "Reduce" ? ints("axes") : std::vector<int64_t>{node->attr<int64_t>("axis")};
      for (int64_t a : axes) {
        int64_t axis = axis_in(a, rank);
        if (axis < 0 || axis >= static_cast<int64_t>(rank)) return {};
        out[axis] = false;
      }
      return {out};
    }
    if (op == "Matmul" && node->inputs.size() == 2 && rank >= 2 && in_rank(0) >= 2 && in_rank(1) >= 2) {
      Flags out(rank, false);
      for (size_t axis = 0; axis + 2 < rank; ++axis) out[axis] = aligned(0, axis, rank) || aligned(1, axis, rank);
      out[rank - 2] = graph.value(node->inputs[0]).is_dynamic(in_rank(0) - 2);
      out[rank - 1] = graph.value(node->inputs[1]).is_dynamic(in_rank(1) - 1);
      return {out};
    }
    if (op == "Transpose") {
      const std::vector<int64_t>& perm = ints("axes");
      if (perm.size() != rank || in_rank(0) != rank) return {};
      Flags out(rank);
      for (size_t axis = 0; axis < rank; ++axis) {
        if (perm[axis] < 0 || perm[axis] >= static_cast<int64_t>(rank)) return {};
        out[axis] = in(0)[perm[axis]];
      }
      return {out};
    }
    if (op == "ExpandDims" || op == "Squeeze") {
      bool expand = op == "ExpandDims";
      size_t axes_rank = expand ? rank : in_rank(0);
      std::vector<bool> listed(axes_rank, false);
      for (int64_t a : ints("axes")) {
        int64_t axis = axis_in(a, axes_rank);
        if (axis < 0 || axis >= static_cast<int64_t>(axes_rank)) return {};
        listed[axis] = true;
      }
      Flags out;
      size_t next = 0;
      for (size_t axis = 0; axis < axes_rank; ++axis) {
        if (expand) out.push_back(listed[axis] ? false : in(0).at(next++));
        else if (!listed[axis]) out.push_back(in(0)[axis]);
      }
      if (out.size() != rank) return {};
      return {out};
    }
    if (op == "Reshape") {
      const std::vector<int64_t>& shape = ints("shape");
      if (shape.size() != rank) return {};
      bool dynamic = any_dynamic();
      Flags out(rank);
      for (size_t axis = 0; axis < rank; ++axis) out[axis] = shape[axis] == -1 && dynamic;
      return {out};
    }
    if (op == "Flatten") {
      int64_t start = axis_in(node->attr<int64_t>("start_axis"), in_rank(0)), end = axis_in(node->attr<int64_t>("end_axis"), in_rank(0));
      if (start < 0 || end < start || end >= static_cast<int64_t>(in_rank(0)) || rank != in_rank(0) - (end - start)) return {};
      const Flags& f = in(0);
      Flags out(f.begin(), f.begin() + start);
      out.push_back(std::find(f.begin() + start, f.begin() + end + 1, true) != f.begin() + end + 1);
      out.insert(out.end(), f.begin() + end + 1, f.end());
      return {out};
    }
    if (op == "Unflatten") {
      int64_t axis = axis_in(node->attr<int64_t>("axis"), in_rank(0));
      const std::vector<int64_t>& sizes = ints("shape");
      if (axis < 0 || axis >= static_cast<int64_t>(in_rank(0)) || rank != in_rank(0) + sizes.size() - 1) return {};
      const Flags& f = in(0);
      Flags out(f.begin(), f.begin() + axis);
      for (int64_t size : sizes) out.push_back(size == -1 && f[axis]);
      out.insert(out.end(), f.begin() + axis + 1, f.end());
      return {out};
    }
    if (op == "Concatenate") {
      int64_t axis = axis_in(node->attr<int64_t>("axis"), rank);
      for (size_t i = 0; i < node->inputs.size(); ++i) {
        if (in_rank(i) != rank) return {};
      }
      if (axis < 0 || axis >= static_cast<int64_t>(rank)) return {};
      return {broadcast(0, node->inputs.size(), rank)};
    }
    if (op == "Split" || op == "Slice") {
      // Each part keeps its operand's flags (a part of a dynamic axis is dynamic).
      if (in_rank(0) != rank) return {};
      return std::vector<Flags>(node->outputs.size(), in(0));
    }
    if (op == "Gather" && node->inputs.size() >= 2) {
      // Index shape, then the slice sizes, which are fixed.
      size_t index_rank = in_rank(1);
      if (rank != index_rank + in_rank(0)) return {};
      Flags out = broadcast(1, node->inputs.size() - 1, index_rank);
      out.resize(rank, false);
      return {out};
    }
    if (op == "GatherAxis" && node->inputs.size() == 2) return {broadcast(1, 1, rank)};
    if (op == "NumberOfElements") return {Flags(rank, false)};
    if ((op == "RoPE" || op == "FusedRotary") && in_rank(0) == rank) return {in(0)};
    if (op == "QuantizedMatmul" && node->inputs.size() >= 2 && in_rank(0) == rank && rank >= 1) {
      // x [..., K] times a [N, K] (or [K, N]) weight: the weight's sizes give N.
      Flags out = in(0);
      const Flags& w = in(1);
      out.back() = std::find(w.begin(), w.end(), true) != w.end();
      return {out};
    }
    if (op == "ScaledDotProductAttention" && node->inputs.size() >= 3 && in_rank(0) == rank && in_rank(2) == rank) {
      // q [B, H, L, D] attends to v [B, H, S, Dv]: [B, H, L, Dv].
      Flags out = in(0);
      out.back() = in(2).back();
      return {out};
    }
    return {};
  }
};

}  // namespace

void mark_dynamic_dims(Graph& graph) {
  if (!graph.shapeless) return;
  for (Value& v : graph.values) v.dynamic.assign(v.shape.size(), false);
  for (size_t i = 0; i < graph.inputs.size() && i < graph.input_dim_params.size(); ++i) {
    Value& v = graph.values.at(graph.inputs[i]);
    const auto& params = graph.input_dim_params[i];
    for (size_t axis = 0; axis < v.dynamic.size() && axis < params.size(); ++axis) v.dynamic[axis] = !params[axis].empty();
  }
  Marker marker{graph};
  for (const Node& node : graph.nodes) {
    marker.node = &node;
    std::vector<Flags> flags;
    try {
      flags = marker.results();
    } catch (const std::exception&) {
      flags.clear();  // a malformed node: lowering reports it
    }
    bool dynamic = marker.any_dynamic();
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      Value& out = graph.values.at(node.outputs[i]);
      if (i < flags.size() && flags[i].size() == out.shape.size()) out.dynamic = flags[i];
      else out.dynamic.assign(out.shape.size(), dynamic);
    }
  }
}

}  // namespace mlx_onnx::passes
