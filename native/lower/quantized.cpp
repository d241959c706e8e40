// Quantized matmuls and (de)quantization: QuantizedMatmul, GatherQMM and Quantize.
//
// MLX packs the codes of each row LSB-first into uint32 words (code k at bit k·bits of the
// row's bitstream) and dequantizes groups of `group_size` codes along the last axis:
// affine w = scale·q + bias; mxfp4/nvfp4 w = e2m1(q)·scale, mxfp8 w = e4m3(q)·scale, with
// E8M0 (mx) or E4M3 (nv) uint8 scales. Either way the file holds MLX's packed bytes once.
// Constant affine 4/8-bit weights (opset 21 on) become uint4/uint8 initializers and a
// blocked DequantizeLinear, which ONNX Runtime runs as the model runs. Otherwise the words
// are unpacked in the graph (BitShift/BitwiseAnd on MLX's uint32 words) and dequantized with
// Mul/Add (or table Gathers for the fp modes), which ONNX Runtime folds into float weights
// at load for constants. Either feeds a plain MatMul. Constant 2-D weights of affine
// `transpose=true` matmuls (linear layers) take the layouts of quantized_linear.h instead.
#include <cmath>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/quantized_linear.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

enum class Mode : int64_t { Affine = 0, Mxfp4 = 1, Mxfp8 = 2, Nvfp4 = 3 };

struct Quant {
  int64_t group_size;
  int64_t bits;
  Mode mode;
};

// The (group_size, bits, mode) head shared by the three primitives' states, checked
// against what MLX accepts (the unpacking below relies on it).
Quant quant_of(const Node& node) {
  int64_t g = node.attr<int64_t>("group_size"), bits = node.attr<int64_t>("bits"), mode = node.attr<int64_t>("mode");
  bool ok = false;
  switch (mode) {
    case 0: ok = (bits >= 2 && bits <= 8 && bits != 7) && (g == 32 || g == 64 || g == 128); break;
    case 1: ok = bits == 4 && g == 32; break;
    case 2: ok = bits == 8 && g == 32; break;
    case 3: ok = bits == 4 && g == 16; break;
  }
  if (!ok) {
    fail(ErrorCode::InvalidInput, node.op + ": invalid quantization (mode " + std::to_string(mode) + ", bits " +
                                      std::to_string(bits) + ", group size " + std::to_string(g) + ")");
  }
  return {g, bits, static_cast<Mode>(mode)};
}

// Operands of a quantized weight: packed words, scales, and biases (affine) or the
// optional global scale (nvfp4).
struct Weight {
  ValueId words_value;
  std::string words;
  Shape shape;  // of the words
  std::string scales;
  DType scale_dtype;
  std::string biases;
  std::string global_scale;
};

// The weight operands of QuantizedMatmul and GatherQMM: w, scales[, biases] from operand
// `first` on (Quantize's start at 0, the matmuls' at 1, after x).
Weight weight_of(Context& ctx, const Node& node, const Quant& q, size_t first) {
  Weight w{node.inputs.at(first), ctx.in(node, first), ctx.in_value(node, first).shape, ctx.in(node, first + 1),
           ctx.in_value(node, first + 1).dtype, "", ""};
  if (q.mode == Mode::Affine) w.biases = ctx.in(node, first + 2);
  return w;
}

DType compute_dtype(DType dtype) { return is_half(dtype) ? DType::Float32 : dtype; }

Shape with_last(Shape shape, std::initializer_list<int64_t> last) {
  shape.pop_back();
  shape.insert(shape.end(), last);
  return shape;
}

std::string reshape(Context& ctx, const std::string& x, const Shape& shape) {
  return ctx.emit("Reshape", {x, ctx.int64s(shape)});
}

std::string cast_if(Context& ctx, const std::string& x, DType from, DType to) {
  return from == to ? x : ctx.cast(x, to);
}

