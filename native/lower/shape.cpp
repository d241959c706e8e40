// Layout: reshapes, transposes, broadcasts (BroadcastAxes too), slicing, joining and
// splitting, and NumberOfElements.
// Shapes are those recorded in the trace.
#include <algorithm>
#include <limits>
#include <map>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

void reshape(Context& ctx, const Node& node, const std::string& shape, bool has_zero) {
  std::vector<onnx::Attribute> attrs;
  if (has_zero) attrs.push_back({"allowzero", int64_t{1}});
  ctx.emit("Reshape", {ctx.in(node, 0), shape}, attrs, ctx.out(node));
}

bool has_zero(const Shape& shape) {
  for (auto d : shape) {
    if (d == 0) return true;
  }
  return false;
}

// MLX keeps the shape as written, with -1 for an inferred dimension, which is also what
// ONNX's Reshape takes; in shapeless graphs the -1 is what makes it follow the input.
// Entries the passes recovered ("recovered_dims", graph/size_expr.h) are computed from the
// inputs' Shape at run time; the others are constants.
void lower_reshape(Context& ctx, const Node& node) {
  const auto& shape = node.attr<std::vector<int64_t>>("shape");
  std::string recovered = ctx.sizes_with(node, "recovered_dims", shape);
  reshape(ctx, node, recovered.empty() ? ctx.int64s(shape) : recovered, has_zero(shape));
}

// Flatten(start, end) and Unflatten(axis, shape): the output shape, or in shapeless
// graphs the input's other dimensions read at run time around the changed ones.
// Where the target can be constants (at most one dynamic size past the axes kept in
// place), no sizes are read at run time.
bool reshape_to_constant(Context& ctx, const Node& node, size_t copied) {
  const Shape& shape = ctx.out_value(node).shape;
  if (ctx.out_value(node).fixed()) return reshape(ctx, node, ctx.int64s(shape), has_zero(shape)), true;
  std::string target = ctx.reshape_target(node.outputs[0], copied);
  if (target.empty()) return false;
  reshape(ctx, node, target, false);
  return true;
}

void lower_flatten(Context& ctx, const Node& node) {
  int64_t rank = static_cast<int64_t>(ctx.in_value(node, 0).shape.size());
  int64_t start = checked_axis(node, node.attr<int64_t>("start_axis"), rank), end = checked_axis(node, node.attr<int64_t>("end_axis"), rank);
  if (reshape_to_constant(ctx, node, start)) return;
  ValueId x = node.inputs[0];
  reshape(ctx, node, ctx.emit("Concat", {ctx.dims(x, 0, start), ctx.int64s({-1}), ctx.dims(x, end + 1, rank)}, {{"axis", int64_t{0}}}), false);
}

void lower_unflatten(Context& ctx, const Node& node) {
  int64_t rank = static_cast<int64_t>(ctx.in_value(node, 0).shape.size());
  int64_t axis = checked_axis(node, node.attr<int64_t>("axis"), rank);
  std::string recovered = ctx.sizes_with(node, "recovered_dims", ctx.out_value(node).shape);
  if (!recovered.empty()) return reshape(ctx, node, recovered, false);
  if (reshape_to_constant(ctx, node, axis)) return;
  ValueId x = node.inputs[0];
  std::string parts = ctx.emit("Concat", {ctx.dims(x, 0, axis), ctx.int64s(node.attr<std::vector<int64_t>>("shape")), ctx.dims(x, axis + 1, rank)}, {{"axis", int64_t{0}}});
  reshape(ctx, node, parts, false);
}

void lower_transpose(Context& ctx, const Node& node) {
  ctx.emit("Transpose", {ctx.in(node, 0)}, {{"perm", node.attr<std::vector<int64_t>>("axes")}}, ctx.out(node));
}

void lower_expand_dims(Context& ctx, const Node& node) {
  ctx.emit("Unsqueeze", {ctx.in(node, 0), ctx.int64s(node.attr<std::vector<int64_t>>("axes"))}, {}, ctx.out(node));
}

void lower_squeeze(Context& ctx, const Node& node) {
  ctx.emit("Squeeze", {ctx.in(node, 0), ctx.int64s(node.attr<std::vector<int64_t>>("axes"))}, {}, ctx.out(node));
}

