// Reductions. MLX's Reduce, ArgReduce and LogSumExp keep reduced axes (size 1); a
// Squeeze or Reshape that follows removes them when the user asked for that.
#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

enum ReduceType { kAnd = 0, kOr = 1, kSum = 2, kProd = 3, kMin = 4, kMax = 5 };

const char* reduce_op(int64_t type) {
  switch (type) {
    case kAnd: case kMin: return "ReduceMin";
    case kOr: case kMax: return "ReduceMax";
    case kSum: return "ReduceSum";
    case kProd: return "ReduceProd";
  }
  return nullptr;
}

void lower_reduce(Context& ctx, const Node& node) {
  int64_t type = node.attr<int64_t>("reduce_type");
  const auto& axes = node.attr<std::vector<int64_t>>("axes");
  const char* op = reduce_op(type);
  if (!op) fail(ErrorCode::InvalidInput, "Reduce: unknown reduce type " + std::to_string(type));
  DType in_dtype = ctx.in_value(node, 0).dtype;
  DType out_dtype = ctx.out_value(node).dtype;
  std::string x = ctx.in(node, 0);
  if (axes.empty()) return void(ctx.emit("Identity", {x}, {}, ctx.out(node)));
  // all/any test for non-zero and reduce as integers (ONNX has no boolean Reduce
  // before opset 20); other reductions accumulate in the output dtype, half floats in float32.
  bool logical = type == kAnd || type == kOr;
  if (logical && in_dtype != DType::Bool) {
    x = ctx.emit("Not", {ctx.emit("Equal", {x, ctx.scalar(in_dtype, 0.0)})});
    in_dtype = DType::Bool;
  }
  DType compute = logical ? DType::Int32 : out_dtype;
  if (is_half(compute)) compute = DType::Float32;
  if (compute != in_dtype) x = ctx.cast(x, compute);
  std::vector<onnx::Attribute> keep = {{"keepdims", int64_t{1}}};
  if (compute == out_dtype) return void(ctx.emit(op, {x, ctx.int64s(axes)}, keep, ctx.out(node)));
  ctx.cast(ctx.emit(op, {x, ctx.int64s(axes)}, keep), out_dtype, ctx.out(node));
}

void lower_arg_reduce(Context& ctx, const Node& node) {
  const char* op = node.attr<int64_t>("reduce_type") == 0 ? "ArgMin" : "ArgMax";
  int64_t axis = node.attr<int64_t>("axis");
  std::string x = ctx.in(node, 0);
  if (is_half(ctx.in_value(node, 0).dtype)) x = ctx.cast(x, DType::Float32);
  std::string index = ctx.emit(op, {x}, {{"axis", axis}, {"keepdims", int64_t{1}}});
  ctx.cast(index, ctx.out_value(node).dtype, ctx.out(node));
}

void lower_softmax(Context& ctx, const Node& node) {
  elementwise(ctx, node, "Softmax", {{"axis", int64_t{-1}}});
}

// max + log(sum(exp(x - max))) over the last axis; an infinite max is kept as is.
void lower_log_sum_exp(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    std::string axes = c.int64s({-1});
    std::vector<onnx::Attribute> keep = {{"keepdims", int64_t{1}}};
    std::string m = c.emit("ReduceMax", {in[0], axes}, keep);
    std::string m_safe = c.emit("Where", {c.emit("IsInf", {m}), c.scalar(dt, 0.0), m});
    std::string sum = c.emit("ReduceSum", {c.emit("Exp", {c.emit("Sub", {in[0], m_safe})}), axes}, keep);
    c.emit("Add", {c.emit("Log", {sum}), m_safe}, {}, out);
  });
}

constexpr Rule kRules[] = {
    {"ArgReduce", lower_arg_reduce, RuleKind::Lowered},
    {"LogSumExp", lower_log_sum_exp, RuleKind::Decomposed},
    {"Reduce", lower_reduce, RuleKind::Lowered},
    {"Softmax", lower_softmax, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> reduce_rules() { return kRules; }

}  // namespace mlx_onnx::lower