// A 1-D table of `dtype` values, rounded as MLX rounds constants.
std::string values_table(Context& ctx, DType dtype, const std::vector<double>& values) {
  std::vector<uint8_t> bytes;
  for (double v : values) {
    auto b = scalar_bytes(dtype, v);
    bytes.insert(bytes.end(), b.begin(), b.end());
  }
  return ctx.constant(elem_type(dtype), {static_cast<int64_t>(values.size())}, bytes.data(), bytes.size());
}

// ---- Unpacking ----------------------------------------------------------------------

// The codes of packed words [..., W] as uint32 [..., W·32/bits]. With 2, 4 or 8 bits each
// word holds 32/bits whole codes. With 3, 5 or 6 bits a code may straddle two words: every
// `bits` words hold 32 codes, each read from its word shifted right, OR-ed with the next
// word shifted left (a code that does not straddle reads its own word again, shifted left
// by 31: nothing of it stays under the mask).
std::string unpack_codes(Context& ctx, const std::string& words, const Shape& shape, int64_t bits) {
  int64_t n_words = shape.back();
  std::string mask = ctx.scalar(DType::UInt32, static_cast<double>((1u << bits) - 1));
  std::string codes;
  if (32 % bits == 0) {
    std::vector<uint32_t> shifts;
    for (int64_t s = 0; s < 32; s += bits) shifts.push_back(static_cast<uint32_t>(s));
    std::string expanded = ctx.emit("Unsqueeze", {words, ctx.int64s({-1})});
    std::string shifted =
        ctx.emit("BitShift", {expanded, ctx.uint32s(shifts)}, {{"direction", std::string("RIGHT")}});
    codes = ctx.emit("BitwiseAnd", {shifted, mask});
  } else {
    std::vector<int64_t> lo_word, hi_word;
    std::vector<uint32_t> lo_shift, hi_shift;
    for (int64_t k = 0; k < 32; ++k) {
      int64_t bit = k * bits, word = bit / 32, shift = bit % 32;
      bool straddles = shift + bits > 32;
      lo_word.push_back(word);
      lo_shift.push_back(static_cast<uint32_t>(shift));
      hi_word.push_back(straddles ? word + 1 : word);
      hi_shift.push_back(static_cast<uint32_t>(straddles ? 32 - shift : 31));
    }
    std::string units = reshape(ctx, words, with_last(shape, {n_words / bits, bits}));
    auto part = [&](const std::vector<int64_t>& index, const std::vector<uint32_t>& shift, const char* dir) {
      std::string picked = ctx.emit("Gather", {units, ctx.int64s(index)}, {{"axis", int64_t{-1}}});
      return ctx.emit("BitShift", {picked, ctx.uint32s(shift)}, {{"direction", std::string(dir)}});
    };
    std::string low = part(lo_word, lo_shift, "RIGHT"), high = part(hi_word, hi_shift, "LEFT");
    codes = ctx.emit("BitwiseAnd", {ctx.emit("BitwiseOr", {low, high}), mask});
  }
  return reshape(ctx, codes, with_last(shape, {n_words * 32 / bits}));
}

// ---- Dequantization -----------------------------------------------------------------

// E2M1 (fp4) values by code: bit 3 is the sign.
std::vector<double> e2m1_values() {
  const double magnitudes[8] = {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0};
  std::vector<double> v;
  for (int code = 0; code < 16; ++code) v.push_back((code & 8 ? -1.0 : 1.0) * magnitudes[code & 7]);
  return v;
}

// E4M3 values by byte, decoded as MLX decodes them (0x7f and 0xff give ±480, not NaN).
std::vector<double> e4m3_values() {
  std::vector<double> v;
  for (int byte = 0; byte < 256; ++byte) {
    int exponent = (byte >> 3) & 15, mantissa = byte & 7;
    double magnitude = exponent == 0 ? std::ldexp(mantissa / 8.0, -6)
                                     : std::ldexp(1.0 + mantissa / 8.0, exponent - 7);
    v.push_back(byte & 128 ? -magnitude : magnitude);
  }
  return v;
}

