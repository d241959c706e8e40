// Convolution. MLX is channels-last (input N, *spatial, C_in; weight C_out, *kernel,
// C_in / groups; output N, *spatial, C_out), ONNX Conv channels-first: operands and result
// are transposed around one Conv. MLX's transposed convolutions arrive as a Convolution
// with input dilation > 1 and a flipped kernel; ONNX Conv has neither, so zeros are
// inserted between input elements and the kernel is reversed with a Slice.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

using Ints = std::vector<int64_t>;

constexpr int64_t kMaxParameter = int64_t{1} << 31;

// (N, *spatial, C) -> (N, C, *spatial).
Ints to_channels_first(size_t spatial) {
  Ints perm{0, static_cast<int64_t>(spatial) + 1};
  for (size_t i = 0; i < spatial; ++i) perm.push_back(static_cast<int64_t>(i) + 1);
  return perm;
}

// (N, C, *spatial) -> (N, *spatial, C).
Ints to_channels_last(size_t spatial) {
  Ints perm{0};
  for (size_t i = 0; i < spatial; ++i) perm.push_back(static_cast<int64_t>(i) + 2);
  perm.push_back(1);
  return perm;
}

// Channels-first float32 `x` with d - 1 zeros after every element of each spatial axis
// (dilation d): (.., L, ..) is reshaped to (.., L, 1, ..), padded to (.., L, d, ..) and
// merged into (.., L * d, ..). The d - 1 zeros after the last element are the caller's.
std::string dilate_input(Context& ctx, const std::string& x, const Shape& shape, const Ints& dilation) {
  Ints split{shape[0], shape[1]}, merged{shape[0], shape[1]}, pad_axes, pad_lo, pad_hi;
  for (size_t i = 0; i < dilation.size(); ++i) {
    split.push_back(shape[i + 2]);
    merged.push_back(shape[i + 2] * dilation[i]);
    if (dilation[i] == 1) continue;
    split.push_back(1);
    pad_axes.push_back(static_cast<int64_t>(split.size()) - 1);
    pad_lo.push_back(0);
    pad_hi.push_back(dilation[i] - 1);
  }
  Ints pads = pad_lo;
  pads.insert(pads.end(), pad_hi.begin(), pad_hi.end());
  std::string expanded = ctx.emit("Reshape", {x, ctx.int64s(split)});
  std::string zero = ctx.scalar(DType::Float32, 0.0);
  std::string padded = ctx.emit("Pad", {expanded, ctx.int64s(pads), zero, ctx.int64s(pad_axes)});
  return ctx.emit("Reshape", {padded, ctx.int64s(merged)});
}

// The channels-first input with MLX's padding applied as far as Conv cannot: zeros
// inserted for input dilation and negative padding (or dilation's trailing zeros) cut
// with a Slice. Returns it with the non-negative `pads` (begins, then ends) left to Conv.
std::string prepare_input(Context& ctx, const Node& node, const std::string& input, Ints& pads) {
  const Ints& padding_lo = node.attr<Ints>("padding_lo");
  const Ints& padding_hi = node.attr<Ints>("padding_hi");
  const Ints& input_dilation = node.attr<Ints>("input_dilation");
  const Shape& in_shape = ctx.in_value(node, 0).shape;
  size_t spatial = in_shape.size() - 2;

  std::string x = ctx.emit("Transpose", {input}, {{"perm", to_channels_first(spatial)}});
  Shape cf_shape{in_shape[0], in_shape.back()};
  bool dilated = false;
  for (size_t i = 0; i < spatial; ++i) {
    cf_shape.push_back(in_shape[i + 1]);
    dilated = dilated || input_dilation[i] != 1;
  }
  if (dilated) x = dilate_input(ctx, x, cf_shape, input_dilation);

  Ints pads_hi, cut_axes, cut_starts, cut_ends;
  pads.clear();
  for (size_t i = 0; i < spatial; ++i) {
    int64_t length = cf_shape[i + 2] * input_dilation[i];
    int64_t lo = padding_lo[i];
    int64_t hi = padding_hi[i] - (input_dilation[i] - 1);
    pads.push_back(std::max<int64_t>(lo, 0));
    pads_hi.push_back(std::max<int64_t>(hi, 0));
    if (lo >= 0 && hi >= 0) continue;
    cut_axes.push_back(static_cast<int64_t>(i) + 2);
    cut_starts.push_back(std::max<int64_t>(-lo, 0));
    cut_ends.push_back(length + std::min<int64_t>(hi, 0));
  }
  pads.insert(pads.end(), pads_hi.begin(), pads_hi.end());
  if (cut_axes.empty()) return x;
  return ctx.emit("Slice", {x, ctx.int64s(cut_starts), ctx.int64s(cut_ends), ctx.int64s(cut_axes)});
}

