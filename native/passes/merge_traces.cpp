#include "passes/merge_traces.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <tuple>

#include "graph/error.h"
#include "graph/size_expr.h"

namespace mlx_onnx::passes {
namespace {

[[noreturn]] void differ(size_t t, const std::string& where) {
  fail(ErrorCode::InvalidInput, "trace " + std::to_string(t) + " differs from trace 0 " + where +
                                    ": merging needs one function traced at different input sizes");
}

std::string at_node(size_t index, const Node& node) { return "at primitive " + std::to_string(index) + " (" + node.op + ")"; }

// The same primitives on the same arrays with the same constants; only sizes and the
// fields that record them may differ.
void check_same_function(const Graph& first, const Graph& other, size_t t) {
  if (other.inputs != first.inputs || other.keyword_inputs != first.keyword_inputs) differ(t, "in its inputs");
  // The first primitive that differs says most about where the function branched.
  for (size_t i = 0; i < std::min(first.nodes.size(), other.nodes.size()); ++i) {
    const Node &a = first.nodes[i], &b = other.nodes[i];
    if (a.op != b.op) differ(t, at_node(i, a) + ", where it records " + b.op);
    if (a.inputs != b.inputs || a.outputs != b.outputs) differ(t, at_node(i, a) + " in its operands");
    bool same_fields = a.attrs.size() == b.attrs.size();
    for (size_t k = 0; k < a.attrs.size() && same_fields; ++k) {
      same_fields = a.attrs[k].name == b.attrs[k].name && a.attrs[k].value.index() == b.attrs[k].value.index();
    }
    if (!same_fields) differ(t, at_node(i, a) + " in its fields");
  }
  if (other.nodes.size() != first.nodes.size()) {
    differ(t, "in its number of primitives (" + std::to_string(other.nodes.size()) + " against " + std::to_string(first.nodes.size()) + ")");
  }
  if (other.outputs != first.outputs) differ(t, "in its outputs");
  if (other.values.size() != first.values.size()) {
    differ(t, "in its number of arrays (" + std::to_string(other.values.size()) + " against " + std::to_string(first.values.size()) + ")");
  }
  for (size_t v = 0; v < first.values.size(); ++v) {
    if (other.values[v].dtype != first.values[v].dtype || other.values[v].shape.size() != first.values[v].shape.size()) {
      differ(t, "in the dtype or rank of array " + std::to_string(v));
    }
  }
  if (other.constants.size() != first.constants.size()) differ(t, "in its constants");
  for (size_t c = 0; c < first.constants.size(); ++c) {
    const Constant &a = first.constants[c], &b = other.constants[c];
    bool same = a.value == b.value && a.nbytes == b.nbytes && (a.data == b.data || std::memcmp(a.data, b.data, a.nbytes) == 0);
    if (!same) differ(t, "in constant array " + std::to_string(a.value));
  }
}

// Fits a size recorded differently by each trace as a function of the input dimensions
// that differ between them, in the first of these forms that some function fits on every
// trace: factor · (a product of dimensions); a dimension plus an offset; the sum of two
// dimensions. Nothing when no function, or more than one, of that form fits.
class Fitter {
 public:
  Fitter(std::vector<ValueAxis> dims, std::vector<std::vector<int64_t>> sizes) : dims_(std::move(dims)), sizes_(std::move(sizes)) {}

  std::optional<SizeExpr> fit(const std::vector<int64_t>& recorded) const {
    std::vector<SizeExpr> found;
    // factor · product
    const size_t subsets = dims_.size() < 12 ? size_t{1} << dims_.size() : 0;
    for (size_t mask = 1; mask < subsets; ++mask) {
      SizeTerm term;
      for (size_t k = 0; k < dims_.size(); ++k) {
        if (mask & (size_t{1} << k)) term.dims.push_back(dims_[k]);
      }
      int64_t first = SizeExpr{0, {term}}.evaluate(size_in(0));
      if (first <= 0 || recorded[0] % first != 0 || recorded[0] / first < 1) continue;
      term.factor = recorded[0] / first;
      keep_if_fits(SizeExpr{0, {term}}, recorded, found);
    }
    if (found.empty()) {
      for (ValueAxis dim : dims_) {
        SizeExpr expr{0, {SizeTerm{1, {dim}}}};
        expr.offset = recorded[0] - expr.evaluate(size_in(0));
        keep_if_fits(expr, recorded, found);
      }
    }
    if (found.empty()) {
      for (size_t a = 0; a < dims_.size(); ++a) {
        for (size_t b = a + 1; b < dims_.size(); ++b) {
          keep_if_fits(SizeExpr{0, {SizeTerm{1, {dims_[a]}}, SizeTerm{1, {dims_[b]}}}}, recorded, found);
        }
      }
    }
    if (found.size() != 1) return std::nullopt;
    return found[0];
  }

