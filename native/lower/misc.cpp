// The remaining primitives: ErfInv, bitwise ops, NumberOfElements, Hadamard, View,
// BroadcastAxes, GatherMM, BlockMaskedMM, RandomBits.
#include <algorithm>
#include <bit>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"
// MLX's own table of the non-power-of-two Hadamard matrices (from N. J. A. Sloane's
// library), installed with MLX's headers: the transform must use exactly these.
#include "mlx/backend/common/hadamard.h"

namespace mlx_onnx::lower {
namespace {

std::string float32s(Context& ctx, std::vector<int64_t> dims, const std::vector<float>& values) {
  return ctx.constant(onnx::ElemType::Float, std::move(dims), values.data(), values.size() * 4);
}

int64_t rank_of(Context& ctx, const Node& node, size_t operand) {
  return static_cast<int64_t>(ctx.in_value(node, operand).shape.size());
}

bool is_integral(DType dt) { return dt == DType::Bool || is_signed_integer(dt) || is_unsigned_integer(dt); }

DType unsigned_of_size(size_t bytes) {
  switch (bytes) {
    case 1: return DType::UInt8;
    case 2: return DType::UInt16;
    case 4: return DType::UInt32;
    default: return DType::UInt64;
  }
}

// ---- ErfInv ----------------------------------------------------------------------

// MLX's CPU erfinv (a float32 approximation by N. Juffa, max error ~2.4 ulp):
// t = log(1 - a*a) with 1 - a*a as one fused multiply-add, then a * P(t) with one of
// two polynomials picked by |t| > 6.125. The fma is reproduced exactly by computing
// 1 - a*a in float64 (a*a is exact there) and rounding once.
constexpr float kErfInvTail[] = {3.03697567e-10f, 2.93243101e-8f, 1.22150334e-6f, 2.84108955e-5f,
                                 3.93552968e-4f,  3.02698812e-3f, 4.83185798e-3f, -2.64646143e-1f,
                                 8.40016484e-1f};
constexpr float kErfInvCentral[] = {5.43877832e-9f,  1.43285448e-7f,  1.22774793e-6f, 1.12963626e-7f,
                                    -5.61530760e-5f, -1.47697632e-4f, 2.31468678e-3f, 1.15392581e-2f,
                                    -2.32015476e-1f, 8.86226892e-1f};

template <size_t N>
std::string horner(Context& ctx, const std::string& t, const float (&coefficients)[N]) {
  std::string p = ctx.scalar(DType::Float32, coefficients[0]);
  for (size_t i = 1; i < N; ++i) {
    p = ctx.emit("Add", {ctx.emit("Mul", {p, t}), ctx.scalar(DType::Float32, coefficients[i])});
  }
  return p;
}

void lower_erf_inv(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    // MLX evaluates float64 in float32 too.
    std::string a = dt == DType::Float32 ? in[0] : c.cast(in[0], DType::Float32);
    std::string wide = c.cast(a, DType::Float64);
    std::string one_minus_sq = c.emit("Sub", {c.scalar(DType::Float64, 1.0), c.emit("Mul", {wide, wide})});
    std::string t = c.emit("Log", {c.cast(one_minus_sq, DType::Float32)});
    std::string tail = c.emit("Greater", {c.emit("Abs", {t}), c.scalar(DType::Float32, 6.125)});
    std::string p = c.emit("Where", {tail, horner(c, t, kErfInvTail), horner(c, t, kErfInvCentral)});
    if (dt == DType::Float32) return void(c.emit("Mul", {a, p}, {}, out));
    c.cast(c.emit("Mul", {a, p}), dt, out);
  });
}

// ---- BitwiseBinary ---------------------------------------------------------------

