#include "passes/dynamic_dims.h"

#include <algorithm>
#include <map>

#include "graph/slice_update.h"
#include "passes/size_sources.h"

namespace mlx_onnx::passes {
namespace sizes {

// Primitives whose result has the broadcast shape of their operands (aligned from the
// last axis): elementwise functions, and those that keep their operand's shape.
const std::unordered_set<std::string_view>& shape_following() {
  static const std::unordered_set<std::string_view> ops = {
      "Abs", "Add", "ArcCos", "ArcCosh", "ArcSin", "ArcSinh", "ArcTan", "ArcTan2", "ArcTanh", "ArgPartition",
      "ArgSort", "AsType", "BitwiseBinary", "Broadcast", "BroadcastAxes", "Ceil", "Copy", "Cos", "Cosh",
      "Divide", "Equal", "Erf", "ErfInv", "Exp", "Expm1", "Floor", "FloorDivide", "Full", "Greater", "GreaterEqual",
      "LayerNorm", "Less", "LessEqual", "Log", "Log1p", "LogAddExp", "LogicalAnd", "LogicalNot", "LogicalOr",
      "Maximum", "Minimum", "Multiply", "Negative", "NotEqual", "Partition", "Power", "RMSNorm", "Remainder",
      "Round", "Scan", "Select", "Sigmoid", "Sign", "Sin", "Sinh", "Softmax", "Sort", "Sqrt", "Square",
      "StopGradient", "Subtract", "Tan", "Tanh",
  };
  return ops;
}

// The sizes of operands [first, first + count) that meet in each axis of a result of rank
// `rank` (aligned from the last axis; the last `skip` axes of each left out). A varying
// size may meet varying ones (their inputs must then agree at run time) but not a fixed
// one, unless `broadcasting` and the fixed size is 1.
Dims Marker::meet(size_t first, size_t count, size_t rank, bool broadcasting, const char* what, size_t skip) const {
  Dims out(rank, 0);
  for (size_t axis = 0; axis < rank; ++axis) {
    Sources varying = 0;
    int64_t fixed = -1;
    std::vector<const Node*> aranges;  // of the fixed sizes, if each is an arange's length
    bool all_aranges = true;
    for (size_t i = first; i < first + count; ++i) {
      size_t r = in_rank(i) - skip;
      if (r > rank) return Dims(rank, all_sources());
      if (axis + r < rank) continue;
      size_t a = axis + r - rank;
      if (in(i)[a]) {
        varying |= in(i)[a];
      } else if (!broadcasting || in_shape(i)[a] != 1) {
        fixed = in_shape(i)[a];
        const Node* origin = origins.at(node->inputs[i]).at(a);
        if (origin) aranges.push_back(origin);
        else all_aranges = false;
      }
    }
    if (varying && fixed >= 0 && !(all_aranges && recover(varying, aranges))) {
      conflict(varying, what + std::string(" a size fixed at ") + std::to_string(fixed));
    }
    out[axis] = varying;
  }
  return out;
}

// Axis a of operand i and axis b of operand j must be equal at run time (or, broadcasting,
// either a fixed 1): a varying size against a fixed one is baked.
void Marker::agree(size_t i, size_t a, size_t j, size_t b, bool broadcasting, const std::string& what) const {
  Sources x = in(i)[a], y = in(j)[b];
  int64_t xs = in_shape(i)[a], ys = in_shape(j)[b];
  auto arange = [&](size_t operand, size_t axis) {
    const Node* origin = origins.at(node->inputs[operand]).at(axis);
    return origin ? std::vector<const Node*>{origin} : std::vector<const Node*>{};
  };
  if (x && !y && !(broadcasting && ys == 1) && !recover(x, arange(j, b))) conflict(x, what + " a size fixed at " + std::to_string(ys));
  if (y && !x && !(broadcasting && xs == 1) && !recover(y, arange(i, a))) conflict(y, what + " a size fixed at " + std::to_string(xs));
}

// MLX's reshape target keeps -1 where the code wrote it, and the traced value of every
// Python-int size. The input and target dims fall into blocks of equal traced product; a
// block whose input sizes vary must end in the -1, which then follows them all. With
// Graph::recover_baked_sizes, the block's target entries are read at run time instead
// when they match its varying input dimensions by traced size (recover_block).
Dims Marker::reshape() const {
  const Shape& from = in_shape(0);
  const std::vector<int64_t>& target = ints("shape");
  const Shape& to = graph.value(node->outputs.at(0)).shape;
  Dims out(to.size(), 0);
  if (target.size() != to.size()) return Dims(to.size(), all_sources());
  size_t i = 0, j = 0;
  while (i < from.size() || j < to.size()) {
    // One block: a dim from each side, then more from the side whose product is smaller
    // until the products meet.
    int64_t left = 1, right = 1;
    Sources varying = 0;
    std::vector<size_t> block;
    auto take_in = [&] { varying |= in(0)[i]; left *= from[i++]; };
    auto take_out = [&] { block.push_back(j); right *= to[j++]; };
    if (i < from.size()) take_in();
    if (j < to.size()) take_out();
    while (left != right) {
      if ((left < right && i < from.size()) || (j >= to.size() && i < from.size())) take_in();
      else if (j < to.size()) take_out();
      else break;
    }
    if (!varying) continue;
    auto inferred = std::find_if(block.begin(), block.end(), [&](size_t k) { return target[k] == -1; });
    if (inferred == block.end() && graph.recover_baked_sizes && recover_block(block, varying, left, to, out)) {
      continue;
    } else if (inferred == block.end()) {
      conflict(varying, "to a shape recorded at its traced sizes");
    } else {
      out[*inferred] = varying;
    }
  }
  return out;
}

// The sources of each result's dims.
std::vector<Dims> Marker::results() const {
  const std::string& op = node->op;
  size_t rank = out_rank();
  const auto* fields = node->find_attr<std::string>("traced_differently");
  if (fields && against_traces) {
    Sources all = all_sources();
    conflict(all ? all : symbolic.all(), "records its " + *fields + " differently in each trace");
  }
  if (const auto* fitted = node->find_attr<std::vector<int64_t>>("recovered_dims")) return {recovered_sources(*fitted, rank)};
  if (shape_following().count(op)) return {meet(0, node->inputs.size(), rank, true, "broadcasts against")};
  if (op == "Reduce" || op == "ArgReduce") {
    if (in_rank(0) != rank) return {};
    Dims out = in(0);
    std::vector<int64_t> axes = op == "Reduce" ? ints("axes") : std::vector<int64_t>{node->attr<int64_t>("axis")};
    for (int64_t a : axes) {
      int64_t axis = axis_in(a, rank);
      if (axis < 0 || axis >= static_cast<int64_t>(rank)) return {};
      out[axis] = 0;
    }
    return {out};
  }
  bool matmul = (op == "Matmul" && node->inputs.size() == 2) || (op == "AddMM" && node->inputs.size() == 3);
  if (matmul && rank >= 2 && in_rank(0) >= 2 && in_rank(1) >= 2) {
    Dims out(rank, 0);
    Dims batch = meet(0, 2, rank - 2, true, "broadcasts against", 2);
    std::copy(batch.begin(), batch.end(), out.begin());
    Sources a = in(0)[in_rank(0) - 1], b = in(1)[in_rank(1) - 2];
    if ((a == 0) != (b == 0)) conflict(a | b, "contracts a varying size with a fixed one");
    out[rank - 2] = in(0)[in_rank(0) - 2];
    out[rank - 1] = in(1)[in_rank(1) - 1];
    if (op == "AddMM") {
      // + c, broadcast to the product.
      const Shape& product = graph.value(node->outputs.at(0)).shape;
      for (size_t k = 0; k < in_rank(2) && k < rank; ++k) {
        size_t axis = rank - 1 - k, c_axis = in_rank(2) - 1 - k;
        Sources c = in(2)[c_axis];
        bool c_fixed_one = !c && in_shape(2)[c_axis] == 1;
        if (c && !out[axis] && product[axis] != 1) conflict(c, "adds a varying size to a fixed one");
        if (!c && out[axis] && !c_fixed_one) conflict(out[axis], "adds a size fixed at " + std::to_string(in_shape(2)[c_axis]) + " to a varying one");
        out[axis] |= c;
      }
    }
    return {out};
  }
  if (op == "Transpose") {
    const std::vector<int64_t>& perm = ints("axes");
    if (perm.size() != rank || in_rank(0) != rank) return {};
    Dims out(rank);
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
    Dims out;
    size_t next = 0;
    for (size_t axis = 0; axis < axes_rank; ++axis) {
      if (expand) out.push_back(listed[axis] ? 0 : in(0).at(next++));
      else if (!listed[axis]) out.push_back(in(0)[axis]);
      else conflict(in(0)[axis], "removes an axis of size 1");
    }
    if (out.size() != rank) return {};
    return {out};
  }
  if (op == "Reshape") return {reshape()};
  if (op == "Flatten") {
    int64_t start = axis_in(node->attr<int64_t>("start_axis"), in_rank(0)), end = axis_in(node->attr<int64_t>("end_axis"), in_rank(0));
    if (start < 0 || end < start || end >= static_cast<int64_t>(in_rank(0)) || rank != in_rank(0) - (end - start)) return {};
    const Dims& d = in(0);
    Dims out(d.begin(), d.begin() + start);
    Sources merged = 0;
    for (int64_t axis = start; axis <= end; ++axis) merged |= d[axis];
    out.push_back(merged);
    out.insert(out.end(), d.begin() + end + 1, d.end());
    return {out};
  }
  if (op == "Unflatten") {
    int64_t axis = axis_in(node->attr<int64_t>("axis"), in_rank(0));
    const std::vector<int64_t>& sizes = ints("shape");
    if (axis < 0 || axis >= static_cast<int64_t>(in_rank(0)) || rank != in_rank(0) + sizes.size() - 1) return {};
    const Dims& d = in(0);
    Dims out(d.begin(), d.begin() + axis);
    bool inferred = std::find(sizes.begin(), sizes.end(), -1) != sizes.end();
    if (d[axis] && !inferred) conflict(d[axis], "splits a varying axis into sizes recorded at their traced values");
    for (int64_t size : sizes) out.push_back(size == -1 ? d[axis] : 0);
    out.insert(out.end(), d.begin() + axis + 1, d.end());
    return {out};
  }
  if (op == "Concatenate") {
    int64_t axis = axis_in(node->attr<int64_t>("axis"), rank);
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      if (in_rank(i) != rank) return {};
    }
    if (axis < 0 || axis >= static_cast<int64_t>(rank)) return {};
    Dims out(rank, 0);
    for (size_t a = 0; a < rank; ++a) {
      if (static_cast<int64_t>(a) == axis) {
        for (size_t i = 0; i < node->inputs.size(); ++i) out[a] |= in(i)[a];
      }
    }
    Dims others = meet(0, node->inputs.size(), rank, false, "joins, beside the axis it concatenates,");
    for (size_t a = 0; a < rank; ++a) {
      if (static_cast<int64_t>(a) != axis) out[a] = others[a];
    }
    return {out};
  }
  if (op == "Slice") {
    // A whole varying axis follows its size; a part of one is cut at traced bounds.
    if (in_rank(0) != rank) return {};
    const auto &start = ints("start"), &end = ints("end"), &strides = ints("strides");
    // Bounds merged traces recovered are computed at run time.
    const auto* starts = node->find_attr<std::vector<int64_t>>("recovered_starts");
    const auto* ends = node->find_attr<std::vector<int64_t>>("recovered_ends");
    Dims from_starts = starts ? recovered_sources(*starts, rank) : Dims(rank, 0);
    Dims from_ends = ends ? recovered_sources(*ends, rank) : Dims(rank, 0);
    Dims out = in(0);
    for (size_t a = 0; a < rank && a < start.size() && a < end.size() && a < strides.size(); ++a) {
      bool whole = start[a] == 0 && strides[a] == 1 && end[a] >= in_shape(0)[a];
      if (from_starts[a] || from_ends[a]) {
        out[a] |= from_starts[a] | from_ends[a];
        if (same_in_traces(node->outputs.at(0), a)) out[a] = 0;  // a part of fixed size (x[:, -1:])
      } else if (in(0)[a] && !whole) {
        conflict(in(0)[a], "cuts a varying axis at bounds recorded at their traced values");
      }
    }
    return {out};
  }
  if (op == "SliceUpdate" && node->inputs.size() == 2 && in_rank(0) == rank && in_rank(1) == rank) {
    // The update written into the data: on axes it takes whole the two sizes agree. A
    // write along one axis is joined around at run time (lower/scatter.cpp); any other
    // write indexes every axis up to the last one it cuts at the recorded sizes.
    const Shape &data = in_shape(0), &block = in_shape(1);
    const auto &start = ints("start"), &strides = ints("strides");
    const auto joined = joined_axis(*node, data, block);
    size_t depth = 0;
    for (size_t a = 0; a < rank && a < start.size() && a < strides.size(); ++a) {
      if (!(start[a] == 0 && strides[a] == 1 && block[a] == data[a])) depth = a + 1;
    }
    Dims out = in(0);
    for (size_t a = 0; a < rank; ++a) {
      bool whole = a < start.size() && a < strides.size() && start[a] == 0 && strides[a] == 1 && block[a] == data[a];
      if (whole) {
        agree(0, a, 1, a, false, "writes a block with sizes of");
        out[a] |= in(1)[a];
      } else {
        conflict(in(1)[a], "writes a block of varying size at recorded bounds");
      }
      if (!joined && a < depth) conflict(in(0)[a], "writes into a varying axis at indices recorded at their traced sizes");
    }
    return {out};
  }
  if (op == "Split") {
    if (in_rank(0) != rank) return {};
    int64_t axis = axis_in(node->attr<int64_t>("axis"), rank);
    if (axis >= 0 && axis < static_cast<int64_t>(rank)) {
      conflict(in(0)[axis], "splits a varying axis at indices recorded at their traced values");
    }
    return std::vector<Dims>(node->outputs.size(), in(0));
  }
  if (op == "Gather" && node->inputs.size() >= 2) {
    // Index shape, then the slice sizes, which are recorded: a whole varying axis of the
    // operand beside the gathered ones would keep its traced size.
    size_t index_rank = in_rank(1);
    if (rank != index_rank + in_rank(0)) return {};
    const std::vector<int64_t>& axes = ints("axes");
    for (size_t a = 0; a < in_rank(0); ++a) {
      if (std::find(axes.begin(), axes.end(), static_cast<int64_t>(a)) == axes.end()) {
        conflict(in(0)[a], "takes slices of a varying axis at their traced size");
      }
    }
    Dims out = meet(1, node->inputs.size() - 1, index_rank, true, "broadcasts indices against");
    out.resize(rank, 0);
    return {out};
  }
  if (op == "GatherAxis" && node->inputs.size() == 2) return {meet(1, 1, rank, true, "broadcasts indices against")};
  if (op == "NumberOfElements") return {Dims(rank, 0)};
  if (op == "Arange") {
    if (const auto* length = node->find_attr<std::vector<int64_t>>("length_of")) return {recovered_sources(*length, 1)};
    auto found = recovered.aranges.find(node);
    return {Dims{found == recovered.aranges.end() ? 0 : symbolic.of(found->second)}};
  }
  if (op == "RoPE" && in_rank(0) == rank) return {in(0)};
  if (op == "FusedRotary" && node->inputs.size() == 3 && in_rank(0) == rank && rank >= 1) {
    // cos and sin [..., L, dims / 2] broadcast against x [..., L, D] but for the last axis.
    meet(0, 3, rank - 1, true, "rotates with angles of", 1);
    return {in(0)};
  }
  if (op == "QuantizedMatmul" && node->inputs.size() >= 2 && in_rank(0) == rank && rank >= 1) {
    // x [..., K] times a fixed [N, K] (or [K, N]) weight.
    Dims out = in(0);
    conflict(out.back(), "contracts a varying size with a fixed weight");
    out.back() = 0;
    for (size_t i = 1; i < node->inputs.size(); ++i) {
      for (Sources s : in(i)) conflict(s, "has a weight of varying size");
    }
    return {out};
  }
  if (op == "Convolution" && node->inputs.size() == 2 && in_rank(0) == rank && in_rank(1) == rank && rank >= 3) {
    // x [B, spatial..., C] with a fixed weight [O, kernel..., C]: ONNX's Conv computes the
    // spatial sizes at run time, except where MLX's input dilation or negative padding
    // is written with the recorded sizes.
    Dims out = in(0);
    bool plain = true;
    for (int64_t d : ints("input_dilation")) plain = plain && d == 1;
    for (const char* pad : {"padding_lo", "padding_hi"}) {
      for (int64_t p : ints(pad)) plain = plain && p >= 0;
    }
    for (size_t axis = 1; axis + 1 < rank && !plain; ++axis) {
      conflict(out[axis], "dilates or crops a varying axis with sizes recorded at their traced values");
    }
    conflict(out.back(), "contracts varying channels with a fixed weight");
    for (Sources s : in(1)) conflict(s, "has a kernel of varying size");
    out.back() = 0;
    return {out};
  }
  if (op == "ScaledDotProductAttention" && node->inputs.size() >= 3 && in_rank(0) == rank && in_rank(2) == rank) {
    // q [B, H, L, D] attends to k [B, Hk, S, D] and v [B, Hk, S, Dv], under a mask that
    // broadcasts to the scores [B, H, L, S]: [B, H, L, Dv].
    if (rank == 4 && in_rank(1) == 4) {
      const std::string why = "attends with sizes of";
      agree(0, 0, 1, 0, true, why);
      agree(0, 3, 1, 3, false, why);
      agree(1, 0, 2, 0, true, why);
      agree(1, 2, 2, 2, false, why);
      if (node->inputs.size() >= 4 && in_rank(3) <= 4) {
        size_t r = in_rank(3);
        const std::pair<size_t, size_t> scores[4] = {{0, 0}, {0, 1}, {0, 2}, {1, 2}};  // (operand, axis) of each score axis
        for (size_t k = 0; k < r; ++k) {
          auto [operand, axis] = scores[4 - r + k];
          agree(operand, axis, 3, k, true, "masks with sizes of");
        }
      }
    }
    Dims out = in(0);
    out.back() = in(2).back();
    return {out};
  }
  return {};
}

Dims Marker::recovered_sources(const std::vector<int64_t>& flat, size_t rank) const {
  Dims out(rank, 0);
  for (const auto& [index, expr] : decode_sizes(flat)) {
    for (auto [value, axis] : expr.dims()) {
      if (value >= produced.size() || !produced[value] || axis >= dims.at(value).size()) {
        conflict(symbolic.all(), "reads the size of an array that is no longer computed");
        continue;
      }
      out.at(index) |= dims.at(value)[axis];
    }
  }
  return out;
}

bool Marker::same_in_traces(ValueId v, size_t axis) const {
  const Shape* first = graph.shape_in_trace(0, v);
  for (size_t t = 1; t <= graph.other_trace_shapes.size(); ++t) {
    const Shape* shape = graph.shape_in_trace(t, v);
    if (!first || !shape || shape->size() != first->size() || axis >= shape->size()) return false;
    if ((*shape)[axis] != (*first)[axis]) return false;
  }
  return true;
}

void Marker::check_against_traces(const std::vector<Dims>& results) const {
  if (!against_traces || graph.other_trace_shapes.empty()) return;
  for (size_t i = 0; i < node->outputs.size() && i < results.size(); ++i) {
    ValueId v = node->outputs[i];
    for (size_t axis = 0; axis < results[i].size(); ++axis) {
      bool known = graph.shape_in_trace(graph.other_trace_shapes.size(), v) != nullptr;
      if (results[i][axis] || !known || same_in_traces(v, axis)) continue;
      Sources all = all_sources();
      conflict(all ? all : symbolic.all(), "gives a size that differs between traces but is not computed from the inputs");
    }
  }
}

}  // namespace sizes