// E8M0 scales: 2^(s-127); MLX decodes 0 as 2^-127 and 255 as +inf.
std::vector<double> e8m0_values() {
  std::vector<double> v;
  for (int s = 0; s < 256; ++s) v.push_back(s == 255 ? INFINITY : std::ldexp(1.0, s - 127));
  return v;
}

std::string lookup(Context& ctx, DType dtype, const std::vector<double>& values, const std::string& index) {
  return ctx.emit("Gather", {values_table(ctx, dtype, values), ctx.cast(index, DType::Int64)},
                  {{"axis", int64_t{0}}});
}

// Affine 4- and 8-bit constant weights from opset 21 on: MLX's words are already ONNX's
// uint4 / uint8 layout (code k at bit k·bits, little-endian), so the initializer is the
// words seen as codes [..., R, C] and a blocked DequantizeLinear (scale per group along
// the last axis) computes scale·q; the biases are added per group. ONNX Runtime keeps
// DequantizeLinear out of constant folding, so the weight stays packed in memory and is
// dequantized as the model runs, where folding the unpacking would build float32
// weights at load. "" when the weight does not qualify.
std::string dequantize_linear(Context& ctx, const Weight& w, const Quant& q, DType dtype, const Shape& grouped,
                              int64_t n_codes) {
  if (ctx.opset() < 21 || q.mode != Mode::Affine || (q.bits != 4 && q.bits != 8)) return "";
  if (dtype != DType::Float32) return "";  // float64 scales are not allowed
  auto type = q.bits == 4 ? onnx::ElemType::UInt4 : onnx::ElemType::UInt8;
  std::string codes = ctx.constant_view(w.words_value, type, with_last(w.shape, {n_codes}));
  if (codes.empty()) return "";
  std::string scales = cast_if(ctx, w.scales, w.scale_dtype, dtype);
  std::string values = ctx.emit("DequantizeLinear", {codes, scales}, {{"axis", int64_t{-1}}, {"block_size", q.group_size}});
  std::string biases = ctx.emit("Unsqueeze", {cast_if(ctx, w.biases, w.scale_dtype, dtype), ctx.int64s({-1})});
  return ctx.emit("Add", {reshape(ctx, values, grouped), biases});
}

// Constant weights unpacked in the graph become float32 weights when ONNX Runtime loads
// the model (it folds the unpacking): the report says so.
void warn_unpacked(Context& ctx, const Weight& w, const Quant& q) {
  if (!ctx.graph().constant(w.words_value)) return;
  const char* modes[] = {"affine", "mxfp4", "mxfp8", "nvfp4"};
  std::string kind = q.mode == Mode::Affine ? std::to_string(q.bits) + "-bit affine" : modes[static_cast<int>(q.mode)];
  bool packable = q.mode == Mode::Affine && (q.bits == 4 || q.bits == 8);
  ctx.warn(kind + " quantized weights are unpacked in the graph: ONNX Runtime expands them to float32 when it loads "
                  "the model" + (packable ? " (from opset 21 on they stay packed)" : ""));
}

