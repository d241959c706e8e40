// Writes into arrays: Scatter, ScatterAxis, SliceUpdate, DynamicSlice, DynamicSliceUpdate, MaskedScatter.
//
// The block writes (Scatter, SliceUpdate, DynamicSliceUpdate) all become one ScatterND.
// ScatterND indexes the leading `depth` axes of the data and takes whole trailing
// slices, so each rule picks the smallest depth past which the written block covers
// whole axes, and builds int64 indices of shape batch + grid + [depth]: a dynamic part
// (the start of each block) plus a constant grid (offsets inside the block along the
// axes where it is longer than 1). Half floats are widened to float32 (exact for copies).
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "graph/error.h"
#include "graph/slice_update.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

std::string to_int64(Context& ctx, const Node& node, size_t i) {
  if (ctx.in_value(node, i).dtype == DType::Int64) return ctx.in(node, i);
  return ctx.cast(ctx.in(node, i), DType::Int64);
}

// An int64 constant of any shape.
std::string int64_tensor(Context& ctx, const std::vector<int64_t>& values, const Shape& shape) {
  std::string flat = ctx.int64s(values);
  if (shape.size() == 1) return flat;
  return ctx.emit("Reshape", {flat, ctx.int64s(shape)});
}

std::string reshape_to(Context& ctx, const std::string& x, const Shape& from, const Shape& to) {
  if (from == to) return x;
  return ctx.emit("Reshape", {x, ctx.int64s(to)});
}

// Scatter and SliceUpdate reduce types: Max 0, Min 1, Sum 2, Prod 3, None 4.
std::vector<onnx::Attribute> block_reduction(const std::string& primitive, int64_t type) {
  switch (type) {
    case 0: return {{"reduction", std::string("max")}};
    case 1: return {{"reduction", std::string("min")}};
    case 2: return {{"reduction", std::string("add")}};
    case 3: return {{"reduction", std::string("mul")}};
    case 4: return {};
  }
  fail(ErrorCode::InvalidInput, primitive + ": unknown reduce type " + std::to_string(type));
}

// The ONNX operator of a reduce type that combines data and update (nullptr: None, a copy).
const char* combining_op(int64_t type) {
  switch (type) {
    case 0: return "Max";
    case 1: return "Min";
    case 2: return "Add";
    case 3: return "Mul";
  }
  return nullptr;
}

// The smallest depth such that the block covers every axis from there on (at least 1).
size_t scatter_depth(const Shape& data, const Shape& block, const std::vector<bool>& moved, size_t min_depth) {
  size_t depth = std::max<size_t>(min_depth, 1);
  for (size_t d = 0; d < data.size(); ++d) {
    if (block[d] != data[d] || moved[d]) depth = std::max(depth, d + 1);
  }
  return depth;
}

// A block write at depth `depth`: the grid axes are those of the first `depth` axes
// where the block is longer than 1; `grid_offset(d, i)` is the constant part of the
// index on axis d at step i of the block.
struct BlockGrid {
  Shape grid;                 // block lengths of the grid axes
  std::string offsets;        // int64 constant, grid + [depth]; empty when all zero
};

template <typename Offset>
BlockGrid block_grid(Context& ctx, const Node& node, const Shape& block, size_t depth, Offset grid_offset) {
  BlockGrid g;
  std::vector<size_t> grid_axes;
  for (size_t d = 0; d < depth; ++d) {
    if (block[d] > 1) {
      grid_axes.push_back(d);
      g.grid.push_back(block[d]);
    }
  }
  Shape table = g.grid;
  table.push_back(static_cast<int64_t>(depth));
  std::vector<int64_t> values(built_elements(ctx, node, table, "the block index table"));
  const int64_t points = static_cast<int64_t>(values.size() / depth);
  bool all_zero = true;
  std::vector<int64_t> step(depth, 0);
  for (int64_t p = 0; p < points; ++p) {
    int64_t rest = p;
    for (size_t a = grid_axes.size(); a-- > 0;) {
      step[grid_axes[a]] = rest % g.grid[a];
      rest /= g.grid[a];
    }
    for (size_t d = 0; d < depth; ++d) {
      int64_t v = grid_offset(d, step[d]);
      values[p * depth + d] = v;
      all_zero = all_zero && v == 0;
    }
  }
  if (!all_zero) {
    Shape shape = g.grid;
    shape.push_back(static_cast<int64_t>(depth));
    g.offsets = int64_tensor(ctx, values, shape);
  }
  return g;
}

