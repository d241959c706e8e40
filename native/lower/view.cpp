// View: the same bytes seen as another dtype. ONNX has no bit-cast operator, so views
// between integer (or bool) types are rebuilt from their bytes with shifts, and views of
// constants become new initializers.
#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

DType unsigned_of_size(size_t bytes) {
  switch (bytes) {
    case 1: return DType::UInt8;
    case 2: return DType::UInt16;
    case 4: return DType::UInt32;
    default: return DType::UInt64;
  }
}

// A view of a constant is the same bytes with another type: a new initializer.
bool fold_constant_view(Context& ctx, const Node& node) {
  const Value& out = ctx.out_value(node);
  std::string view = ctx.constant_view(node.inputs.at(0), elem_type(out.dtype), out.shape);
  if (view.empty()) return false;
  ctx.emit("Identity", {view}, {}, ctx.out(node));
  return true;
}

// Views between integer (and bool) types are exact with integer ops: same size is a
// Cast (which wraps); to a smaller type each value is split into its little-endian
// pieces with shifts (a new last axis), to a larger one the pieces are shifted into
// place and summed (their bits do not overlap). Pieces are handled in uint64. A bool
// made from a byte other than 0 or 1 reads as true (MLX keeps the byte).
void view_integers(Context& ctx, const Node& node) {
  DType from = ctx.in_value(node, 0).dtype;
  DType to = ctx.out_value(node).dtype;
  size_t from_size = dtype_size(from), to_size = dtype_size(to);
  const std::string& x = ctx.in(node, 0);
  const std::string& out = ctx.out(node);
  auto finish = [&](const std::string& bits) {  // uint64 or wider-typed pieces -> `to`
    DType u = unsigned_of_size(to_size);
    std::string narrowed = ctx.cast(bits, u);
    if (to == u) return void(ctx.emit("Identity", {narrowed}, {}, out));
    ctx.cast(narrowed, to, out);
  };
  if (from_size == to_size) {
    if (from == DType::Bool || to != DType::Bool) return void(ctx.cast(x, to, out));
    return finish(x);  // a byte to bool
  }
  DType from_unsigned = unsigned_of_size(from_size);
  std::string bits = from == from_unsigned ? x : ctx.cast(x, from_unsigned);
  std::string wide = from_unsigned == DType::UInt64 ? bits : ctx.cast(bits, DType::UInt64);
  ValueId in = node.inputs[0];
  int64_t rank = operand_rank(ctx, node, 0);
  if (from_size > to_size) {
    size_t ratio = from_size / to_size;
    std::vector<uint64_t> shifts(ratio);
    for (size_t k = 0; k < ratio; ++k) shifts[k] = 8 * to_size * k;
    std::string s = ctx.constant(onnx::ElemType::UInt64, {static_cast<int64_t>(ratio)}, shifts.data(),
                                    ratio * 8);
    std::string pieces = ctx.emit("BitShift", {ctx.emit("Unsqueeze", {wide, ctx.int64s({-1})}), s},
                                  {{"direction", std::string("RIGHT")}});
    return finish(ctx.emit("Reshape", {pieces, ctx.shape_around({}, in, 0, rank - 1, {-1})}));
  }
  size_t ratio = to_size / from_size;
  std::vector<uint64_t> shifts(ratio);
  for (size_t k = 0; k < ratio; ++k) shifts[k] = 8 * from_size * k;
  std::string s =
      ctx.constant(onnx::ElemType::UInt64, {static_cast<int64_t>(ratio)}, shifts.data(), ratio * 8);
  std::string grouped = ctx.shape_around({}, in, 0, rank - 1, {-1, static_cast<int64_t>(ratio)});
  std::string pieces = ctx.emit("BitShift", {ctx.emit("Reshape", {wide, grouped}), s},
                                {{"direction", std::string("LEFT")}});
  std::string sum = ctx.emit("ReduceSum", {ctx.cast(pieces, DType::Int64), ctx.int64s({-1})},
                             {{"keepdims", int64_t{0}}});
  finish(sum);
}

void lower_view(Context& ctx, const Node& node) {
  DType from = ctx.in_value(node, 0).dtype;
  DType to = ctx.out_value(node).dtype;
  if (fold_constant_view(ctx, node)) return;
  if (from == to) return void(ctx.emit("Identity", {ctx.in(node, 0)}, {}, ctx.out(node)));
  if (is_integral(from) && is_integral(to)) return view_integers(ctx, node);
  fail(ErrorCode::UnsupportedOp, "View from " + std::string(dtype_name(from)) + " to " +
                                     std::string(dtype_name(to)) +
                                     ": ONNX has no bit-cast operator (views between integer or bool "
                                     "types, and views of constants, are supported)");
}

constexpr Rule kRules[] = {
    {"View", lower_view, RuleKind::Decomposed},
};

}  // namespace

std::span<const Rule> view_rules() { return kRules; }

}  // namespace mlx_onnx::lower
