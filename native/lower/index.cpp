// Indexing: MLX's Gather (take, fancy indexing, embedding lookup) and GatherAxis
// (take_along_axis).
#include <numeric>

#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

// Gather(src, idx_0, ..., idx_k-1; axes, slice_sizes): the index arrays (one shape I)
// pick positions on `axes`; each pick takes a block of `slice_sizes` starting there.
// The result has shape I + slice_sizes. Lowered as: move the indexed axes to the
// front, cut the other axes to their slice sizes, Gather (one axis) or GatherND
// (several), and reshape; the size-1 indexed axes of the result add no data.
void lower_gather(Context& ctx, const Node& node) {
  const auto& axes = node.attr<std::vector<int64_t>>("axes");
  const auto& slice_sizes = node.attr<std::vector<int64_t>>("slice_sizes");
  const Shape& src_shape = ctx.in_value(node, 0).shape;
  int64_t rank = static_cast<int64_t>(src_shape.size());

  require(node.inputs.size() == axes.size() + 1 && slice_sizes.size() == src_shape.size(), node,
          "operands, axes and slice sizes do not agree");
  std::vector<int64_t> perm = checked_axes(node, axes, rank);
  std::vector<bool> indexed(rank, false);
  for (auto a : perm) indexed[a] = true;
  for (int64_t d = 0; d < rank; ++d) {
    if (!indexed[d]) perm.push_back(d);
  }
  std::string src = ctx.in(node, 0);
  bool identity = true;
  for (int64_t d = 0; d < rank; ++d) identity = identity && perm[d] == d;
  if (!identity) src = ctx.emit("Transpose", {src}, {{"perm", perm}});

  std::vector<int64_t> cut_axes, cut_ends;
  for (int64_t d = static_cast<int64_t>(axes.size()); d < rank; ++d) {
    if (slice_sizes[perm[d]] < src_shape[perm[d]]) {
      cut_axes.push_back(d);
      cut_ends.push_back(slice_sizes[perm[d]]);
    }
  }
  if (!cut_axes.empty()) {
    std::vector<int64_t> zeros(cut_axes.size(), 0);
    src = ctx.emit("Slice", {src, ctx.int64s(zeros), ctx.int64s(cut_ends), ctx.int64s(cut_axes)});
  }

  std::string picked;
  if (axes.size() == 1) {
    std::string index = ctx.operand_as(node, 1, DType::Int64);
    picked = ctx.emit("Gather", {src, index}, {{"axis", int64_t{0}}});
  } else {
    std::vector<std::string> columns;
    std::string last = ctx.int64s({-1});
    for (size_t i = 0; i < axes.size(); ++i) {
      columns.push_back(ctx.emit("Unsqueeze", {ctx.operand_as(node, 1 + i, DType::Int64), last}));
    }
    std::string index = ctx.emit("Concat", columns, {{"axis", int64_t{-1}}});
    picked = ctx.emit("GatherND", {src, index});
  }
  // Output shape: the index shape, then the slice sizes (1 on indexed axes).
  // The picked rows lead with the index shape, so dynamic index sizes are copied with 0.
  size_t index_rank = ctx.in_value(node, 1).shape.size();
  std::string shape = ctx.out_value(node).fixed() ? ctx.int64s(ctx.out_value(node).shape)
                                                  : ctx.reshape_target(node.outputs[0], index_rank);
  if (shape.empty()) {
    shape = ctx.emit("Concat", {ctx.dims(node.inputs[1], 0, static_cast<int64_t>(index_rank)), ctx.int64s(slice_sizes)},
                     {{"axis", int64_t{0}}});
  }
  ctx.emit("Reshape", {picked, shape}, {}, ctx.out(node));
}

void lower_gather_axis(Context& ctx, const Node& node) {
  std::string index = ctx.operand_as(node, 1, DType::Int64);
  ctx.emit("GatherElements", {ctx.in(node, 0), index}, {{"axis", node.attr<int64_t>("axis")}}, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"Gather", lower_gather, RuleKind::Lowered},
    {"GatherAxis", lower_gather_axis, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> index_rules() { return kRules; }

}  // namespace mlx_onnx::lower
