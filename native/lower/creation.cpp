// Arrays made from nothing but parameters: Full and Arange.
#include <cmath>

#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

// MLX's Full receives its value already broadcast and cast.
void lower_full(Context& ctx, const Node& node) {
  ctx.emit("Identity", {ctx.in(node, 0)}, {}, ctx.out(node));
}

// MLX fills arange by repeated addition of (start + step) - start in the output dtype,
// as ONNX Range does; both are computed here the same way.
void lower_arange(Context& ctx, const Node& node) {
  double start = node.attr<double>("start");
  double step = node.attr<double>("step");
  DType dt = ctx.out_value(node).dtype;
  int64_t count = ctx.out_value(node).shape.at(0);
  // ONNX Range takes float32/64 and int16/32/64; other dtypes are made in a wider one.
  DType compute = is_half(dt) ? DType::Float32 : dt;
  if (dt == DType::Int8 || dt == DType::UInt8 || dt == DType::UInt16 || dt == DType::UInt32 ||
      dt == DType::UInt64) {
    compute = DType::Int64;
  }
  if (is_floating(compute) && compute == DType::Float32) {
    float s = static_cast<float>(start);
    float next = static_cast<float>(start + step);
    start = s;
    step = next - s;
  } else if (!is_floating(compute)) {
    start = std::trunc(start);
    step = std::trunc(start + step) - start;
  }
  // Half a step short of the end, so ONNX's ceil((limit - start) / step) gives `count`.
  double shortfall = is_floating(compute) ? 0.5 : 0.0;
  std::string limit = ctx.scalar(compute, start + step * (static_cast<double>(count) - shortfall));
  if (const auto* length_of = node.find_attr<std::vector<int64_t>>("length_of")) {
    // The count, recovered from the inputs' sizes (passes/dynamic_dims, passes/merge_traces).
    SizeEntries length = decode_sizes(*length_of);
    require(length.size() == 1 && length[0].first == 0, node, "a recovered length must be one size");
    std::string n = ctx.emit("Squeeze", {ctx.size_of(length[0].second), ctx.int64s({0})});
    std::string span = ctx.emit("Sub", {ctx.cast(n, compute), ctx.scalar(compute, shortfall)});
    limit = ctx.emit("Add", {ctx.scalar(compute, start), ctx.emit("Mul", {span, ctx.scalar(compute, step)})});
  }
  if (compute == dt) {
    ctx.emit("Range", {ctx.scalar(compute, start), limit, ctx.scalar(compute, step)}, {}, ctx.out(node));
    return;
  }
  std::string range = ctx.emit("Range", {ctx.scalar(compute, start), limit, ctx.scalar(compute, step)});
  ctx.cast(range, dt, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"Arange", lower_arange, RuleKind::Lowered},
    {"Full", lower_full, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> creation_rules() { return kRules; }

}  // namespace mlx_onnx::lower