Shape concat_shapes(const Shape& a, const Shape& b) {
  Shape s = a;
  s.insert(s.end(), b.begin(), b.end());
  return s;
}

// Scatter(data, idx_0..idx_k-1, updates; reduce type, axes). The index arrays share
// one shape I; updates have shape I + U, U a block of the data's rank written at the
// indexed positions (U is 1 on indexed axes from x.at[i], the slice length from
// x.at[i, a:b], and the full axis elsewhere). The indexed axes move to the front.
void lower_scatter(Context& ctx, const Node& node) {
  std::vector<onnx::Attribute> reduction = block_reduction("Scatter", node.attr<int64_t>("reduce_type"));
  const auto& axes = node.attr<std::vector<int64_t>>("axes");
  size_t k = axes.size();
  require(node.inputs.size() == k + 2, node, "expects the data, one index array per axis and the updates");
  const Shape& data_shape = ctx.in_value(node, 0).shape;
  const Shape& upd_shape = ctx.in_value(node, k + 1).shape;
  size_t rank = data_shape.size();
  if (rank == 0) fail(ErrorCode::UnsupportedOp, "Scatter into a scalar");
  require(upd_shape.size() >= rank, node, "the updates have rank " + std::to_string(upd_shape.size()) +
                                              ", less than the data's " + std::to_string(rank));
  size_t batch_rank = upd_shape.size() - rank;
  Shape batch(upd_shape.begin(), upd_shape.begin() + batch_rank);
  Shape block(upd_shape.begin() + batch_rank, upd_shape.end());

  std::vector<int64_t> perm = checked_axes(node, axes, static_cast<int64_t>(rank));
  std::vector<bool> indexed(rank, false);
  for (auto a : perm) indexed[a] = true;
  for (size_t d = 0; d < rank; ++d) {
    if (!indexed[d]) perm.push_back(static_cast<int64_t>(d));
  }
  bool identity = true;
  for (size_t d = 0; d < rank; ++d) identity = identity && perm[d] == static_cast<int64_t>(d);
  Shape data_t(rank), block_t(rank);
  for (size_t d = 0; d < rank; ++d) {
    data_t[d] = data_shape[perm[d]];
    block_t[d] = block[perm[d]];
  }
  size_t depth = scatter_depth(data_t, block_t, std::vector<bool>(rank, false), k);

  // Block starts: the index arrays (made non-negative, as MLX reads them), then zeros.
  std::vector<std::string> starts;
  std::string last = ctx.int64s({-1});
  for (size_t j = 0; j < k; ++j) {
    std::string idx = to_int64(ctx, node, 1 + j);
    if (is_signed_integer(ctx.in_value(node, 1 + j).dtype)) {
      idx = ctx.emit("Mod", {idx, ctx.int64_scalar(data_t[j])}, {{"fmod", int64_t{0}}});
    }
    starts.push_back(ctx.emit("Unsqueeze", {idx, last}));
  }
  if (depth > k) {
    Shape zeros_shape = batch;
    zeros_shape.push_back(static_cast<int64_t>(depth - k));
    starts.push_back(int64_tensor(ctx, std::vector<int64_t>(built_elements(ctx, node, zeros_shape, "the block start table"), 0), zeros_shape));
  }
  BlockGrid g = block_grid(ctx, node, block_t, depth, [](size_t, int64_t i) { return i; });
  // depth >= 1, so `starts` is never empty.
  std::string indices = starts.size() == 1 ? starts[0] : ctx.emit("Concat", starts, {{"axis", int64_t{-1}}});
  if (!g.offsets.empty()) {
    Shape plain = batch;
    plain.push_back(static_cast<int64_t>(depth));
    Shape with_grid = batch;
    with_grid.insert(with_grid.end(), g.grid.size(), 1);
    with_grid.push_back(static_cast<int64_t>(depth));
    indices = ctx.emit("Add", {reshape_to(ctx, indices, plain, with_grid), g.offsets});
  }

  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    std::string data = in[0];
    if (!identity) data = c.emit("Transpose", {data}, {{"perm", perm}});
    std::string updates = in.back();
    if (!identity) {
      std::vector<int64_t> upd_perm(batch_rank);
      for (size_t d = 0; d < batch_rank; ++d) upd_perm[d] = static_cast<int64_t>(d);
      for (auto p : perm) upd_perm.push_back(p + static_cast<int64_t>(batch_rank));
      updates = c.emit("Transpose", {updates}, {{"perm", upd_perm}});
    }
    Shape target = concat_shapes(batch, g.grid);
    target.insert(target.end(), data_t.begin() + depth, data_t.end());
    updates = reshape_to(c, updates, concat_shapes(batch, block_t), target);
    if (identity) return void(c.emit("ScatterND", {data, indices, updates}, reduction, out));
    std::vector<int64_t> inverse(rank);
    for (size_t d = 0; d < rank; ++d) inverse[perm[d]] = static_cast<int64_t>(d);
    std::string scattered = c.emit("ScatterND", {data, indices, updates}, reduction);
    c.emit("Transpose", {scattered}, {{"perm", inverse}}, out);
  });
}

