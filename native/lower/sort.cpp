// Sort, ArgSort, Partition, ArgPartition and SearchSorted.
//
// Sorting is ONNX TopK with k = the axis length, largest = 0, sorted = 1: TopK breaks ties
// by the lower index, which is MLX's stable sort. A full sort is also a valid partition
// (MLX only promises the kth element in place, smaller ones before and larger ones after).
#include <limits>
#include <string>
#include <utility>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

// The dtype ONNX Runtime's TopK and comparison kernels take that orders `dtype` the same way.
DType key_dtype(DType dtype, const std::string& who) {
  if (dtype == DType::UInt64 || dtype == DType::Complex64) {
    fail(ErrorCode::UnsupportedOp,
         who + " of " + std::string(dtype_name(dtype)) + " has no ONNX ordering kernel");
  }
  return kernel_dtype(dtype);
}

std::string as_key(Context& ctx, const std::string& x, DType dtype, DType key) {
  return key == dtype ? x : ctx.cast(x, key);
}

// Ascending TopK over the whole axis; returns {values, int64 indices}.
std::vector<std::string> sort_all(Context& ctx, const std::string& x, int64_t axis, int64_t n,
                                  std::vector<std::string> outputs = {}) {
  return ctx.emit_multi("TopK", {x, ctx.int64s({n})}, 2,
                        {{"axis", axis}, {"largest", int64_t{0}}, {"sorted", int64_t{1}}},
                        std::move(outputs));
}

// The int64 indices that stably sort `key` along `axis`, NaNs last as in MLX. TopK's
// order for NaN is unspecified, so floats sort with NaN as +inf, then a second stable
// sort by "is NaN" moves the NaNs behind the real infinities.
std::string sort_indices(Context& ctx, const std::string& key, DType key_type, int64_t axis,
                         int64_t n) {
  if (!is_floating(key_type)) return sort_all(ctx, key, axis, n)[1];
  std::string nan = ctx.emit("IsNaN", {key});
  std::string inf = ctx.scalar(key_type, std::numeric_limits<double>::infinity());
  std::string order = sort_all(ctx, ctx.emit("Where", {nan, inf, key}), axis, n)[1];
  std::string nan_in_order =
      ctx.emit("GatherElements", {ctx.cast(nan, DType::Int32), order}, {{"axis", axis}});
  std::string nan_last = sort_all(ctx, nan_in_order, axis, n)[1];
  return ctx.emit("GatherElements", {order, nan_last}, {{"axis", axis}});
}

// Sort and Partition (state: axis, or kth then axis).
void sort_values(Context& ctx, const Node& node, int64_t axis) {
  DType dtype = ctx.in_value(node, 0).dtype;
  DType key = key_dtype(dtype, node.op);
  const Shape& shape = ctx.in_value(node, 0).shape;
  axis = checked_axis(node, axis, static_cast<int64_t>(shape.size()));
  int64_t n = shape[axis];
  std::string x = as_key(ctx, ctx.in(node, 0), dtype, key);
  if (!is_floating(key)) {
    if (key == dtype) return void(sort_all(ctx, x, axis, n, {ctx.out(node)}));
    return void(ctx.cast(sort_all(ctx, x, axis, n)[0], dtype, ctx.out(node)));
  }
  std::string order = sort_indices(ctx, x, key, axis, n);
  ctx.emit("GatherElements", {ctx.in(node, 0), order}, {{"axis", axis}}, ctx.out(node));
}

// ArgSort and ArgPartition: MLX's indices are uint32.
void sort_order(Context& ctx, const Node& node, int64_t axis) {
  DType dtype = ctx.in_value(node, 0).dtype;
  DType key = key_dtype(dtype, node.op);
  const Shape& shape = ctx.in_value(node, 0).shape;
  axis = checked_axis(node, axis, static_cast<int64_t>(shape.size()));
  int64_t n = shape[axis];
  std::string order = sort_indices(ctx, as_key(ctx, ctx.in(node, 0), dtype, key), key, axis, n);
  ctx.cast(order, DType::UInt32, ctx.out(node));
}

void lower_sort(Context& ctx, const Node& node) { sort_values(ctx, node, node.attr<int64_t>("axis")); }
void lower_arg_sort(Context& ctx, const Node& node) { sort_order(ctx, node, node.attr<int64_t>("axis")); }
void lower_partition(Context& ctx, const Node& node) { sort_values(ctx, node, node.attr<int64_t>("axis")); }
void lower_arg_partition(Context& ctx, const Node& node) { sort_order(ctx, node, node.attr<int64_t>("axis")); }

// SearchSorted(sorted 1-D sequence a, values v; right): the index is the number of a's
// elements below v (left: a < v; right: a <= v), with MLX's NaN order (NaN after every
// number: a NaN v counts every non-NaN element on the left and all on the right). Counted
// by comparing v[..., None] with a and summing: O(size(v) * len(a)), no data-dependent loop.
void lower_search_sorted(Context& ctx, const Node& node) {
  bool right = node.attr<bool>("right");
  DType dtype = ctx.in_value(node, 0).dtype;
  DType key = key_dtype(dtype, "SearchSorted");
  std::string a = as_key(ctx, ctx.in(node, 0), dtype, key);
  std::string v = as_key(ctx, ctx.in(node, 1), dtype, key);
  std::string last = ctx.int64s({-1});
  std::string column = ctx.emit("Unsqueeze", {v, last});
  std::string below = ctx.emit(right ? "LessOrEqual" : "Less", {a, column});
  if (is_floating(key)) {
    std::string v_nan = ctx.emit("IsNaN", {column});
    std::string counted = right ? v_nan : ctx.emit("And", {v_nan, ctx.emit("Not", {ctx.emit("IsNaN", {a})})});
    below = ctx.emit("Or", {below, counted});
  }
  std::string count = ctx.emit("ReduceSum", {ctx.cast(below, DType::Int64), last}, {{"keepdims", int64_t{0}}});
  ctx.cast(count, DType::UInt32, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"ArgPartition", lower_arg_partition, RuleKind::Decomposed},
    {"ArgSort", lower_arg_sort, RuleKind::Decomposed},
    {"Partition", lower_partition, RuleKind::Decomposed},
    {"SearchSorted", lower_search_sorted, RuleKind::Decomposed},
    {"Sort", lower_sort, RuleKind::Decomposed},
};

}  // namespace

std::span<const Rule> sort_rules() { return kRules; }

}  // namespace mlx_onnx::lower