namespace {

using namespace sizes;

// The sources of every value's dims, and the conflicts met on the way.
std::vector<Conflict> propagate(Graph& graph, std::vector<Dims>& dims, Recovered& recovered, bool against_traces) {
  recovered.copies.clear();
  recovered.grew = false;
  dims.assign(graph.values.size(), {});
  Origins origins(graph.values.size());
  for (size_t v = 0; v < graph.values.size(); ++v) {
    dims[v].assign(graph.values[v].shape.size(), 0);
    origins[v].assign(graph.values[v].shape.size(), nullptr);
  }
  SymbolicDims symbolic(graph);
  for (size_t k = 0; k < symbolic.dims.size(); ++k) {
    auto [i, axis] = symbolic.dims[k];
    dims.at(graph.inputs.at(i)).at(axis) = SymbolicDims::bit(k);
  }
  std::vector<Conflict> conflicts;
  std::vector<bool> produced(graph.values.size(), false);
  for (ValueId v : graph.inputs) produced[v] = true;
  for (const Constant& c : graph.constants) produced[c.value] = true;
  Marker marker{graph, dims, origins, conflicts, recovered, symbolic, produced, against_traces};
  for (const Node& node : graph.nodes) {
    marker.node = &node;
    std::vector<Dims> results;
    try {
      results = marker.results();
    } catch (const std::exception&) {
      results.clear();  // a malformed node: lowering reports it
    }
    Sources all = marker.all_sources();
    bool known = results.size() == node.outputs.size();
    for (size_t i = 0; i < node.outputs.size() && known; ++i) {
      known = results[i].size() == graph.value(node.outputs[i]).shape.size();
    }
    if (!known) {
      marker.conflict(all, "has no shape rule for sizes that vary");
      results.clear();
    } else {
      marker.check_against_traces(results);
    }
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      dims.at(node.outputs[i]) = known ? results[i] : Dims(graph.value(node.outputs[i]).shape.size(), 0);
      produced.at(node.outputs[i]) = true;
    }
    if (known && graph.recover_baked_sizes && !node.outputs.empty()) {
      try {
        origins.at(node.outputs[0]) = marker.result_origins(results[0]);
      } catch (const std::exception&) {
      }
    }
  }
  return conflicts;
}

}  // namespace