// ScatterAxis(data, indices, updates; reduce type Sum 0 / None 1, axis): put_along_axis
// and scatter_add_axis; indices and updates already have one shape.
void lower_scatter_axis(Context& ctx, const Node& node) {
  int64_t type = node.attr<int64_t>("reduce_type");
  if (type != 0 && type != 1) {
    fail(ErrorCode::InvalidInput, "ScatterAxis: unknown reduce type " + std::to_string(type));
  }
  std::vector<onnx::Attribute> attrs = {{"axis", node.attr<int64_t>("axis")}};
  if (type == 0) attrs.push_back({"reduction", std::string("add")});
  std::string index = to_int64(ctx, node, 1);
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    c.emit("ScatterElements", {in[0], index, in[2]}, attrs, out);
  });
}

// SliceUpdate(data, update; reduce type, start, end, strides): the update (already of
// the slice's shape) goes to start + i * stride on each axis; start and strides are
// normalized by MLX (end is not, so the update's shape gives the lengths).
void lower_slice_update(Context& ctx, const Node& node) {
  std::vector<onnx::Attribute> reduction = block_reduction("SliceUpdate", node.attr<int64_t>("reduce_type"));
  const auto& start = node.attr<std::vector<int64_t>>("start");
  const auto& strides = node.attr<std::vector<int64_t>>("strides");
  const Shape& data_shape = ctx.in_value(node, 0).shape;
  const Shape& block = ctx.in_value(node, 1).shape;
  size_t rank = data_shape.size();
  if (rank == 0) fail(ErrorCode::UnsupportedOp, "SliceUpdate of a scalar");
  require(start.size() == rank && strides.size() == rank && block.size() == rank, node,
          "start, strides and the update must have the data's rank " + std::to_string(rank));
  for (size_t d = 0; d < rank; ++d) {
    // MLX stores starts in [0, length]; strides beyond 2^31 would overflow the index table.
    require(start[d] >= 0 && start[d] <= data_shape[d] && strides[d] != 0 && strides[d] >= -(int64_t{1} << 31) &&
                strides[d] <= (int64_t{1} << 31),
            node, "start " + std::to_string(start[d]) + " or stride " + std::to_string(strides[d]) +
                      " is out of range on axis " + std::to_string(d));
  }
  if (auto axis = joined_axis(node, data_shape, block)) {
    // The data before the block, the update, and the data after it, joined: no sizes but
    // the block's bounds on that axis are recorded, so the others may vary at run time.
    int64_t a = static_cast<int64_t>(*axis), end = start[*axis] + block[*axis];
    std::vector<std::string> parts;
    if (start[*axis] > 0) parts.push_back(ctx.emit("Slice", {ctx.in(node, 0), ctx.int64s({0}), ctx.int64s({start[*axis]}), ctx.int64s({a})}));
    parts.push_back(ctx.in(node, 1));
    if (const char* combine = combining_op(node.attr<int64_t>("reduce_type"))) {
      // x.at[..., :n].multiply(s): the block combines the data there with the update.
      std::string there = ctx.emit("Slice", {ctx.in(node, 0), ctx.int64s({start[*axis]}), ctx.int64s({end}), ctx.int64s({a})});
      parts.back() = ctx.emit(combine, {there, ctx.in(node, 1)});
    }
    if (end < data_shape[*axis] || ctx.in_value(node, 0).is_dynamic(*axis)) {
      parts.push_back(ctx.emit("Slice", {ctx.in(node, 0), ctx.int64s({end}), ctx.int64s({std::numeric_limits<int64_t>::max()}), ctx.int64s({a})}));
    }
    ctx.emit("Concat", parts, {{"axis", a}}, ctx.out(node));
    return;
  }
  std::vector<bool> moved(rank);
  for (size_t d = 0; d < rank; ++d) moved[d] = start[d] != 0 || (strides[d] != 1 && block[d] > 1);
  size_t depth = scatter_depth(data_shape, block, moved, 1);
  BlockGrid g = block_grid(ctx, node, block, depth, [&](size_t d, int64_t i) { return start[d] + i * strides[d]; });
  std::string indices = g.offsets.empty()
                            ? int64_tensor(ctx, std::vector<int64_t>(depth, 0), {static_cast<int64_t>(depth)})
                            : g.offsets;
  Shape target = g.grid;
  target.insert(target.end(), data_shape.begin() + depth, data_shape.end());
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    std::string updates = reshape_to(c, in[1], block, target);
    c.emit("ScatterND", {in[0], indices, updates}, reduction, out);
  });
}

