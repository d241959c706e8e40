// Quantized linear layers with constant weights, as ONNX Runtime runs them fast and exactly.
//
// MLX's W[n, k] = scale·q + bias (one scale and bias per group of g along K) equals
// scale·(q − z) + Δ with Δ = bias + scale·z, for any integer z. z = rint(−bias/scale),
// clamped to the code range, makes Δ vanish for weights from MLX's float32 quantizer; where
// it does not (half-precision scales, groups all of one sign, hand-made biases) Δ is added
// back as (sums of x per group) · Δᵀ. The rest, scale·(q − z), is what ONNX Runtime's
// n-bit kernels compute from packed codes; at accuracy level 0 with float32 activations
// they give MLX's numbers up to float32 rounding.
//
// Their 8-bit kernel has no fast path at level 0 (it dequantizes the whole weight on every
// run: 119 ms for a 49152×576 head on two cores, against 1.5 ms with 4 bits), so 8-bit codes
// run as two 4-bit planes: q − z = 16·(q_hi − z_hi) + (q_lo − z_lo), exactly.
#include "lower/quantized_linear.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

#include "graph/float_cast.h"
#include "lower/compute.h"

namespace mlx_onnx::lower {
namespace {

// A constant float array (float32, float16 or bfloat16) as doubles.
std::vector<double> read_floats(const Constant& c, DType dtype) {
  std::vector<float> values(c.nbytes / dtype_size(dtype));
  auto* out = reinterpret_cast<uint8_t*>(values.data());
  if (dtype == DType::Float32) std::memcpy(out, c.data, c.nbytes);
  else float_cast(dtype, DType::Float32)(c.data, out, values.size());
  return {values.begin(), values.end()};
}

// The values of a constant float array, also seen through an AsType to float32 (which
// quantized_matmul puts on half-precision scales and biases of float32 activations; the
// widening is exact). Empty if the value is not such a constant.
std::vector<double> constant_floats(const Graph& graph, ValueId v) {
  auto readable = [](DType d) { return d == DType::Float32 || d == DType::Float16 || d == DType::BFloat16; };
  if (const Constant* c = graph.constant(v)) {
    return readable(graph.value(v).dtype) && !c->cast_from ? read_floats(*c, graph.value(v).dtype)
                                                           : std::vector<double>{};
  }
  if (graph.value(v).dtype != DType::Float32) return {};
  for (const Node& node : graph.nodes) {
    if (node.op != "AsType" || node.outputs.size() != 1 || node.outputs[0] != v) continue;
    const Constant* c = graph.constant(node.inputs[0]);
    DType from = graph.value(node.inputs[0]).dtype;
    return c && !c->cast_from && readable(from) ? read_floats(*c, from) : std::vector<double>{};
  }
  return {};
}

// The weight in integer form: MLX's packed codes with per-group scales, zero points and Δ.
struct IntegerWeight {
  int64_t n = 0, k = 0, g = 0, blocks = 0, bits = 0;
  ValueId words = 0;
  const uint8_t* bytes = nullptr;    // code c of row r at stream bit (r·k + c)·bits, LSB first
  std::vector<double> scales;        // [N, blocks]
  std::vector<uint8_t> zero_points;  // [N, blocks], one per byte
  std::vector<float> residual;       // Δ, [blocks, N]
  bool corrected = false;