// To the recorded shape, or the one merged traces recovered; in shapeless exports MLX adds
// the arrays whose shapes the result follows as extra operands, and Expand's two-way
// broadcasting to each gives their shape.
void lower_broadcast(Context& ctx, const Node& node) {
  move_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    std::string recovered = c.sizes_with(node, "recovered_dims", c.out_value(node).shape);
    if (!recovered.empty()) return void(c.emit("Expand", {in[0], recovered}, {}, out));
    if (in.size() < 2 || c.out_value(node).fixed()) {
      return void(c.emit("Expand", {in[0], c.int64s(c.out_value(node).shape)}, {}, out));
    }
    std::string x = in[0];
    for (size_t i = 1; i < in.size(); ++i) {
      const std::string shape = c.emit("Shape", {in[i]});
      x = c.emit("Expand", {x, shape}, {}, i + 1 == in.size() ? out : "");
    }
  });
}

void lower_concatenate(Context& ctx, const Node& node) {
  std::vector<std::string> inputs;
  for (size_t i = 0; i < node.inputs.size(); ++i) inputs.push_back(ctx.in(node, i));
  ctx.emit("Concat", inputs, {{"axis", node.attr<int64_t>("axis")}}, ctx.out(node));
}

// MLX splits at indices; ONNX takes the size of each part, read from the outputs.
void lower_split(Context& ctx, const Node& node) {
  int64_t axis = node.attr<int64_t>("axis");
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

// A slice's bounds on the axes it cuts: constants, or, where merged traces recovered them
// ("recovered_starts", "recovered_ends"), computed at run time.
std::string bounds(Context& ctx, const std::map<size_t, SizeExpr>& recovered,
                   const std::vector<int64_t>& axes, const std::vector<int64_t>& values) {
  if (recovered.empty()) return ctx.int64s(values);
  std::vector<std::string> parts;
  for (size_t k = 0; k < axes.size(); ++k) {
    auto found = recovered.find(static_cast<size_t>(axes[k]));
    parts.push_back(found == recovered.end() ? ctx.int64s({values[k]}) : ctx.size_of(found->second));
  }
  return ctx.emit("Concat", parts, {{"axis", int64_t{0}}});
}

std::map<size_t, SizeExpr> recovered_bounds(const Node& node, std::string_view attr) {
  std::map<size_t, SizeExpr> out;
  if (const auto* flat = node.find_attr<std::vector<int64_t>>(attr)) {
    for (auto& [axis, expr] : decode_sizes(*flat)) out[axis] = std::move(expr);
  }
  return out;
}

void lower_slice(Context& ctx, const Node& node) {
  std::vector<int64_t> starts = node.attr<std::vector<int64_t>>("start");
  std::vector<int64_t> ends = node.attr<std::vector<int64_t>>("end");
  const auto& steps = node.attr<std::vector<int64_t>>("strides");
  const size_t rank = ctx.in_value(node, 0).shape.size();
  require(starts.size() == rank && ends.size() == rank && steps.size() == rank, node,
          "starts, ends and steps must have the input's rank " + std::to_string(rank));
  const auto run_starts = recovered_bounds(node, "recovered_starts"), run_ends = recovered_bounds(node, "recovered_ends");
  // Only the axes that are cut: whole axes (start 0, step 1, the recorded size or more)
  // are left out, which also lets a dynamic axis keep its run-time size.
  const Shape& in_shape = ctx.in_value(node, 0).shape;
  std::vector<int64_t> axes, cut_starts, cut_ends, cut_steps;
  for (size_t i = 0; i < rank; ++i) {
    bool recovered = run_starts.count(i) || run_ends.count(i);
    if (!recovered && starts[i] == 0 && steps[i] == 1 && ends[i] >= in_shape[i]) continue;
    axes.push_back(static_cast<int64_t>(i));
    cut_starts.push_back(starts[i]);
    // MLX ends a reversed slice at -1, which ONNX would read as "the last element".
    cut_ends.push_back(steps[i] < 0 && ends[i] < 0 ? std::numeric_limits<int64_t>::min() : ends[i]);
    cut_steps.push_back(steps[i]);
  }
  if (axes.empty()) return void(ctx.emit("Identity", {ctx.in(node, 0)}, {}, ctx.out(node)));
  bool unit_steps = std::all_of(cut_steps.begin(), cut_steps.end(), [](int64_t s) { return s == 1; });
  std::vector<std::string> inputs = {ctx.in(node, 0), bounds(ctx, run_starts, axes, cut_starts),
                                     bounds(ctx, run_ends, axes, cut_ends), ctx.int64s(axes)};
  if (!unit_steps) inputs.push_back(ctx.int64s(cut_steps));
  ctx.emit("Slice", inputs, {}, ctx.out(node));
}

// Recorded by shapeless exports (mean, var, ...): the product of the operand's sizes
// on `axes`, or its reciprocal, as a scalar of `dtype`. A constant (computed in double, as
// MLX does) where those sizes are fixed; else from the operand's run-time shape, in
// float32: WebGPU runtimes have no float64, and 1/n rounds the same for any n below 2^24.

void lower_number_of_elements(Context& ctx, const Node& node) {
  bool inverted = node.attr<bool>("inverted");
  DType dt = node.attr<DType>("dtype");
  const Shape& shape = ctx.in_value(node, 0).shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes;
  double count = 1;
  for (int64_t axis : node.attr<std::vector<int64_t>>("axes")) {
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      fail(ErrorCode::InvalidInput, "NumberOfElements: axis " + std::to_string(axis) + " out of range");
    }
    axes.push_back(a);
    count *= static_cast<double>(shape[a]);
  }
  bool fixed = std::all_of(axes.begin(), axes.end(), [&](int64_t a) { return !ctx.in_value(node, 0).is_dynamic(a); });
  if (fixed) {
    std::vector<uint8_t> bytes = scalar_bytes(dt, inverted ? 1.0 / count : count);
    ctx.constant(elem_type(dt), {}, bytes.data(), bytes.size(), ctx.out(node));
    return;
  }
  std::string sizes = ctx.emit("Gather", {ctx.dims(node.inputs[0], 0, rank), ctx.int64s(axes)},
                               {{"axis", int64_t{0}}});
  std::string product = ctx.emit("ReduceProd", {sizes}, {{"keepdims", int64_t{0}}});
  if (!inverted) return void(ctx.cast(product, dt, ctx.out(node)));
  std::string reciprocal = ctx.emit("Div", {ctx.scalar(DType::Float32, 1.0), ctx.cast(product, DType::Float32)},
                                    {}, dt == DType::Float32 ? ctx.out(node) : "");
  if (dt != DType::Float32) ctx.cast(reciprocal, dt, ctx.out(node));
}