// DynamicSlice(data, start; axes, slice size): starts from the operand on `axes`, 0 on
// the other axes the slice cuts.
void lower_dynamic_slice(Context& ctx, const Node& node) {
  const Shape& data_shape = ctx.in_value(node, 0).shape;
  const auto axes = checked_axes(node, node.attr<std::vector<int64_t>>("axes"), static_cast<int64_t>(data_shape.size()));
  const auto& size = node.attr<std::vector<int64_t>>("slice_size");
  require(size.size() == data_shape.size(), node, "the slice size must have the data's rank " + std::to_string(data_shape.size()));
  for (size_t d = 0; d < size.size(); ++d) {
    require(size[d] >= 0 && size[d] <= data_shape[d], node,
            "slice size " + std::to_string(size[d]) + " does not fit axis " + std::to_string(d) + " of length " +
                std::to_string(data_shape[d]));
  }
  std::string starts = to_int64(ctx, node, 1);
  if (ctx.in_value(node, 1).shape.empty()) starts = ctx.emit("Reshape", {starts, ctx.int64s({1})});
  std::vector<int64_t> slice_axes(axes.begin(), axes.end());
  std::vector<int64_t> lengths;
  for (auto a : axes) lengths.push_back(size[a]);
  std::vector<bool> dynamic(data_shape.size(), false);
  for (auto a : axes) dynamic[a] = true;
  std::vector<int64_t> extra;
  for (size_t d = 0; d < data_shape.size(); ++d) {
    if (!dynamic[d] && size[d] < data_shape[d]) {
      slice_axes.push_back(static_cast<int64_t>(d));
      lengths.push_back(size[d]);
      extra.push_back(0);
    }
  }
  if (slice_axes.empty()) return void(ctx.emit("Identity", {ctx.in(node, 0)}, {}, ctx.out(node)));
  if (axes.empty()) {
    starts = ctx.int64s(extra);
  } else if (!extra.empty()) {
    starts = ctx.emit("Concat", {starts, ctx.int64s(extra)}, {{"axis", int64_t{0}}});
  }
  std::string ends = ctx.emit("Add", {starts, ctx.int64s(lengths)});
  ctx.emit("Slice", {ctx.in(node, 0), starts, ends, ctx.int64s(slice_axes)}, {}, ctx.out(node));
}