  int code(int64_t row, int64_t col) const {
    int64_t bit = (row * k + col) * bits;  // 2, 4 and 8-bit codes never straddle a byte
    return (bytes[bit / 8] >> (bit % 8)) & ((1 << bits) - 1);
  }
};

std::optional<IntegerWeight> integer_weight(const Context& ctx, const Node& node, int64_t g, int64_t bits) {
  const Graph& graph = ctx.graph();
  const Shape& shape = ctx.in_value(node, 1).shape;
  const Constant* words = graph.constant(node.inputs[1]);
  if (shape.size() != 2 || !words || words->cast_from || node.inputs.size() < 4) return std::nullopt;
  IntegerWeight w;
  w.n = shape[0], w.k = shape[1] * 32 / bits, w.g = g, w.blocks = w.k / g, w.bits = bits;
  w.words = node.inputs[1];
  w.bytes = words->data;
  w.scales = constant_floats(graph, node.inputs[2]);
  std::vector<double> biases = constant_floats(graph, node.inputs[3]);
  size_t groups = static_cast<size_t>(w.n * w.blocks);
  if (w.k % g != 0 || w.scales.size() != groups || biases.size() != groups) return std::nullopt;

  double max_code = static_cast<double>((1 << bits) - 1);
  w.zero_points.resize(groups);
  w.residual.resize(groups);
  for (int64_t r = 0; r < w.n; ++r) {
    for (int64_t b = 0; b < w.blocks; ++b) {
      double s = w.scales[r * w.blocks + b], bias = biases[r * w.blocks + b];
      double z = s == 0 ? 0 : std::nearbyint(-bias / s);
      z = std::isfinite(z) ? std::clamp(z, 0.0, max_code) : 0.0;
      double delta = bias + s * z;
      w.zero_points[r * w.blocks + b] = static_cast<uint8_t>(z);
      w.residual[b * w.n + r] = static_cast<float>(delta);
      w.corrected = w.corrected || std::abs(delta) > 1e-6 * std::abs(bias);
    }
  }
  return w;
}

// Codes as ONNX Runtime's kernels take them: (q >> shift) masked to `width` bits, with
// scales times `factor`. An 8-bit weight is two 4-bit planes; others are one whole plane.
struct Plane {
  int shift, width;
  double factor;
  int of(int value) const { return (value >> shift) & ((1 << width) - 1); }
};

std::vector<Plane> planes(int64_t bits) {
  if (bits == 8) return {{4, 4, 16.0}, {0, 4, 1.0}};
  return {{0, static_cast<int>(bits), 1.0}};
}

// `count` values of `width` bits packed LSB-first, `value(i)` for i in [0, count).
template <typename Value>
std::vector<uint8_t> pack(int64_t count, int width, Value value) {
  std::vector<uint8_t> bytes(static_cast<size_t>((count * width + 7) / 8), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t bit = i * width;
    bytes[bit / 8] |= static_cast<uint8_t>(value(i) << (bit % 8));
  }
  return bytes;
}

// Codes [K, N] of a 4-bit plane of an even number N of rows of `Bits`-bit codes: each output
// byte holds two rows' codes of one column. Tiles of 64 columns keep the written rows in
// cache, and the read rows are walked forward.
template <int Bits>
void transpose_pairs(const IntegerWeight& w, int shift, uint8_t* out) {
  const int64_t row_bytes = w.k * Bits / 8, out_row = w.n / 2;
  auto code = [shift](const uint8_t* row, int64_t c) -> uint8_t {
    if constexpr (Bits == 4) return (row[c >> 1] >> ((c & 1) << 2)) & 15;
    else return (row[c] >> shift) & 15;
  };
  constexpr int64_t kTile = 64;
  for (int64_t c0 = 0; c0 < w.k; c0 += kTile) {
    int64_t c1 = std::min(c0 + kTile, w.k);
    for (int64_t r = 0; r < w.n; r += 2) {
      const uint8_t* a = w.bytes + r * row_bytes;
      const uint8_t* b = a + row_bytes;
      uint8_t* o = out + c0 * out_row + r / 2;
      for (int64_t c = c0; c < c1; ++c, o += out_row) *o = code(a, c) | static_cast<uint8_t>(code(b, c) << 4);
    }
  }
}

// A 4-bit plane of the weight's codes, packed [N, K] (`transpose` false) or [K, N].
std::vector<uint8_t> plane_codes(const IntegerWeight& w, const Plane& p, bool transpose) {
  std::vector<uint8_t> out(static_cast<size_t>((w.n * w.k + 1) / 2), 0);
  if (transpose && w.n % 2 == 0 && (w.bits == 4 || w.bits == 8)) {
    if (w.bits == 4) transpose_pairs<4>(w, p.shift, out.data());
    else transpose_pairs<8>(w, p.shift, out.data());
    return out;
  }
  for (int64_t r = 0; r < w.n; ++r) {
    for (int64_t c = 0; c < w.k; ++c) {
      int64_t i = transpose ? c * w.n + r : r * w.k + c;
      out[static_cast<size_t>(i / 2)] |= static_cast<uint8_t>(p.of(w.code(r, c)) << ((i & 1) * 4));
    }
  }
  return out;
}

std::string float_initializer(Context& ctx, std::vector<int64_t> dims, const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return ctx.initializer(onnx::ElemType::Float, std::move(dims), std::move(bytes));
}

// com.microsoft.MatMulNBits over one plane. B is [N, blocks, g·width/8]: for a whole plane
// the bytes of MLX's words as stored (both formats put code k at bit k·bits of the row);
// zero points are packed the same way along the blocks of each row.
// `scales`: the weight's scales in float32, shared by its planes.
std::string matmul_nbits(Context& ctx, const IntegerWeight& w, const Plane& p, const std::string& scales,
                         const std::string& x, const std::string& output) {
  std::vector<int64_t> b_dims{w.n, w.blocks, w.g * p.width / 8};
  std::string b = p.width == w.bits
                      ? ctx.constant_view(w.words, onnx::ElemType::UInt8, b_dims)
                      : ctx.initializer(onnx::ElemType::UInt8, b_dims, plane_codes(w, p, false));
  std::string plane_scales =
      p.factor == 1.0 ? scales : ctx.emit("Mul", {scales, ctx.scalar(DType::Float32, p.factor)});
  int64_t zp_row = (w.blocks * p.width + 7) / 8;
  std::vector<uint8_t> zero_points;
  for (int64_t r = 0; r < w.n; ++r) {
    auto row = pack(w.blocks, p.width, [&](int64_t b) { return p.of(w.zero_points[r * w.blocks + b]); });
    zero_points.insert(zero_points.end(), row.begin(), row.end());
  }
  std::string zp = ctx.initializer(onnx::ElemType::UInt8, {w.n, zp_row}, std::move(zero_points));
  return ctx.emit_in_domain(kMicrosoftDomain, "MatMulNBits", {x, b, plane_scales, zp}, 1,
                            {{"K", w.k},
                             {"N", w.n},
                             {"bits", int64_t{p.width}},
                             {"block_size", w.g},
                             {"accuracy_level", int64_t{0}}},
                            {output})[0];
}

// Standard ONNX over one 4-bit plane: uint4 codes [K, N] and a DequantizeLinear blocked
// along axis 0 feeding MatMul, the pattern ONNX Runtime rewrites into MatMulNBits (with
// int8 activations unless the session sets session.qdq_matmulnbits_accuracy_level to 0).
std::string dequantize_matmul(Context& ctx, const IntegerWeight& w, const Plane& p, const std::string& x,
                              const std::string& output) {
  std::string codes = ctx.initializer(onnx::ElemType::UInt4, {w.k, w.n}, plane_codes(w, p, true));
  std::string zp = ctx.initializer(onnx::ElemType::UInt4, {w.blocks, w.n}, pack(w.blocks * w.n, p.width, [&](int64_t i) {
                                     return p.of(w.zero_points[(i % w.n) * w.blocks + i / w.n]);
                                   }));
  std::vector<float> scales(static_cast<size_t>(w.blocks * w.n));
  for (int64_t r = 0; r < w.n; ++r) {
    for (int64_t b = 0; b < w.blocks; ++b) scales[b * w.n + r] = static_cast<float>(w.scales[r * w.blocks + b] * p.factor);
  }
  std::string weight = ctx.emit("DequantizeLinear", {codes, float_initializer(ctx, {w.blocks, w.n}, scales), zp},
                                {{"axis", int64_t{0}}, {"block_size", w.g}});
  return ctx.emit("MatMul", {x, weight}, {}, output);
}

}  // namespace

bool lower_constant_quantized_linear(Context& ctx, const Node& node, int64_t group_size, int64_t bits,
                                     const std::string& x, const std::string& output) {
  bool ort = ctx.target() == Target::Ort;
  if (ort ? (bits != 2 && bits != 4 && bits != 8) : (ctx.opset() < 21 || (bits != 4 && bits != 8))) return false;
  std::optional<IntegerWeight> w = integer_weight(ctx, node, group_size, bits);
  if (!w) return false;

  // One term per plane and one for Δ, summed into `output`.
  std::vector<Plane> parts = planes(bits);
  bool single = parts.size() == 1 && !w->corrected;
  std::vector<std::string> terms;
  std::string scales = ort ? ctx.operand_as(node, 2, DType::Float32) : "";
  for (const Plane& p : parts) {
    std::string into = single ? output : ctx.fresh("plane");
    terms.push_back(ort ? matmul_nbits(ctx, *w, p, scales, x, into) : dequantize_matmul(ctx, *w, p, x, into));
  }
  if (w->corrected) {
    // The sums of x per group, as a product with a 0/1 matrix [K, blocks] (one node where a
    // Reshape and a ReduceSum are two), then times Δ.
    std::vector<float> groups(static_cast<size_t>(w->k * w->blocks), 0.0f);
    for (int64_t c = 0; c < w->k; ++c) groups[c * w->blocks + c / w->g] = 1.0f;
    std::string sums = ctx.emit("MatMul", {x, float_initializer(ctx, {w->k, w->blocks}, groups)});
    terms.push_back(ctx.emit("MatMul", {sums, float_initializer(ctx, {w->blocks, w->n}, w->residual)}));
  }
  std::string sum = terms[0];
  for (size_t i = 1; i < terms.size(); ++i) sum = ctx.emit("Add", {sum, terms[i]}, {}, i + 1 == terms.size() ? output : "");
  return true;
}

}  // namespace mlx_onnx::lower