 private:
  std::function<int64_t(ValueAxis)> size_in(size_t t) const {
    return [this, t](ValueAxis dim) {
      size_t k = static_cast<size_t>(std::find(dims_.begin(), dims_.end(), dim) - dims_.begin());
      return sizes_.at(k).at(t);
    };
  }

  void keep_if_fits(const SizeExpr& expr, const std::vector<int64_t>& recorded, std::vector<SizeExpr>& found) const {
    for (size_t t = 0; t < recorded.size(); ++t) {
      if (expr.evaluate(size_in(t)) != recorded[t]) return;
    }
    found.push_back(expr);
  }

  std::vector<ValueAxis> dims_;
  std::vector<std::vector<int64_t>> sizes_;  // per dimension, per trace
};

// Per trace, the integers of field `name` of primitive `index` (empty when it is not a list).
std::vector<std::vector<int64_t>> field_in_traces(const std::vector<Graph>& traces, size_t index, std::string_view name) {
  std::vector<std::vector<int64_t>> lists;
  for (const Graph& g : traces) {
    const auto* list = g.nodes[index].find_attr<std::vector<int64_t>>(name);
    lists.push_back(list ? *list : std::vector<int64_t>{});
  }
  return lists;
}

using Fit = std::function<std::optional<SizeExpr>(const std::vector<int64_t>&)>;

// Fits every entry of lists (one per trace) that differs between traces; false when one
// does not fit, or the lists differ in length.
bool fit_entries(const Fit& fit, const std::vector<std::vector<int64_t>>& lists, SizeEntries& entries) {
  for (const auto& list : lists) {
    if (list.size() != lists[0].size()) return false;
  }
  for (size_t k = 0; k < lists[0].size(); ++k) {
    std::vector<int64_t> recorded;
    for (const auto& list : lists) recorded.push_back(list.at(k));
    if (std::all_of(recorded.begin(), recorded.end(), [&](int64_t s) { return s == recorded[0]; })) continue;
    auto fitted = fit(recorded);
    if (!fitted) return false;
    entries.emplace_back(k, *fitted);
  }
  return true;
}

class Merger {
 public:
  Merger(std::vector<Graph>& traces, Fitter fitter) : traces_(traces), fitter_(std::move(fitter)) {
    producer_.assign(traces[0].values.size(), -1);
    for (size_t i = 0; i < traces[0].nodes.size(); ++i) {
      for (ValueId v : traces[0].nodes[i].outputs) producer_.at(v) = static_cast<int64_t>(i);
    }
  }

  // Attaches the fitted sizes of primitive `index`, and names the fields that differ
  // between traces but are not read at run time.
  void fit_node(size_t index) {
    Node& node = traces_[0].nodes[index];
    std::vector<std::string_view> differing;
    for (size_t k = 0; k < node.attrs.size(); ++k) {
      for (size_t t = 1; t < traces_.size(); ++t) {
        if (traces_[t].nodes[index].attrs[k].value != node.attrs[k].value) {
          differing.push_back(node.attrs[k].name);
          break;
        }
      }
    }
    std::vector<NamedAttr> fitted;
    auto covered = [&](std::initializer_list<std::string_view> names) {
      std::erase_if(differing, [&](std::string_view name) { return std::find(names.begin(), names.end(), name) != names.end(); });
    };
    const std::string& op = node.op;
    const Fit fit = [&](const std::vector<int64_t>& recorded) { return fit_size(recorded, index); };
    if (op == "Reshape" || op == "Broadcast" || op == "Unflatten") {
      // The result's shape, at run time.
      SizeEntries entries;
      if (!node.outputs.empty() && fit_entries(fit, output_shapes(node.outputs[0]), entries)) {
        if (!entries.empty()) fitted.push_back({"recovered_dims", encode_sizes(entries)});
        covered({"shape"});
      }
    } else if (op == "Arange" && node.outputs.size() == 1) {
      // Its length, from which lowering computes the limit (start and step recorded).
      SizeEntries entries;
      if (fit_entries(fit, output_shapes(node.outputs[0]), entries)) {
        if (!entries.empty()) fitted.push_back({"length_of", encode_sizes(entries)});
        covered({"stop"});
      }
    } else if (op == "Slice" || op == "SliceUpdate") {
      // An axis taken whole in every trace (from 0 to its size) has no bound to read at run
      // time; lowering leaves it out. SliceUpdate lowering reads no bounds at run time.
      auto starts = field_in_traces(traces_, index, "start"), ends = field_in_traces(traces_, index, "end");
      for (size_t t = 0; t < traces_.size(); ++t) {
        const Shape& in = traces_[t].value(node.inputs.at(0)).shape;
        for (size_t k = 0; k < ends[t].size() && k < starts[t].size() && k < in.size(); ++k) {
          if (starts[t][k] == 0 && ends[t][k] >= in[k]) ends[t][k] = std::numeric_limits<int64_t>::max();
        }
      }
      for (auto [field, lists, attr] : {std::tuple{"start", &starts, "recovered_starts"}, std::tuple{"end", &ends, "recovered_ends"}}) {
        SizeEntries entries;
        if (!fit_entries(fit, *lists, entries) || (op == "SliceUpdate" && !entries.empty())) continue;
        if (!entries.empty()) fitted.push_back({attr, encode_sizes(entries)});
        covered({field});
      }
    }
    node.attrs.insert(node.attrs.end(), fitted.begin(), fitted.end());
    if (!differing.empty()) {
      std::string names;
      for (std::string_view name : differing) names += (names.empty() ? "" : ", ") + std::string(name);
      node.attrs.push_back({"traced_differently", names});
    }
  }