void mark_dynamic_dims(Graph& graph) {
  if (!graph.shapeless) return;
  std::vector<Dims> dims;
  Recovered recovered;
  for (bool first = true;; first = false) {
    std::vector<Conflict> conflicts = propagate(graph, dims, recovered, first);
    if (recovered.grew) continue;  // aranges now follow their input dimension: again
    if (conflicts.empty()) break;
    // Fix each input dimension a conflict involves, naming the first primitive that bakes it.
    SymbolicDims symbolic(graph);
    std::map<size_t, std::string> fixed;
    for (const Conflict& c : conflicts) {
      for (size_t k = 0; k < symbolic.dims.size(); ++k) {
        if (c.sources & SymbolicDims::bit(k)) fixed.emplace(k, c.why);
      }
    }
    for (const auto& [k, why] : fixed) {
      auto [i, axis] = symbolic.dims[k];
      graph.warnings.push_back("input '" + graph.input_names[i] + "' axis " + std::to_string(axis) + " is kept at " +
                               std::to_string(graph.value(graph.inputs[i]).shape[axis]) + ": " + why);
      graph.input_dim_params[i][axis].clear();
    }
  }
  size_t sizes = 0, aranges = 0;
  SymbolicDims symbolic(graph);
  for (Node& node : graph.nodes) {
    if (auto found = recovered.copies.find(&node); found != recovered.copies.end()) {
      node.attrs.push_back({"recovered_dims", encode_sizes(found->second)});
      sizes += found->second.size();
    }
    auto arange = recovered.aranges.find(&node);
    if (arange != recovered.aranges.end() && symbolic.of(arange->second)) {
      ValueAxis dim{graph.inputs.at(arange->second.first), arange->second.second};
      node.attrs.push_back({"length_of", encode_sizes({{0, SizeExpr{0, {SizeTerm{1, {dim}}}}}})});
      ++aranges;
    }
  }
  if (sizes || aranges) {
    graph.warnings.push_back(std::to_string(sizes) + " reshape size(s) and " + std::to_string(aranges) +
                             " arange length(s) recorded at traced values are read from the inputs at run time (recoverShapes)");
  }
  for (size_t v = 0; v < graph.values.size(); ++v) {
    graph.values[v].dynamic.assign(dims[v].size(), false);
    for (size_t axis = 0; axis < dims[v].size(); ++axis) graph.values[v].dynamic[axis] = dims[v][axis] != 0;
  }
}

}  // namespace mlx_onnx::passes