// The dequantized weight [..., R, C] in `dtype`.
std::string dequantize(Context& ctx, const Weight& w, const Quant& q, DType dtype, std::string output = "") {
  int64_t n_codes = w.shape.back() * 32 / q.bits;
  bool whole_units = 32 % q.bits == 0 || w.shape.back() % q.bits == 0;
  if (w.shape.size() < 2 || !whole_units || n_codes % q.group_size != 0) {
    fail(ErrorCode::InvalidInput, "a quantized weight of " + std::to_string(w.shape.back()) +
                                      " words per row does not hold whole groups of " +
                                      std::to_string(q.group_size) + " " + std::to_string(q.bits) +
                                      "-bit codes");
  }
  Shape grouped = with_last(w.shape, {n_codes / q.group_size, q.group_size});
  std::string result = dequantize_linear(ctx, w, q, dtype, grouped, n_codes);
  if (!result.empty()) return ctx.emit("Reshape", {result, ctx.int64s(with_last(w.shape, {n_codes}))}, {}, std::move(output));
  warn_unpacked(ctx, w, q);
  std::string codes = unpack_codes(ctx, w.words, w.shape, q.bits);
  std::string last = ctx.int64s({-1});
  std::string values, scales, biases;
  if (q.mode == Mode::Affine) {
    values = ctx.cast(codes, dtype);
    scales = cast_if(ctx, w.scales, w.scale_dtype, dtype);
    biases = ctx.emit("Unsqueeze", {cast_if(ctx, w.biases, w.scale_dtype, dtype), last});
  } else {
    values = lookup(ctx, dtype, q.mode == Mode::Mxfp8 ? e4m3_values() : e2m1_values(), codes);
    scales = lookup(ctx, dtype, q.mode == Mode::Nvfp4 ? e4m3_values() : e8m0_values(), w.scales);
    if (!w.global_scale.empty()) {
      // nvfp4's optional global scale: scale · global_scale / (448·6).
      std::string factor = ctx.emit("Div", {ctx.cast(w.global_scale, dtype), ctx.scalar(dtype, 448.0 * 6.0)});
      scales = ctx.emit("Mul", {scales, factor});
    }
  }
  scales = ctx.emit("Unsqueeze", {scales, last});
  result = ctx.emit("Mul", {reshape(ctx, values, grouped), scales});
  if (!biases.empty()) result = ctx.emit("Add", {result, biases});
  return ctx.emit("Reshape", {result, ctx.int64s(with_last(w.shape, {n_codes}))}, {}, std::move(output));
}