 private:
  // A size as a function of the input dimensions, or else the size of an axis of an array
  // computed before primitive `index` (the length a strided convolution gives) that has it
  // in every trace: the first such one.
  std::optional<SizeExpr> fit_size(const std::vector<int64_t>& recorded, size_t index) const {
    if (auto expr = fitter_.fit(recorded)) return expr;
    for (size_t v = 0; v < producer_.size(); ++v) {
      if (producer_[v] >= static_cast<int64_t>(index)) continue;
      for (size_t axis = 0; axis < traces_[0].values[v].shape.size(); ++axis) {
        bool same = true;
        for (size_t t = 0; t < traces_.size() && same; ++t) same = traces_[t].values[v].shape[axis] == recorded[t];
        if (same) return SizeExpr{0, {SizeTerm{1, {{v, axis}}}}};
      }
    }
    return std::nullopt;
  }

  std::vector<std::vector<int64_t>> output_shapes(ValueId v) const {
    std::vector<std::vector<int64_t>> shapes;
    for (const Graph& g : traces_) shapes.push_back(g.values.at(v).shape);
    return shapes;
  }

  std::vector<Graph>& traces_;
  Fitter fitter_;
  std::vector<int64_t> producer_;  // per value, the index of the primitive computing it (-1: none)
};

}  // namespace

Graph merge_traces(std::vector<Graph>& traces, const std::vector<NamedDim>& names) {
  if (traces.size() < 2) fail(ErrorCode::InvalidArgument, "merging traces needs a file with two or more traces; this one holds " + std::to_string(traces.size()));
  if (traces[0].shapeless) fail(ErrorCode::InvalidArgument, "merging traces needs traces with fixed shapes; this file is shapeless");
  for (size_t t = 1; t < traces.size(); ++t) check_same_function(traces[0], traces[t], t);

  Graph& merged = traces[0];
  std::vector<ValueAxis> dims;
  std::vector<std::vector<int64_t>> sizes;
  merged.input_dim_params.assign(merged.inputs.size(), {});
  for (size_t i = 0; i < merged.inputs.size(); ++i) {
    const Shape& shape = merged.value(merged.inputs[i]).shape;
    merged.input_dim_params[i].assign(shape.size(), "");
    for (size_t axis = 0; axis < shape.size(); ++axis) {
      std::vector<int64_t> per_trace;
      for (const Graph& g : traces) per_trace.push_back(g.value(g.inputs[i]).shape[axis]);
      if (std::all_of(per_trace.begin(), per_trace.end(), [&](int64_t s) { return s == per_trace[0]; })) continue;
      dims.emplace_back(merged.inputs[i], axis);
      sizes.push_back(per_trace);
      merged.input_dim_params[i][axis] = merged.input_names[i] + "_" + std::to_string(axis);
    }
  }
  for (const NamedDim& named : names) {
    if (std::find(dims.begin(), dims.end(), ValueAxis{merged.inputs[named.input], named.axis}) == dims.end()) {
      fail(ErrorCode::InvalidArgument, "input '" + merged.input_names[named.input] + "' axis " + std::to_string(named.axis) +
                                           " has the same size in every trace, so it cannot be dynamic; add a trace at another size");
    }
    merged.input_dim_params[named.input][named.axis] = named.name;
  }

  Merger merger(traces, Fitter(dims, sizes));
  for (size_t index = 0; index < merged.nodes.size(); ++index) merger.fit_node(index);
  for (size_t t = 1; t < traces.size(); ++t) {
    std::vector<Shape> shapes;
    for (const Value& v : traces[t].values) shapes.push_back(v.shape);
    merged.other_trace_shapes.push_back(std::move(shapes));
  }
  merged.shapeless = true;
  return std::move(merged);
}

}  // namespace mlx_onnx::passes