// ONNX Runtime's BitShift exists for uint8, uint32 and uint64 only: other integers are
// shifted in the unsigned type of their size (uint32 for 16 bits) and cast back, which
// wraps as C++ does. Signed right shifts are arithmetic: negative values are
// complemented, shifted logically, and complemented back.
void lower_bitwise_binary(Context& ctx, const Node& node) {
  enum { And, Or, Xor, LeftShift, RightShift };
  int64_t op = node.int_attr(0);
  DType dt = ctx.out_value(node).dtype;
  const std::string& a = ctx.in(node, 0);
  const std::string& b = ctx.in(node, 1);
  const std::string& out = ctx.out(node);
  if (op == And || op == Or || op == Xor) {
    static const char* logical[] = {"And", "Or", "Xor"};
    static const char* bitwise[] = {"BitwiseAnd", "BitwiseOr", "BitwiseXor"};
    ctx.emit(dt == DType::Bool ? logical[op] : bitwise[op], {a, b}, {}, out);
    return;
  }
  if (op != LeftShift && op != RightShift) {
    fail(ErrorCode::InvalidInput, "BitwiseBinary: unknown op " + std::to_string(op));
  }
  if (!is_integral(dt) || dt == DType::Bool) {
    fail(ErrorCode::InvalidInput, "BitwiseBinary: shift of " + std::string(dtype_name(dt)));
  }
  size_t size = dtype_size(dt);
  DType kernel = size == 1 ? DType::UInt8 : size <= 4 ? DType::UInt32 : DType::UInt64;
  auto to_kernel = [&](const std::string& x) { return dt == kernel ? x : ctx.cast(x, kernel); };
  std::string shift = to_kernel(b);
  // A shift in the kernel type, written to `output` in the node's type.
  auto shift_to = [&](const std::string& x, const char* direction, const std::string& output) {
    std::vector<onnx::Attribute> attributes = {{"direction", std::string(direction)}};
    if (dt == kernel) return ctx.emit("BitShift", {x, shift}, attributes, output);
    return ctx.cast(ctx.emit("BitShift", {x, shift}, attributes), dt, output);
  };
  if (op == LeftShift) return void(shift_to(to_kernel(a), "LEFT", out));
  if (!is_signed_integer(dt)) return void(shift_to(to_kernel(a), "RIGHT", out));
  // All ones where a < 0, else zero.
  std::string mask = ctx.emit("Neg", {ctx.cast(ctx.emit("Less", {a, ctx.scalar(dt, 0)}), dt)});
  std::string flipped = ctx.emit("BitwiseXor", {a, mask});  // >= 0
  std::string shifted = shift_to(to_kernel(flipped), "RIGHT", "");
  ctx.emit("BitwiseXor", {shifted, mask}, {}, out);
}

// ---- NumberOfElements ------------------------------------------------------------

// Recorded by shapeless exports (mean, var, ...): the product of the operand's sizes
// on `axes`, or its reciprocal, as a scalar of `dtype`. A constant (computed in double, as
// MLX does) where those sizes are fixed; else from the operand's run-time shape, in
// float32: WebGPU runtimes have no float64, and 1/n rounds the same for any n below 2^24.

void lower_number_of_elements(Context& ctx, const Node& node) {
  bool inverted = node.bool_attr(1);
  DType dt = node.dtype_attr(2);
  const Shape& shape = ctx.in_value(node, 0).shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes;
  double count = 1;
  for (int64_t axis : node.ints_attr(0)) {
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

// ---- Hadamard --------------------------------------------------------------------

bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// The last axis (size m * 2^k) is the row-major flattening of an (m, 2^k) block, and
// MLX's transform is kron(H_m, H_2^k) applied to it, times scale; H_2^k is Sylvester's
// (H[i][j] = (-1)^popcount(i & j)) and H_m one of MLX's tables (m = 12, 20, 28). As
// kron(A, B, ...) applied to a vector is A, B, ... applied on the axes of its reshaping,
// each factor (H_m, then Sylvester blocks of at most 64) is one small MatMul.
void lower_hadamard(Context& ctx, const Node& node) {
  float scale = static_cast<float>(node.float_attr(0));
  const Shape& shape = ctx.out_value(node).shape;
  if (shape.empty()) fail(ErrorCode::InvalidInput, "Hadamard of a scalar");
  int64_t size = shape.back();
  int64_t n = size, m = 1;
  std::vector<float> h_m;
  if (!is_power_of_two(n)) {
    // MLX takes the first table size that divides n.
    for (const auto& [factor, rows] : mlx::core::hadamard_matrices()) {
      if (n % factor != 0) continue;
      m = factor;
      n /= factor;
      for (char ch : rows) {
        if (ch == '+' || ch == '-') h_m.push_back(ch == '+' ? 1.0f : -1.0f);
      }
      break;
    }
    if (m == 1 || !is_power_of_two(n) || h_m.size() != static_cast<size_t>(m * m)) {
      fail(ErrorCode::UnsupportedOp, "Hadamard: size " + std::to_string(size) +
                                         " of the last axis is not m * 2^k with m in (1, 12, 20, 28)");
    }
  }
  // Factors, outermost axis first, with their matrices (row = output index).
  std::vector<std::pair<int64_t, std::vector<float>>> factors;
  if (m > 1) factors.emplace_back(m, h_m);
  for (int64_t rest = n; rest > 1;) {
    int64_t f = std::min<int64_t>(rest, 64);
    std::vector<float> h(f * f);
    for (int64_t i = 0; i < f; ++i) {
      for (int64_t j = 0; j < f; ++j) {
        h[i * f + j] = std::popcount(static_cast<uint64_t>(i & j)) % 2 ? -1.0f : 1.0f;
      }
    }
    factors.emplace_back(f, std::move(h));
    rest /= f;
  }
  DType dtype = ctx.in_value(node, 0).dtype;
  if (dtype != DType::Float32 && !is_half(dtype)) {
    fail(ErrorCode::UnsupportedOp,
         "Hadamard of " + std::string(dtype_name(dtype)) + " (MLX has float32 and half only)");
  }
  int64_t rank = static_cast<int64_t>(shape.size());
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType dt) {
    std::string x = in[0];
    int64_t after = size;
    for (const auto& [f, h] : factors) {
      after /= f;
      if (after == 1) {
        // Last axis: x (batch, f) @ H^T.
        std::vector<float> ht(f * f);
        for (int64_t i = 0; i < f; ++i) {
          for (int64_t j = 0; j < f; ++j) ht[j * f + i] = h[i * f + j];
        }
        x = c.emit("Reshape", {x, c.int64s({-1, f})});
        x = c.emit("MatMul", {x, float32s(c, {f, f}, ht)});
      } else {
        // An inner axis: H @ x[b] for x (batch, f, after).
        x = c.emit("Reshape", {x, c.int64s({-1, f, after})});
        x = c.emit("MatMul", {float32s(c, {f, f}, h), x});
      }
    }
    if (scale != 1.0f) x = c.emit("Mul", {x, c.scalar(dt, scale)});
    c.emit("Reshape", {x, c.shape_around({}, node.inputs[0], 0, rank)}, {}, out);
  });
}

