// Layout: reshapes, transposes, broadcasts, slicing, joining and splitting.
// Shapes are those recorded in the trace.
#include <limits>

#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

// Reshape, Flatten and Unflatten all produce the recorded output shape.
void to_output_shape(Context& ctx, const Node& node) {
  const Shape& shape = ctx.out_value(node).shape;
  bool has_zero = false;
  for (auto d : shape) has_zero = has_zero || d == 0;
  std::vector<onnx::Attribute> attrs;
  if (has_zero) attrs.push_back({"allowzero", int64_t{1}});
  ctx.emit("Reshape", {ctx.in(node, 0), ctx.int64s(shape)}, attrs, ctx.out(node));
}

void lower_transpose(Context& ctx, const Node& node) {
  ctx.emit("Transpose", {ctx.in(node, 0)}, {{"perm", node.ints_attr(0)}}, ctx.out(node));
}

void lower_expand_dims(Context& ctx, const Node& node) {
  ctx.emit("Unsqueeze", {ctx.in(node, 0), ctx.int64s(node.ints_attr(0))}, {}, ctx.out(node));
}

void lower_squeeze(Context& ctx, const Node& node) {
  ctx.emit("Squeeze", {ctx.in(node, 0), ctx.int64s(node.ints_attr(0))}, {}, ctx.out(node));
}

void lower_broadcast(Context& ctx, const Node& node) {
  ctx.emit("Expand", {ctx.in(node, 0), ctx.int64s(ctx.out_value(node).shape)}, {}, ctx.out(node));
}

void lower_concatenate(Context& ctx, const Node& node) {
  std::vector<std::string> inputs;
  for (size_t i = 0; i < node.inputs.size(); ++i) inputs.push_back(ctx.in(node, i));
  ctx.emit("Concat", inputs, {{"axis", node.int_attr(0)}}, ctx.out(node));
}

// MLX splits at indices; ONNX takes the size of each part, read from the outputs.
void lower_split(Context& ctx, const Node& node) {
  int64_t axis = node.int_attr(1);
  int64_t rank = static_cast<int64_t>(ctx.in_value(node, 0).shape.size());
  if (axis < 0) axis += rank;
  std::vector<int64_t> sizes;
  std::vector<std::string> outputs;
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    sizes.push_back(ctx.out_value(node, i).shape.at(axis));
    outputs.push_back(ctx.out(node, i));
  }
  ctx.emit_multi("Split", {ctx.in(node, 0), ctx.int64s(sizes)}, outputs.size(), {{"axis", axis}},
                 outputs);
}

void lower_slice(Context& ctx, const Node& node) {
  std::vector<int64_t> starts = node.ints_attr(0);
  std::vector<int64_t> ends = node.ints_attr(1);
  const auto& steps = node.ints_attr(2);
  std::vector<int64_t> axes;
  for (size_t i = 0; i < starts.size(); ++i) {
    axes.push_back(static_cast<int64_t>(i));
    // MLX ends a reversed slice at -1, which ONNX would read as "the last element".
    if (steps[i] < 0 && ends[i] < 0) ends[i] = std::numeric_limits<int64_t>::min();
  }
  ctx.emit("Slice", {ctx.in(node, 0), ctx.int64s(starts), ctx.int64s(ends), ctx.int64s(axes),
                     ctx.int64s(steps)},
           {}, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"Broadcast", lower_broadcast, RuleKind::Lowered},
    {"Concatenate", lower_concatenate, RuleKind::Lowered},
    {"ExpandDims", lower_expand_dims, RuleKind::Lowered},
    {"Flatten", to_output_shape, RuleKind::Lowered},
    {"Reshape", to_output_shape, RuleKind::Lowered},
    {"Slice", lower_slice, RuleKind::Lowered},
    {"Split", lower_split, RuleKind::Lowered},
    {"Squeeze", lower_squeeze, RuleKind::Lowered},
    {"Transpose", lower_transpose, RuleKind::Lowered},
    {"Unflatten", to_output_shape, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> shape_rules() { return kRules; }

}  // namespace mlx_onnx::lower