// Recorded by shapeless exports: operand 0 broadcast against the others, except on the
// ignored axes (negative, from the end), where it keeps its sizes. Fixed shapes: Expand
// to the recorded shape. Shapeless: Expand (which broadcasts both ways) by each other
// operand's run-time shape with its ignored axes set to 1.
void expand_broadcast_axes(Context& ctx, const Node& node, const std::string& input, const std::string& output) {
  if (ctx.out_value(node).fixed()) {
    ctx.emit("Expand", {input, ctx.int64s(ctx.out_value(node).shape)}, {}, output);
    return;
  }
  const auto& ignored = node.attr<std::vector<int64_t>>("ignore_axes");
  std::string x = input;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    int64_t rank = operand_rank(ctx, node, i);
    std::vector<int64_t> ones(rank, 1);
    std::vector<uint8_t> keep(rank, 1);
    for (int64_t axis : ignored) {
      if (axis + rank >= 0 && axis < 0) keep[axis + rank] = 0;
    }
    std::string mask = ctx.constant(onnx::ElemType::Bool, {rank}, keep.data(), keep.size());
    std::string sizes = ctx.emit("Where", {mask, ctx.dims(node.inputs[i], 0, rank), ctx.int64s(ones)});
    bool last = i + 1 == node.inputs.size();
    x = ctx.emit("Expand", {x, sizes}, {}, last ? output : "");
  }
  if (node.inputs.size() == 1) ctx.emit("Identity", {x}, {}, output);
}

void lower_broadcast_axes(Context& ctx, const Node& node) {
  move_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    expand_broadcast_axes(c, node, in[0], out);
  });
}

constexpr Rule kRules[] = {
    {"Broadcast", lower_broadcast, RuleKind::Lowered},
    {"BroadcastAxes", lower_broadcast_axes, RuleKind::Lowered},
    {"Concatenate", lower_concatenate, RuleKind::Lowered},
    {"ExpandDims", lower_expand_dims, RuleKind::Lowered},
    {"Flatten", lower_flatten, RuleKind::Lowered},
    {"NumberOfElements", lower_number_of_elements, RuleKind::Lowered},
    {"Reshape", lower_reshape, RuleKind::Lowered},
    {"Slice", lower_slice, RuleKind::Lowered},
    {"Split", lower_split, RuleKind::Lowered},
    {"Squeeze", lower_squeeze, RuleKind::Lowered},
    {"Transpose", lower_transpose, RuleKind::Lowered},
    {"Unflatten", lower_unflatten, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> shape_rules() { return kRules; }

}  // namespace mlx_onnx::lower
