// Pad: constant padding of arrays.
#include <cstdint>

#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

// The dtype ONNX Runtime pads `dtype` in: its Pad kernel lacks half floats and 16-bit
// integers, which are padded in float32 / int32 (the round trip is exact).
DType pad_dtype(DType dtype) {
  switch (dtype) {
    case DType::Float16:
    case DType::BFloat16: return DType::Float32;
    case DType::Int16:
    case DType::UInt16: return DType::Int32;
    default: return dtype;
  }
}

// Pad(x, value; axes, low, high) -> ONNX Pad (constant mode) on the given axes. MLX has
// already cast the 0-d pad value to x's dtype.
void lower_pad(Context& ctx, const Node& node) {
  const auto& axes = node.attr<std::vector<int64_t>>("axes");
  const auto& low = node.attr<std::vector<int64_t>>("low");
  const auto& high = node.attr<std::vector<int64_t>>("high");
  DType dtype = ctx.in_value(node, 0).dtype;
  int64_t rank = static_cast<int64_t>(ctx.in_value(node, 0).shape.size());
  std::vector<int64_t> onnx_axes, pads(low.begin(), low.end());
  pads.insert(pads.end(), high.begin(), high.end());
  for (auto a : axes) onnx_axes.push_back(a < 0 ? a + rank : a);

  DType wide = pad_dtype(dtype);
  std::string x = ctx.in(node, 0), value = ctx.in(node, 1);
  if (wide != dtype) {
    x = ctx.cast(x, wide);
    value = ctx.cast(value, wide);
  }
  std::string out = wide == dtype ? ctx.out(node) : "";
  std::string padded = ctx.emit("Pad", {x, ctx.int64s(pads), value, ctx.int64s(onnx_axes)},
                                {{"mode", std::string("constant")}}, out);
  if (wide != dtype) ctx.cast(padded, dtype, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"Pad", lower_pad, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> pad_rules() { return kRules; }

}  // namespace mlx_onnx::lower