// ---- View ------------------------------------------------------------------------

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
  int64_t rank = rank_of(ctx, node, 0);
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

// ---- BroadcastAxes ---------------------------------------------------------------

// Recorded by shapeless exports: operand 0 broadcast against the others, except on the
// ignored axes (negative, from the end), where it keeps its sizes. Fixed shapes: Expand
// to the recorded shape. Shapeless: Expand (which broadcasts both ways) by each other
// operand's run-time shape with its ignored axes set to 1.
void expand_broadcast_axes(Context& ctx, const Node& node, const std::string& input, const std::string& output) {
  if (ctx.out_value(node).fixed()) {
    ctx.emit("Expand", {input, ctx.int64s(ctx.out_value(node).shape)}, {}, output);
    return;
  }
  const auto& ignored = node.ints_attr(0);
  std::string x = input;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    int64_t rank = rank_of(ctx, node, i);
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

// ---- GatherMM --------------------------------------------------------------------

// gather_mm(a, b, lhs_indices, rhs_indices): each index is a flat position in the batch
// axes of its operand; out[i] = a[lhs[i]] @ b[rhs[i]]. Lowered as Gather on the
// flattened batch axis, then a batched MatMul. (The sorted flags are only hints.)
void lower_gather_mm(Context& ctx, const Node& node) {
  int64_t a_rank = rank_of(ctx, node, 0), b_rank = rank_of(ctx, node, 1);
  if (a_rank < 2 || b_rank < 2) fail(ErrorCode::InvalidInput, "GatherMM operands below 2-D");
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    std::string a = c.emit("Reshape", {in[0], c.shape_around({-1}, node.inputs[0], a_rank - 2, a_rank)});
    std::string b = c.emit("Reshape", {in[1], c.shape_around({-1}, node.inputs[1], b_rank - 2, b_rank)});
    a = c.emit("Gather", {a, c.cast(in[2], DType::Int64)}, {{"axis", int64_t{0}}});
    b = c.emit("Gather", {b, c.cast(in[3], DType::Int64)}, {{"axis", int64_t{0}}});
    c.emit("MatMul", {a, b}, {}, out);
  });
}

// ---- BlockMaskedMM ---------------------------------------------------------------