// (C_out, *kernel, C_in / groups) -> (C_out, C_in / groups, *kernel), reversed on the
// kernel axes when `flip` (a Slice of step -1).
std::string prepare_weight(Context& ctx, const std::string& weight, size_t spatial, bool flip) {
  std::string w = ctx.emit("Transpose", {weight}, {{"perm", to_channels_first(spatial)}});
  if (!flip) return w;
  Ints axes, starts(spatial, -1), ends(spatial, std::numeric_limits<int64_t>::min()), steps(spatial, -1);
  for (size_t i = 0; i < spatial; ++i) axes.push_back(static_cast<int64_t>(i) + 2);
  return ctx.emit("Slice", {w, ctx.int64s(starts), ctx.int64s(ends), ctx.int64s(axes), ctx.int64s(steps)});
}

// MLX's CPU convolution computes in float32 for every dtype (float16, bfloat16 and
// float64 alike) and rounds the result; ONNX Runtime's Conv has float32 only.
void lower_convolution(Context& ctx, const Node& node) {
  const size_t rank = ctx.in_value(node, 0).shape.size();
  require(rank >= 3 && ctx.in_value(node, 1).shape.size() == rank, node,
          "input and weight must have one rank, 3 or more (batch, spatial axes, channels)");
  size_t spatial = rank - 2;
  // Strides, paddings, kernel and input dilations: one entry per spatial axis, small
  // enough that lengths computed from them stay far from int64 overflow.
  static const char* const kFields[] = {"strides", "padding_lo", "padding_hi", "kernel_dilation", "input_dilation"};
  for (size_t field = 0; field < 5; ++field) {
    const Ints& values = node.attr<Ints>(kFields[field]);
    const std::string name = kFields[field];
    require(values.size() == spatial, node, name + " needs one entry per spatial axis (" + std::to_string(spatial) + ")");
    bool padding = field == 1 || field == 2;
    for (int64_t v : values) {
      require(v >= (padding ? -kMaxParameter : 1) && v <= kMaxParameter, node, name + " entry " + std::to_string(v) + " is out of range");
    }
  }
  DType dtype = ctx.out_value(node).dtype;
  bool widen = dtype != DType::Float32;
  auto operand = [&](size_t i) { return widen ? ctx.cast(ctx.in(node, i), DType::Float32) : ctx.in(node, i); };

  Ints pads;
  std::string x = prepare_input(ctx, node, operand(0), pads);
  std::string w = prepare_weight(ctx, operand(1), spatial, node.attr<bool>("flip"));
  std::string y = ctx.emit("Conv", {x, w},
                           {{"strides", node.attr<Ints>("strides")},
                            {"dilations", node.attr<Ints>("kernel_dilation")},
                            {"group", node.attr<int64_t>("groups")},
                            {"pads", pads}});
  std::string out = widen ? ctx.fresh("conv_f32") : ctx.out(node);
  ctx.emit("Transpose", {y}, {{"perm", to_channels_last(spatial)}}, out);
  if (widen) ctx.cast(out, dtype, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"Convolution", lower_convolution, RuleKind::Decomposed},
};

}  // namespace

std::span<const Rule> conv_rules() { return kRules; }

}  // namespace mlx_onnx::lower