// The dequantized weight as the right operand of a matmul: [..., K, N].
std::string matmul_operand(Context& ctx, const Weight& w, const Quant& q, bool transpose, DType dtype) {
  std::string deq = dequantize(ctx, w, q, dtype);
  if (!transpose) return deq;
  std::vector<int64_t> perm(w.shape.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(i);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return ctx.emit("Transpose", {deq}, {{"perm", perm}});
}

// Where a rule writes its result: the node's output, or for a half-precision output a
// float32 temporary that `narrow` then casts.
std::string result_name(Context& ctx, const Node& node) {
  return is_half(ctx.out_value(node).dtype) ? ctx.fresh("widened") : ctx.out(node);
}

void narrow(Context& ctx, const Node& node, const std::string& result) {
  if (result != ctx.out(node)) ctx.cast(result, ctx.out_value(node).dtype, ctx.out(node));
}

// ---- Rules --------------------------------------------------------------------------

// QuantizedMatmul(x, w, scales[, biases]; group_size, bits, mode, transpose):
// x · deq(w)ᵀ (transpose) or x · deq(w); batch axes broadcast as in MatMul.
void lower_quantized_matmul(Context& ctx, const Node& node) {
  Quant q = quant_of(node);
  bool transpose = node.attr<bool>("transpose");
  DType dtype = compute_dtype(ctx.out_value(node).dtype);
  std::string x = cast_if(ctx, ctx.in(node, 0), ctx.in_value(node, 0).dtype, dtype);
  std::string result = result_name(ctx, node);
  if (q.mode == Mode::Affine && transpose && dtype == DType::Float32 &&
      lower_constant_quantized_linear(ctx, node, q.group_size, q.bits, x, result)) {
    return narrow(ctx, node, result);
  }
  Weight weight = weight_of(ctx, node, q, 1);
  std::string w = matmul_operand(ctx, weight, q, transpose, dtype);
  if (ctx.in_value(node, 0).shape.size() <= 2 && weight.shape.size() > 2) {
    // MLX broadcasts batch axes only when both operands have them; a matrix x meets
    // only the first matrix of a batched w.
    int64_t k = ctx.in_value(node, 0).shape.back(), cols = ctx.out_value(node).shape.back();
    w = ctx.emit("Gather", {reshape(ctx, w, {-1, k, cols}), ctx.int64_scalar(0)}, {{"axis", int64_t{0}}});
  }
  ctx.emit("MatMul", {x, w}, {}, result);
  narrow(ctx, node, result);
}

// GatherQMM(x, w, scales[, biases], lhs, rhs; group_size, bits, mode, transpose, sorted…):
// out[i] = x[lhs[i]] · deq(w[rhs[i]])ᵀ, with x seen as [Bx, M, K] and w as [Bw, N, ·]
// (their batch axes flattened) and lhs, rhs of one (broadcast) shape I. The sorted flags
// are speed hints only.
void lower_gather_qmm(Context& ctx, const Node& node) {
  Quant q = quant_of(node);
  bool transpose = node.attr<bool>("transpose");
  size_t n = node.inputs.size();
  DType dtype = compute_dtype(ctx.out_value(node).dtype);
  const Shape& xshape = ctx.in_value(node, 0).shape;
  std::string x = cast_if(ctx, ctx.in(node, 0), ctx.in_value(node, 0).dtype, dtype);
  x = reshape(ctx, x, {-1, xshape[xshape.size() - 2], xshape.back()});
  std::string w = matmul_operand(ctx, weight_of(ctx, node, q, 1), q, transpose, dtype);
  Shape wdims = ctx.in_value(node, 1).shape;
  int64_t k = transpose ? wdims.back() * 32 / q.bits : wdims[wdims.size() - 2];
  int64_t cols = transpose ? wdims[wdims.size() - 2] : wdims.back() * 32 / q.bits;
  w = reshape(ctx, w, {-1, k, cols});
  auto pick = [&](const std::string& from, size_t operand) {
    return ctx.emit("Gather", {from, ctx.cast(ctx.in(node, operand), DType::Int64)}, {{"axis", int64_t{0}}});
  };
  std::string result = ctx.emit("MatMul", {pick(x, n - 2), pick(w, n - 1)}, {}, result_name(ctx, node));
  narrow(ctx, node, result);
}

// MLX's affine quantizer, per group of g values (in float32): scale = ±max((max−min)/n, 1e-7)
// signed towards the edge of larger magnitude; when that edge rounds to a nonzero code q0,
// the scale becomes edge/q0 and the bias the edge (else the bias is 0); codes are
// clip(rint((w − bias)/scale), 0, n). Codes are packed exactly in float64: each code is
// shifted to its bit position, split at 2^32 into the parts falling in its word and the
// next, and the words summed by a 0/1 matrix (the bit fields are disjoint).
void lower_affine_quantize(Context& ctx, const Node& node, const Quant& q) {
  const Value& in = ctx.in_value(node, 0);
  if (in.shape.size() < 2 || in.shape.back() % q.group_size != 0) {
    fail(ErrorCode::InvalidInput, "Quantize: rows of " + std::to_string(in.shape.back()) +
                                      " values do not split into groups of " + std::to_string(q.group_size));
  }
  int64_t groups = in.shape.back() / q.group_size;
  DType f32 = DType::Float32;
  std::string w = cast_if(ctx, ctx.in(node, 0), in.dtype, f32);
  w = reshape(ctx, w, with_last(in.shape, {groups, q.group_size}));
  std::string axis = ctx.int64s({-1});
  std::string w_max = ctx.emit("ReduceMax", {w, axis}, {{"keepdims", int64_t{1}}});
  std::string w_min = ctx.emit("ReduceMin", {w, axis}, {{"keepdims", int64_t{1}}});
  double max_code = static_cast<double>((1 << q.bits) - 1);
  std::string n_bins = ctx.scalar(f32, max_code), zero = ctx.scalar(f32, 0.0);
  std::string mask = ctx.emit("Greater", {ctx.emit("Abs", {w_min}), ctx.emit("Abs", {w_max})});
  std::string range = ctx.emit("Div", {ctx.emit("Sub", {w_max, w_min}), n_bins});
  std::string s0 = ctx.emit("Max", {range, ctx.scalar(f32, 1e-7)});
  std::string scale = ctx.emit("Where", {mask, s0, ctx.emit("Neg", {s0})});
  std::string edge = ctx.emit("Where", {mask, w_min, w_max});
  std::string q0 = ctx.emit("Round", {ctx.emit("Div", {edge, scale})});
  std::string nonzero = ctx.emit("Not", {ctx.emit("Equal", {q0, zero})});
  scale = ctx.emit("Where", {nonzero, ctx.emit("Div", {edge, q0}), scale});
  std::string bias = ctx.emit("Where", {nonzero, edge, zero});
  std::string codes = ctx.emit("Round", {ctx.emit("Div", {ctx.emit("Sub", {w, bias}), scale})});
  codes = ctx.emit("Clip", {codes, zero, n_bins});

  // Pack 32 codes into `bits` words.
  std::vector<double> place, own(32 * q.bits, 0.0), next(32 * q.bits, 0.0);
  bool straddles = false;
  for (int64_t k = 0; k < 32; ++k) {
    int64_t bit = k * q.bits, word = bit / 32;
    place.push_back(std::ldexp(1.0, static_cast<int>(bit % 32)));
    own[k * q.bits + word] = 1;
    if (bit % 32 + q.bits > 32) {
      next[k * q.bits + word + 1] = 1;
      straddles = true;
    }
  }
  auto matrix = [&](const std::vector<double>& m) {
    return reshape(ctx, values_table(ctx, DType::Float64, m), {32, q.bits});
  };
  Shape units = with_last(in.shape, {in.shape.back() / 32, 32});
  std::string placed = ctx.emit("Mul", {ctx.cast(reshape(ctx, codes, units), DType::Float64),
                                        values_table(ctx, DType::Float64, place)});
  std::string words;
  if (straddles) {
    std::string two32 = ctx.scalar(DType::Float64, 4294967296.0);
    std::string high = ctx.emit("Floor", {ctx.emit("Div", {placed, two32})});
    std::string low = ctx.emit("Sub", {placed, ctx.emit("Mul", {high, two32})});
    std::string own_part = ctx.emit("MatMul", {low, matrix(own)});
    words = ctx.emit("Add", {own_part, ctx.emit("MatMul", {high, matrix(next)})});
  } else {
    words = ctx.emit("MatMul", {placed, matrix(own)});
  }
  ctx.emit("Reshape", {ctx.cast(words, DType::UInt32), ctx.int64s(ctx.out_value(node, 0).shape)}, {},
           ctx.out(node, 0));
  Shape sshape = ctx.out_value(node, 1).shape;
  ctx.emit("Reshape", {cast_if(ctx, scale, f32, ctx.out_value(node, 1).dtype), ctx.int64s(sshape)}, {},
           ctx.out(node, 1));
  ctx.emit("Reshape", {cast_if(ctx, bias, f32, ctx.out_value(node, 2).dtype), ctx.int64s(sshape)}, {},
           ctx.out(node, 2));
}

// Quantize(w | w, scales[, biases | global_scale]; group_size, bits, mode, dequantize):
// recorded by mx.quantize (affine) and, on a GPU stream, by mx.dequantize (on the CPU
// dequantize records its decomposition instead).
void lower_quantize(Context& ctx, const Node& node) {
  Quant q = quant_of(node);
  if (node.attr<bool>("dequantize")) {
    DType dtype = compute_dtype(ctx.out_value(node).dtype);
    Weight w = weight_of(ctx, node, q, 0);
    if (q.mode == Mode::Nvfp4 && node.inputs.size() > 2) w.global_scale = ctx.in(node, 2);
    return narrow(ctx, node, dequantize(ctx, w, q, dtype, result_name(ctx, node)));
  }
  if (q.mode != Mode::Affine) {
    fail(ErrorCode::UnsupportedOp,
         "Quantize: quantizing to mxfp4/mxfp8/nvfp4 has no ONNX lowering (affine quantization and "
         "every dequantization do)");
  }
  lower_affine_quantize(ctx, node, q);
}

constexpr Rule kRules[] = {
    {"GatherQMM", lower_gather_qmm, RuleKind::Decomposed},
    {"Quantize", lower_quantize, RuleKind::Decomposed},
    {"QuantizedMatmul", lower_quantized_matmul, RuleKind::Decomposed},
};

}  // namespace

std::span<const Rule> quantized_rules() { return kRules; }

}  // namespace mlx_onnx::lower