// Block of each position on axis `axis` (negative) of operand `operand`: i // block.
std::string block_of(Context& ctx, const Node& node, size_t operand, int64_t axis, int64_t block) {
  const Shape& shape = ctx.in_value(node, operand).shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  if (!ctx.graph().shapeless) {
    std::vector<int64_t> index(built_elements(ctx, node, {shape[rank + axis]}, "the block index table"));
    for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<int64_t>(i) / block;
    return ctx.int64s(index);
  }
  std::string size = ctx.emit("Squeeze", {ctx.dims(node.inputs[operand], rank + axis, rank + axis + 1)});
  std::string positions = ctx.emit("Range", {ctx.int64_scalar(0), size, ctx.int64_scalar(1)});
  return ctx.emit("Div", {positions, ctx.int64_scalar(block)});
}

std::string apply_block_mask(Context& ctx, const std::string& x, const std::string& mask, DType mask_dtype,
                             const std::string& rows, const std::string& cols, DType dt) {
  std::string m = ctx.emit("Gather", {mask, rows}, {{"axis", int64_t{-2}}});
  m = ctx.emit("Gather", {m, cols}, {{"axis", int64_t{-1}}});
  if (mask_dtype == DType::Bool) return ctx.emit("Where", {m, x, ctx.scalar(dt, 0.0)});
  return ctx.emit("Mul", {x, m});
}

// block_masked_mm(a, b, [out_mask], [lhs_mask, rhs_mask]): each mask has one value per
// block_size x block_size block (the last blocks may be partial). A bool mask zeroes
// the blocks where it is false, a float mask multiplies them. Masks are expanded to
// elements by gathering block i // block_size on both matrix axes.
void lower_block_masked_mm(Context& ctx, const Node& node) {
  int64_t block = node.int_attr(0);
  size_t count = node.inputs.size();
  if (count < 3 || count > 5 || block <= 0) fail(ErrorCode::InvalidInput, "BlockMaskedMM: bad operands");
  require(ctx.in_value(node, 0).shape.size() >= 2 && ctx.in_value(node, 1).shape.size() >= 2, node,
          "the operands must have rank 2 or more");
  bool out_mask = count == 3 || count == 5;
  bool operand_masks = count > 3;
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType dt) {
    std::string m_blocks = block_of(c, node, 0, -2, block);
    std::string n_blocks = block_of(c, node, 1, -1, block);
    std::string a = in[0], b = in[1];
    if (operand_masks) {
      std::string k_blocks = block_of(c, node, 0, -1, block);
      a = apply_block_mask(c, a, in[count - 2], c.in_value(node, count - 2).dtype, m_blocks, k_blocks, dt);
      b = apply_block_mask(c, b, in[count - 1], c.in_value(node, count - 1).dtype, k_blocks, n_blocks, dt);
    }
    std::string product = c.emit("MatMul", {a, b});
    if (out_mask) {
      product = apply_block_mask(c, product, in[2], c.in_value(node, 2).dtype, m_blocks, n_blocks, dt);
    }
    c.emit("Identity", {product}, {}, out);
  });
}

// ---- RandomBits ------------------------------------------------------------------