// DynamicSliceUpdate(data, update, start; axes): the KV-cache write. The update block
// (data's rank) goes at `start` on `axes` and at 0 elsewhere.
void lower_dynamic_slice_update(Context& ctx, const Node& node) {
  const Shape& data_shape = ctx.in_value(node, 0).shape;
  const Shape& block = ctx.in_value(node, 1).shape;
  size_t rank = data_shape.size();
  if (rank == 0) fail(ErrorCode::UnsupportedOp, "DynamicSliceUpdate of a scalar");
  const auto axes = checked_axes(node, node.attr<std::vector<int64_t>>("axes"), static_cast<int64_t>(rank));
  if (block.size() != rank) fail(ErrorCode::InvalidInput, "DynamicSliceUpdate: update rank differs");
  size_t depth = scatter_depth(data_shape, block, std::vector<bool>(rank, false), 1);
  // The block's start, one entry per leading axis: start[k] on axes[k], else 0 (a
  // Gather from start + [0]). Axes past `depth` have a full-length block, start 0.
  std::vector<int64_t> pick(depth, static_cast<int64_t>(axes.size()));
  bool any_dynamic = false;
  for (size_t k = 0; k < axes.size(); ++k) {
    if (static_cast<size_t>(axes[k]) < depth) {
      pick[axes[k]] = static_cast<int64_t>(k);
      any_dynamic = true;
    }
  }
  BlockGrid g = block_grid(ctx, node, block, depth, [](size_t, int64_t i) { return i; });
  std::string indices = g.offsets;
  if (any_dynamic) {
    std::string start = to_int64(ctx, node, 2);
    if (ctx.in_value(node, 2).shape.empty()) start = ctx.emit("Reshape", {start, ctx.int64s({1})});
    start = ctx.emit("Concat", {start, ctx.int64s({0})}, {{"axis", int64_t{0}}});
    std::string offset = ctx.emit("Gather", {start, ctx.int64s(pick)}, {{"axis", int64_t{0}}});
    indices = indices.empty() ? offset : ctx.emit("Add", {indices, offset});
  } else if (indices.empty()) {
    indices = ctx.int64s(std::vector<int64_t>(depth, 0));
  }
  Shape target = g.grid;
  target.insert(target.end(), data_shape.begin() + depth, data_shape.end());
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    std::string updates = reshape_to(c, in[1], block, target);
    c.emit("ScatterND", {in[0], indices, updates}, {}, out);
  });
}

// MaskedScatter(data, mask, values): per batch (axis 0), the i-th true position of the
// mask takes the i-th value. positions = CumSum(mask) - 1 (clipped in range where the
// mask is false), GatherElements from the flat values, Where(mask, gathered, data).
void lower_masked_scatter(Context& ctx, const Node& node) {
  const Shape& data_shape = ctx.in_value(node, 0).shape;
  const Shape& mask_shape = ctx.in_value(node, 1).shape;
  const Shape& values_shape = ctx.in_value(node, 2).shape;
  if (mask_shape != data_shape || data_shape.empty()) {
    fail(ErrorCode::UnsupportedOp, "MaskedScatter with a mask not of the array's shape");
  }
  int64_t batch = data_shape[0];
  int64_t per_mask = batch ? element_count(data_shape) / batch : 0;
  int64_t per_values = batch ? element_count(values_shape) / batch : 0;
  if (element_count(data_shape) == 0 || per_values == 0) {
    return void(ctx.emit("Identity", {ctx.in(node, 0)}, {}, ctx.out(node)));
  }
  std::string mask = ctx.emit("Reshape", {ctx.in(node, 1), ctx.int64s({batch, per_mask})});
  std::string counts = ctx.emit("CumSum", {ctx.cast(mask, DType::Int64), ctx.int64_scalar(1)});
  std::string positions = ctx.emit("Clip", {ctx.emit("Sub", {counts, ctx.int64_scalar(1)}),
                                            ctx.int64_scalar(0), ctx.int64_scalar(per_values - 1)});
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    std::string values = c.emit("Reshape", {in[2], c.int64s({batch, per_values})});
    std::string picked = c.emit("GatherElements", {values, positions}, {{"axis", int64_t{1}}});
    picked = c.emit("Reshape", {picked, c.int64s(data_shape)});
    c.emit("Where", {in[1], picked, in[0]}, {}, out);
  });
}

constexpr Rule kRules[] = {
    {"DynamicSlice", lower_dynamic_slice, RuleKind::Lowered},
    {"DynamicSliceUpdate", lower_dynamic_slice_update, RuleKind::Decomposed},
    {"MaskedScatter", lower_masked_scatter, RuleKind::Decomposed},
    {"Scatter", lower_scatter, RuleKind::Decomposed},
    {"ScatterAxis", lower_scatter_axis, RuleKind::Lowered},
    {"SliceUpdate", lower_slice_update, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> scatter_rules() { return kRules; }

}  // namespace mlx_onnx::lower