// MLX's CPU random bits: for each key (k0, k1), the W = ceil(bytes / 4) uint32 words
// of its output come from threefry2x32 (20 rounds, as in Random123 and JAX) on counter
// pairs (j, j + ceil(W / 2)) for j < W / 2: the first result is word j and the second
// word j + ceil(W / 2); with W odd, word W / 2 is the first result for (W / 2, 0).
// Narrower widths take the little-endian bytes of the words. ONNX Runtime adds uint32
// modulo 2^32, so the hash is computed in uint32 directly.
void lower_random_bits(Context& ctx, const Node& node) {
  int64_t width = node.int_attr(1);
  const Shape& key_shape = ctx.in_value(node, 0).shape;
  const Value& result = ctx.out_value(node);
  DType dt = result.dtype;
  if (ctx.in_value(node, 0).dtype != DType::UInt32 || key_shape.empty() || key_shape.back() != 2 ||
      !(width == 1 || width == 2 || width == 4)) {
    fail(ErrorCode::InvalidInput, "RandomBits: keys must be uint32 pairs and the width 1, 2 or 4");
  }
  int64_t keys = element_count(key_shape) / 2;
  int64_t total = element_count(result.shape);
  if (keys == 0 || total == 0) {
    std::vector<uint8_t> zero(dtype_size(dt), 0);
    onnx::Tensor value = onnx::owned_tensor(ctx.fresh("zero"), elem_type(dt), {1}, zero.data(), zero.size());
    ctx.emit("ConstantOfShape", {ctx.int64s(result.shape)}, {{"value", std::move(value)}}, ctx.out(node));
    return;
  }
  int64_t per_key = total / keys;
  int64_t words = (per_key * width + 3) / 4;
  int64_t half = words / 2, odd = words % 2, pairs = half + odd;

  built_elements(ctx, node, {per_key}, "the counter table");  // per_key >= words >= pairs
  std::vector<uint32_t> first(pairs), second(pairs);
  for (int64_t j = 0; j < pairs; ++j) {
    first[j] = static_cast<uint32_t>(j);
    second[j] = j < half ? static_cast<uint32_t>(j + pairs) : 0;
  }
  auto u32 = [&](uint32_t v) { return ctx.scalar(DType::UInt32, v); };
  auto column = [&](const std::string& k2, int64_t col) {
    return ctx.emit("Slice", {k2, ctx.int64s({col}), ctx.int64s({col + 1}), ctx.int64s({1})});
  };
  std::string k2 = ctx.emit("Reshape", {ctx.in(node, 0), ctx.int64s({keys, 2})});
  std::string ks[3] = {column(k2, 0), column(k2, 1), ""};  // each (keys, 1)
  ks[2] = ctx.emit("BitwiseXor", {ctx.emit("BitwiseXor", {ks[0], ks[1]}), u32(0x1BD11BDA)});

  auto counters = [&](const std::vector<uint32_t>& c) {  // (1, pairs)
    return ctx.emit("Reshape", {ctx.uint32s(c), ctx.int64s({1, pairs})});
  };
  std::string x0 = ctx.emit("Add", {counters(first), ks[0]});
  std::string x1 = ctx.emit("Add", {counters(second), ks[1]});
  constexpr uint32_t rotations[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  for (int i = 0; i < 5; ++i) {
    for (uint32_t r : rotations[i % 2]) {
      x0 = ctx.emit("Add", {x0, x1});
      std::string left = ctx.emit("BitShift", {x1, u32(r)}, {{"direction", std::string("LEFT")}});
      std::string right = ctx.emit("BitShift", {x1, u32(32 - r)}, {{"direction", std::string("RIGHT")}});
      x1 = ctx.emit("BitwiseXor", {ctx.emit("BitwiseOr", {left, right}), x0});
    }
    x0 = ctx.emit("Add", {x0, ks[(i + 1) % 3]});
    x1 = ctx.emit("Add", {x1, ctx.emit("Add", {ks[(i + 2) % 3], u32(static_cast<uint32_t>(i + 1))})});
  }
  std::string all = x0;
  if (half > 0) {
    std::string seconds =
        odd ? ctx.emit("Slice", {x1, ctx.int64s({0}), ctx.int64s({half}), ctx.int64s({1})}) : x1;
    all = ctx.emit("Concat", {x0, seconds}, {{"axis", int64_t{1}}});  // (keys, words)
  }
  if (width == 4) {
    ctx.emit("Reshape", {all, ctx.int64s(result.shape)}, {}, ctx.out(node));
    return;
  }
  int64_t per_word = 4 / width;
  std::vector<int64_t> index(per_key);
  std::vector<uint32_t> shifts(per_key);
  for (int64_t e = 0; e < per_key; ++e) {
    index[e] = e / per_word;
    shifts[e] = static_cast<uint32_t>(8 * width * (e % per_word));
  }
  std::string picked = ctx.emit("Gather", {all, ctx.int64s(index)}, {{"axis", int64_t{1}}});
  std::string shifted =
      ctx.emit("BitShift", {picked, ctx.uint32s(shifts)}, {{"direction", std::string("RIGHT")}});
  ctx.emit("Reshape", {ctx.cast(shifted, dt), ctx.int64s(result.shape)}, {}, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"BitwiseBinary", lower_bitwise_binary, RuleKind::Decomposed},
    {"BlockMaskedMM", lower_block_masked_mm, RuleKind::Decomposed},
    {"BroadcastAxes", lower_broadcast_axes, RuleKind::Lowered},
    {"ErfInv", lower_erf_inv, RuleKind::Decomposed},
    {"GatherMM", lower_gather_mm, RuleKind::Decomposed},
    {"Hadamard", lower_hadamard, RuleKind::Decomposed},
    {"NumberOfElements", lower_number_of_elements, RuleKind::Lowered},
    {"RandomBits", lower_random_bits, RuleKind::Decomposed},
    {"View", lower_view, RuleKind::Decomposed},
};

}  // namespace

std::span<const Rule> misc_rules() { return kRules; }

}  // namespace mlx_onnx::lower
