// MLX's fused fast:: primitives, recorded as single nodes only on GPU streams (on a CPU
// stream MLX decomposes them): RMSNorm, LayerNorm, RoPE and ScaledDotProductAttention.
// Each is lowered to the decomposition of MLX's own fallback by default; to a fused
// standard operator from opset 23 (RMSNormalization, RotaryEmbedding, Attention); and
// with Target::Ort to ONNX Runtime's operators (LayerNormalization, com.microsoft
// RotaryEmbedding, com.microsoft MultiHeadAttention), where their semantics match.
//
// Numerics follow MLX's fallbacks: the norms and RoPE's angles are computed in float32;
// half-precision steps are widened to float32 and rounded back to the half dtype where
// MLX rounds (ONNX Runtime's CPU kernels lack most half-precision ops).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

constexpr DType F32 = DType::Float32;

std::string to_f32(Context& ctx, const std::string& x, DType dt) {
  return dt == F32 ? x : ctx.cast(x, F32);
}

// Rounds a float32 value to `dt` and back, where MLX computes in `dt`.
std::string rounded(Context& ctx, const std::string& x, DType dt) {
  return is_half(dt) ? ctx.cast(ctx.cast(x, dt), F32) : x;
}

// `a op b` computed in `dt` as MLX does; halves through float32, rounded once.
std::string op_in(Context& ctx, const std::string& op, const std::string& a, const std::string& b,
                  DType dt, std::string out = "") {
  if (!is_half(dt)) return ctx.emit(op, {a, b}, {}, std::move(out));
  return ctx.cast(ctx.emit(op, {ctx.cast(a, F32), ctx.cast(b, F32)}), dt, std::move(out));
}

// The dtypes the fused operators are used for (ONNX Runtime's CPU kernels, tested).
bool fusable(DType dt) { return dt == F32 || dt == DType::Float16; }

// A 0-d weight or bias (MLX passes array(1) / array(0) when there is none) as the 1-D
// vector of the normalized axis that the fused norms expect.
std::string as_vector(Context& ctx, const Node& node, size_t i) {
  require(!ctx.in_value(node, 0).shape.empty(), node, "the input must have rank 1 or more");
  int64_t d = ctx.in_value(node, 0).shape.back();
  if (ctx.in_value(node, i).shape.size() == 1) return ctx.in(node, i);
  return ctx.emit("Expand", {ctx.in(node, i), ctx.int64s({d})});
}

std::string mean_last(Context& ctx, const std::string& x) {
  return ctx.emit("ReduceMean", {x, ctx.int64s({-1})}, {{"keepdims", int64_t{1}}});
}

// x / sqrt(mean(x^2) + eps) in float32 (Pow -> ReduceMean -> Add -> Sqrt -> Div, the
// pattern ONNX Runtime fuses).
std::string rms_normalized(Context& ctx, const std::string& x, float eps) {
  std::string ms = mean_last(ctx, ctx.emit("Pow", {x, ctx.scalar(F32, 2.0)}));
  return ctx.emit("Div", {x, ctx.emit("Sqrt", {ctx.emit("Add", {ms, ctx.scalar(F32, eps)})})});
}

// RMSNorm(x, w; eps): MLX normalizes in float32, casts to the dtype, then multiplies by w.
void lower_rms_norm(Context& ctx, const Node& node) {
  DType dt = ctx.out_value(node).dtype;
  float eps = static_cast<float>(node.attr<double>("eps"));
  if (ctx.opset() >= 23 && fusable(dt)) {
    ctx.emit("RMSNormalization", {ctx.in(node, 0), as_vector(ctx, node, 1)},
             {{"axis", int64_t{-1}}, {"epsilon", eps}, {"stash_type", int64_t{1}}}, ctx.out(node));
    return;
  }
  std::string n = rms_normalized(ctx, to_f32(ctx, ctx.in(node, 0), dt), eps);
  if (dt != F32) n = ctx.cast(n, dt);
  op_in(ctx, "Mul", n, ctx.in(node, 1), dt, ctx.out(node));
}

// LayerNorm(x, w, b; eps): normalized in float32 (two-pass variance), cast to the dtype,
// then * w + b in the dtype.
void lower_layer_norm(Context& ctx, const Node& node) {
  DType dt = ctx.out_value(node).dtype;
  float eps = static_cast<float>(node.attr<double>("eps"));
  if (ctx.target() == Target::Ort && fusable(dt)) {
    ctx.emit("LayerNormalization", {ctx.in(node, 0), as_vector(ctx, node, 1), as_vector(ctx, node, 2)},
             {{"axis", int64_t{-1}}, {"epsilon", eps}, {"stash_type", int64_t{1}}}, ctx.out(node));
    return;
  }
  std::string x = to_f32(ctx, ctx.in(node, 0), dt);
  std::string xc = ctx.emit("Sub", {x, mean_last(ctx, x)});
  std::string var = mean_last(ctx, ctx.emit("Pow", {xc, ctx.scalar(F32, 2.0)}));
  std::string n = ctx.emit("Div", {xc, ctx.emit("Sqrt", {ctx.emit("Add", {var, ctx.scalar(F32, eps)})})});
  if (dt != F32) n = ctx.cast(n, dt);
  op_in(ctx, "Add", op_in(ctx, "Mul", n, ctx.in(node, 1), dt), ctx.in(node, 2), dt, ctx.out(node));
}

// --- RoPE ---------------------------------------------------------------------------

struct Rope {
  int64_t dims;
  bool traditional;
  float base;
  float scale;
  bool forward;
  Shape shape;         // x: (B, ..., T, D)
  bool batch_offsets;  // one offset per batch entry (offset has B > 1 elements)
};

Rope rope_params(Context& ctx, const Node& node) {
  Rope r{node.attr<int64_t>("dims"), node.attr<bool>("traditional"), static_cast<float>(node.attr<double>("base")),
         static_cast<float>(node.attr<double>("scale")), node.attr<bool>("forward"), ctx.in_value(node, 0).shape,
         element_count(ctx.in_value(node, 1).shape) > 1};
  if (r.shape.size() < 3) fail(ErrorCode::InvalidInput, "RoPE: the input must have rank 3 or more");
  if (r.dims <= 0 || r.dims % 2 != 0 || r.dims > r.shape.back()) {
    fail(ErrorCode::InvalidInput, "RoPE: dims " + std::to_string(r.dims) +
                                      " must be even, positive and at most the last axis " +
                                      std::to_string(r.shape.back()));
  }
  return r;
}

// The angles theta = (arange(T) + offset) * scale * inv_freq in float32, shaped (T, D/2),
// or (B, T, D/2) with per-batch offsets. inv_freq = exp(-i * log(base) / (D/2)) or 1 / freqs.
std::string rope_theta(Context& ctx, const Node& node, const Rope& r) {
  int64_t t = r.shape[r.shape.size() - 2];
  int64_t half = r.dims / 2;
  std::vector<int64_t> steps(built_elements(ctx, node, {t}, "the position table"));
  std::vector<int64_t> exps(built_elements(ctx, node, {half}, "the frequency table"));
  for (int64_t i = 0; i < t; ++i) steps[i] = i;
  for (int64_t i = 0; i < half; ++i) exps[i] = -i;
  std::string offset = ctx.cast(ctx.in(node, 1), F32);
  offset = ctx.emit("Reshape", {offset, ctx.int64s(r.batch_offsets ? std::vector<int64_t>{-1, 1}
                                                                     : std::vector<int64_t>{1})});
  std::string positions = ctx.emit("Add", {ctx.cast(ctx.int64s(steps), F32), offset});
  positions = ctx.emit("Mul", {positions, ctx.scalar(F32, r.scale)});
  std::string inv_freqs;
  if (node.inputs.size() > 2) {
    inv_freqs = ctx.emit("Reciprocal", {to_f32(ctx, ctx.in(node, 2), ctx.in_value(node, 2).dtype)});
  } else {
    float step = std::log(r.base) / static_cast<float>(half);  // in float32, as MLX
    inv_freqs = ctx.emit("Exp", {ctx.emit("Mul", {ctx.cast(ctx.int64s(exps), F32), ctx.scalar(F32, step)})});
  }
  return ctx.emit("Mul", {ctx.emit("Unsqueeze", {positions, ctx.int64s({-1})}), inv_freqs});
}

// cos and sin of theta in the dtype of x; the inverse rotation (forward = false) is the
// rotation by -theta.
std::pair<std::string, std::string> rope_cos_sin(Context& ctx, const std::string& theta, const Rope& r,
                                                 DType dt) {
  std::string c = ctx.emit("Cos", {theta});
  std::string s = ctx.emit("Sin", {theta});
  if (!r.forward) s = ctx.emit("Neg", {s});
  if (dt != F32) return {ctx.cast(c, dt), ctx.cast(s, dt)};
  return {c, s};
}

std::string slice_last(Context& ctx, const std::string& x, int64_t start, int64_t end, int64_t step = 1) {
  return ctx.emit("Slice", {x, ctx.int64s({start}), ctx.int64s({end}), ctx.int64s({-1}), ctx.int64s({step})});
}

// MLX's fallback: rotate the pairs (x1, x2) -- halves, or even/odd elements when
// traditional -- of the first `dims` features; pass the rest through.
void rope_decomposed(Context& ctx, const Node& node, const Rope& r) {
  DType dt = ctx.in_value(node, 0).dtype;
  std::string theta = rope_theta(ctx, node, r);
  if (r.batch_offsets) {  // (B, T, D/2) -> (B, 1, ..., 1, T, D/2) against x's rank
    Shape s(r.shape.size(), 1);
    s[0] = r.shape[0];
    s[s.size() - 2] = r.shape[s.size() - 2];
    s.back() = r.dims / 2;
    theta = ctx.emit("Reshape", {theta, ctx.int64s(s)});
  }
  auto [c, s] = rope_cos_sin(ctx, theta, r, dt);
  const std::string& x = ctx.in(node, 0);
  int64_t half = r.dims / 2;
  std::string x1 = r.traditional ? slice_last(ctx, x, 0, r.dims, 2) : slice_last(ctx, x, 0, half);
  std::string x2 = r.traditional ? slice_last(ctx, x, 1, r.dims, 2) : slice_last(ctx, x, half, r.dims);
  std::string o1 = op_in(ctx, "Sub", op_in(ctx, "Mul", x1, c, dt), op_in(ctx, "Mul", x2, s, dt), dt);
  std::string o2 = op_in(ctx, "Add", op_in(ctx, "Mul", x1, s, dt), op_in(ctx, "Mul", x2, c, dt), dt);
  std::vector<std::string> parts;
  if (r.traditional) {
    std::string last = ctx.int64s({-1});
    std::string pairs = ctx.emit("Concat", {ctx.emit("Unsqueeze", {o1, last}),
                                            ctx.emit("Unsqueeze", {o2, last})},
                                 {{"axis", int64_t{-1}}});
    Shape s2 = r.shape;
    s2.back() = r.dims;
    parts.push_back(ctx.emit("Reshape", {pairs, ctx.int64s(s2)}));
  } else {
    parts = {o1, o2};
  }
  if (r.dims < r.shape.back()) parts.push_back(slice_last(ctx, x, r.dims, r.shape.back()));
  if (parts.size() == 1) return void(ctx.emit("Identity", parts, {}, ctx.out(node)));
  ctx.emit("Concat", parts, {{"axis", int64_t{-1}}}, ctx.out(node));
}

// The fused operators take x as (B, N, T, D), like MLX's fallback: rank 3 gains N = 1,
// rank > 4 folds the middle axes into N.
std::string rope_as_4d(Context& ctx, const std::string& x, const Shape& s) {
  if (s.size() == 4) return x;
  int64_t n = 1;
  for (size_t i = 1; i + 2 < s.size(); ++i) n *= s[i];
  return ctx.emit("Reshape", {x, ctx.int64s({s[0], n, s[s.size() - 2], s.back()})});
}

void rope_finish(Context& ctx, const Node& node, const Rope& r, const std::string& y4) {
  if (r.shape.size() == 4) return void(ctx.emit("Identity", {y4}, {}, ctx.out(node)));
  ctx.emit("Reshape", {y4, ctx.int64s(r.shape)}, {}, ctx.out(node));
}

// The heads of the 4-D view; ONNX Runtime needs num_heads with rotary_embedding_dim.
std::vector<onnx::Attribute> rope_attributes(const Rope& r) {
  int64_t n = 1;
  for (size_t i = 1; i + 2 < r.shape.size(); ++i) n *= r.shape[i];
  return {{"interleaved", int64_t{r.traditional}}, {"num_heads", n}, {"rotary_embedding_dim", r.dims}};
}

// ONNX RotaryEmbedding-23 without position ids: cos/sin caches of shape (B, T, dims/2).
void rope_standard(Context& ctx, const Node& node, const Rope& r) {
  DType dt = ctx.in_value(node, 0).dtype;
  int64_t b = r.shape[0], t = r.shape[r.shape.size() - 2];
  std::string theta = ctx.emit("Expand", {rope_theta(ctx, node, r), ctx.int64s({b, t, r.dims / 2})});
  auto [c, s] = rope_cos_sin(ctx, theta, r, dt);
  std::string x = rope_as_4d(ctx, ctx.in(node, 0), r.shape);
  std::string y = ctx.emit("RotaryEmbedding", {x, c, s}, rope_attributes(r));
  rope_finish(ctx, node, r, y);
}

// com.microsoft RotaryEmbedding: caches indexed by position ids (B, T). With per-batch
// offsets the cache holds B * T rows and row b * T + t serves batch b, position t.
void rope_ort(Context& ctx, const Node& node, const Rope& r) {
  DType dt = ctx.in_value(node, 0).dtype;
  int64_t b = r.shape[0], t = r.shape[r.shape.size() - 2];
  std::string theta = rope_theta(ctx, node, r);
  if (r.batch_offsets) theta = ctx.emit("Reshape", {theta, ctx.int64s({b * t, r.dims / 2})});
  auto [c, s] = rope_cos_sin(ctx, theta, r, dt);
  std::vector<int64_t> ids(built_elements(ctx, node, {b, t}, "the position ids"));
  for (int64_t i = 0; i < b * t; ++i) ids[i] = r.batch_offsets ? i : i % t;
  std::string positions = ctx.emit("Reshape", {ctx.int64s(ids), ctx.int64s({b, t})});
  std::string y = ctx.emit_in_domain(kMicrosoftDomain, "RotaryEmbedding",
                                     {rope_as_4d(ctx, ctx.in(node, 0), r.shape), positions, c, s}, 1,
                                     rope_attributes(r))[0];
  rope_finish(ctx, node, r, y);
}

// RoPE(x, offset[, freqs]; dims, traditional, base, scale, forward).
void lower_rope(Context& ctx, const Node& node) {
  Rope r = rope_params(ctx, node);
  DType dt = ctx.in_value(node, 0).dtype;
  if (ctx.target() == Target::Ort && fusable(dt)) return rope_ort(ctx, node, r);
  if (ctx.opset() >= 23 && fusable(dt)) return rope_standard(ctx, node, r);
  rope_decomposed(ctx, node, r);
}

// --- FusedRotary (made by passes/fuse_rotary, not an MLX primitive) ---------------------

// cos or sin (operand i) as the (B, T, dims/2) cache of ONNX RotaryEmbedding-23; "" when
// its shape does not allow it (a size other than 1 on a head axis). Built once per table.
std::string rotary_cache(Context& ctx, const Node& node, size_t i) {
  const Value& x = ctx.in_value(node, 0);
  const Value& c = ctx.in_value(node, i);
  size_t r = x.shape.size(), rc = c.shape.size();
  for (size_t a = 0; a + 2 < rc; ++a) {
    if (r - rc + a != 0 && (c.shape[a] != 1 || c.is_dynamic(a))) return "";
  }
  bool batched = rc == r;
  std::string& cache = ctx.shared("rotary cache " + ctx.in(node, i));
  if (cache.empty()) cache = ctx.emit("Reshape", {ctx.in(node, i), ctx.int64s({batched ? 0 : 1, -1, c.shape.back()})});
  bool one_row = !batched || (c.shape[0] == 1 && !c.is_dynamic(0));
  if (!one_row || (x.shape[0] == 1 && !x.is_dynamic(0))) return cache;
  return ctx.emit("Expand", {cache, ctx.shape_around({}, node.inputs[0], 0, 1, {1, 1})});
}

// Below opset 23, a float32 rotation of whole heads as x·[cos, cos] + (x·P)·[sin, sin], with
// P the 0/±1 matrix taking each pair (a, b) to (−b, a): 4 nodes per rotation (the tables and
// P are made once for all layers) where the split form takes 8, and the same numbers (each
// product with P copies one feature, sign and all).
void rotary_by_swap(Context& ctx, const Node& node, int64_t dims) {
  int64_t half = dims / 2;
  std::string& swap = ctx.shared("rotary swap " + std::to_string(dims));
  if (swap.empty()) {
    std::vector<float> p(static_cast<size_t>(dims * dims), 0.0f);
    for (int64_t i = 0; i < half; ++i) {
      p[(i + half) * dims + i] = -1.0f;  // out[i] = −x[i + half]
      p[i * dims + i + half] = 1.0f;     // out[i + half] = x[i]
    }
    std::vector<uint8_t> bytes(p.size() * sizeof(float));
    std::memcpy(bytes.data(), p.data(), bytes.size());
    swap = ctx.initializer(elem_type(F32), {dims, dims}, std::move(bytes));
  }
  const std::string &c = ctx.in(node, 1), &sn = ctx.in(node, 2);
  std::string& cos2 = ctx.shared("rotary cos " + c);
  if (cos2.empty()) cos2 = ctx.emit("Concat", {c, c}, {{"axis", int64_t{-1}}});
  std::string& sin2 = ctx.shared("rotary sin " + sn);
  if (sin2.empty()) sin2 = ctx.emit("Concat", {sn, sn}, {{"axis", int64_t{-1}}});
  const std::string& x = ctx.in(node, 0);
  std::string swapped = ctx.emit("MatMul", {x, swap});
  ctx.emit("Add", {ctx.emit("Mul", {x, cos2}), ctx.emit("Mul", {swapped, sin2})}, {}, ctx.out(node));
}

// FusedRotary(x, cos, sin; dims): x's first dims features as halves a and b become
// (a·cos − b·sin, a·sin + b·cos), the rest pass through. One RotaryEmbedding-23 where the
// tables allow it, else the swap form for float32 whole heads, else MLX's fallback.
void lower_fused_rotary(Context& ctx, const Node& node) {
  const Shape& s = ctx.in_value(node, 0).shape;
  DType dt = ctx.in_value(node, 0).dtype;
  int64_t dims = node.attr<int64_t>("dims");
  if (ctx.opset() >= 23 && fusable(dt) && (s.size() == 3 || s.size() == 4)) {
    std::string c = rotary_cache(ctx, node, 1);
    std::string sn = c.empty() ? "" : rotary_cache(ctx, node, 2);
    if (!sn.empty()) {
      std::string x = s.size() == 4 ? ctx.in(node, 0) : ctx.emit("Unsqueeze", {ctx.in(node, 0), ctx.int64s({1})});
      std::vector<onnx::Attribute> attrs = {{"interleaved", int64_t{0}}, {"rotary_embedding_dim", dims}};
      if (s.size() == 4) attrs.push_back({"num_heads", s[1]});
      if (s.size() == 4) return void(ctx.emit("RotaryEmbedding", {x, c, sn}, attrs, ctx.out(node)));
      ctx.emit("Squeeze", {ctx.emit("RotaryEmbedding", {x, c, sn}, attrs), ctx.int64s({1})}, {}, ctx.out(node));
      return;
    }
  }
  if (dt == F32 && dims == s.back()) return rotary_by_swap(ctx, node, dims);
  int64_t half = dims / 2;
  std::vector<int64_t> sizes = {half, half};
  if (dims < s.back()) sizes.push_back(s.back() - dims);
  std::vector<std::string> parts = ctx.emit_multi("Split", {ctx.in(node, 0), ctx.int64s(sizes)}, sizes.size(),
                                                  {{"axis", int64_t{-1}}});
  const std::string &a = parts[0], &b = parts[1], &c = ctx.in(node, 1), &sn = ctx.in(node, 2);
  std::vector<std::string> out = {op_in(ctx, "Sub", op_in(ctx, "Mul", a, c, dt), op_in(ctx, "Mul", b, sn, dt), dt),
                                  op_in(ctx, "Add", op_in(ctx, "Mul", a, sn, dt), op_in(ctx, "Mul", b, c, dt), dt)};
  if (parts.size() == 3) out.push_back(parts[2]);
  ctx.emit("Concat", out, {{"axis", int64_t{-1}}}, ctx.out(node));
}

// --- ScaledDotProductAttention --------------------------------------------------------

struct Sdpa {
  float scale = 1;
  bool causal = false;
  bool has_mask = false;   // operand 3 (already broadcast by MLX to (B, Hq, Lq, Lk))
  bool has_sinks = false;  // the last operand, one logit per query head
  int64_t b = 0, hq = 0, hkv = 0, lq = 0, lk = 0, d = 0, dv = 0;
};

Sdpa sdpa_params(Context& ctx, const Node& node) {
  if (node.attr<bool>("output_logsumexp") || node.outputs.size() > 1) {
    fail(ErrorCode::UnsupportedOp,
         "ScaledDotProductAttention with output_logsumexp (recorded only while tracing gradients) "
         "is not supported");
  }
  const Shape& q = ctx.in_value(node, 0).shape;
  const Shape& k = ctx.in_value(node, 1).shape;
  const Shape& v = ctx.in_value(node, 2).shape;
  Sdpa p;
  p.scale = static_cast<float>(node.attr<double>("scale"));
  p.causal = node.attr<bool>("do_causal");
  p.has_sinks = node.attr<bool>("has_sinks");
  size_t n = node.inputs.size() - (p.has_sinks ? 1 : 0);
  p.has_mask = n == 4;
  bool valid = (n == 3 || n == 4) && q.size() == 4 && k.size() == 4 && v.size() == 4 && k[1] > 0 &&
               q[1] % k[1] == 0 && k[1] == v[1] && k[2] == v[2] && q[3] == k[3] && q[0] == k[0] &&
               k[0] == v[0];
  if (!valid) {
    fail(ErrorCode::InvalidInput,
         "ScaledDotProductAttention: expected rank-4 queries, keys and values (matching batch, key heads "
         "dividing query heads) and at most a mask and sinks");
  }
  p.b = q[0], p.hq = q[1], p.hkv = k[1], p.lq = q[2], p.lk = k[2], p.d = q[3], p.dv = v[3];
  if (p.causal) built_elements(ctx, node, {p.lq + p.lk}, "the causal mask's position tables");
  return p;
}

// The lowest finite value of a dtype: what MLX puts where a boolean mask is false.
double lowest(DType dt) {
  if (dt == DType::Float16) return -65504.0;
  if (dt == DType::BFloat16) return -3.3895313892515355e38;
  if (dt == DType::Float64) return std::numeric_limits<double>::lowest();
  return std::numeric_limits<float>::lowest();
}

// MLX's causal mask, aligned to the end: query i sees keys j <= i + Lk - Lq. (Lq, Lk) bool.
// Lengths that vary (shapeless graphs) are read at run time.
std::string causal_mask(Context& ctx, const Node& node, const Sdpa& p) {
  const Value& q_value = ctx.in_value(node, 0);
  const Value& k_value = ctx.in_value(node, 1);
  if (q_value.is_dynamic(2) || k_value.is_dynamic(2)) {
    auto length = [&](size_t operand) { return ctx.emit("Squeeze", {ctx.dims(node.inputs[operand], 2, 3), ctx.int64s({0})}); };
    std::string lq = length(0), lk = length(1);
    std::string zero = ctx.int64_scalar(0), one = ctx.int64_scalar(1);
    std::string shift = ctx.emit("Sub", {lk, lq});
    std::string rows = ctx.emit("Add", {ctx.emit("Range", {zero, lq, one}), shift});
    std::string columns = ctx.emit("Range", {zero, lk, one});
    return ctx.emit("GreaterOrEqual", {ctx.emit("Unsqueeze", {rows, ctx.int64s({1})}), columns});
  }
  std::vector<int64_t> qi(p.lq), ki(p.lk);
  for (int64_t i = 0; i < p.lq; ++i) qi[i] = i + p.lk - p.lq;
  for (int64_t j = 0; j < p.lk; ++j) ki[j] = j;
  std::string q = ctx.emit("Reshape", {ctx.int64s(qi), ctx.int64s({p.lq, 1})});
  return ctx.emit("GreaterOrEqual", {q, ctx.int64s(ki)});
}

// The mask of the fused operators as an additive bias in `dt` ("": none). False entries
// of a boolean mask become a huge negative score rather than -inf, so that a fully masked
// row averages the values as in MLX; for float32 it is -1e30, not the lowest float, which
// ONNX Runtime's Attention takes for -inf (it then writes zeros).
std::string additive_mask(Context& ctx, const Node& node, const Sdpa& p, DType dt) {
  std::string mask;
  if (p.causal) mask = causal_mask(ctx, node, p);
  else if (p.has_mask) mask = ctx.in(node, 3);
  else return "";
  if (!p.causal && ctx.in_value(node, 3).dtype != DType::Bool) return mask;
  // One conversion of a boolean mask that every layer shares.
  std::string& bias = ctx.shared("attention bias " + mask + " " + std::to_string(static_cast<int>(dt)));
  if (!bias.empty() && !p.causal) return bias;
  double masked = dt == F32 ? -1e30 : lowest(dt);
  mask = ctx.emit("Where", {mask, ctx.scalar(F32, 0.0), ctx.scalar(F32, masked)});
  if (dt != F32) mask = ctx.cast(mask, dt);
  if (!p.causal) bias = mask;
  return mask;
}

// (B, Hkv, L, E) -> (B, Hq, L, E): each key/value head serves Hq / Hkv query heads in turn.
// Only the head counts are fixed, so the batch and length may vary at run time.
std::string repeat_heads(Context& ctx, const std::string& x, const Sdpa& p, int64_t e) {
  if (p.hq == p.hkv) return x;
  int64_t n = p.hq / p.hkv;
  std::string x5 = ctx.emit("Unsqueeze", {x, ctx.int64s({2})});
  x5 = ctx.emit("Expand", {x5, ctx.int64s({1, 1, n, 1, 1})});
  return ctx.emit("Reshape", {x5, ctx.int64s({0, p.hq, -1, e})});
}

// A mask of the scores (B, Hq, Lq, Lk) for the grouped view (B, Hkv, G, Lq, Lk): a head
// axis of 1 gains the group axis, a full one is split into (Hkv, G).
std::string grouped_mask(Context& ctx, const Node& node, const Sdpa& p, const std::string& mask) {
  const Shape& s = p.causal ? Shape{p.lq, p.lk} : ctx.in_value(node, 3).shape;
  if (s.size() < 3) return mask;
  if (s[s.size() - 3] == 1) return ctx.emit("Unsqueeze", {mask, ctx.int64s({-3})});
  ValueId m = node.inputs[3];
  int64_t r = static_cast<int64_t>(s.size());
  std::string shape = ctx.emit("Concat", {ctx.dims(m, 0, r - 3), ctx.int64s({p.hkv, p.hq / p.hkv}), ctx.dims(m, r - 2, r)},
                               {{"axis", int64_t{0}}});
  return ctx.emit("Reshape", {mask, shape});
}

// MLX's fallback: softmax((scale * q) @ k^T [masked] [with sinks]) @ v in the dtype;
// for half dtypes in float32 with the roundings MLX makes in the dtype.
void sdpa_decomposed(Context& ctx, const Node& node, const Sdpa& p) {
  DType dt = ctx.out_value(node).dtype;
  DType cdt = is_half(dt) ? F32 : dt;
  auto operand = [&](size_t i) {
    return is_half(ctx.in_value(node, i).dtype) ? ctx.cast(ctx.in(node, i), F32) : ctx.in(node, i);
  };
  // MLX multiplies by the scale in the dtype (so rounded to it).
  std::string scale = is_half(dt) ? ctx.cast(ctx.scalar(dt, p.scale), F32) : ctx.scalar(dt, p.scale);
  std::string q = rounded(ctx, ctx.emit("Mul", {operand(0), scale}), dt);
  // Grouped heads as MLX's fallback views them: queries (B, Hkv, G, L, E) meet their key and
  // value head by broadcasting, with no copies of keys or values (sinks: heads repeated).
  bool grouped = p.hq != p.hkv && !p.has_sinks;
  std::string k, v;
  std::string mask = p.causal ? causal_mask(ctx, node, p) : p.has_mask ? operand(3) : "";
  if (grouped) {
    q = ctx.emit("Reshape", {q, ctx.int64s({0, p.hkv, p.hq / p.hkv, -1, p.d})});
    k = ctx.emit("Unsqueeze", {operand(1), ctx.int64s({2})});
    v = ctx.emit("Unsqueeze", {operand(2), ctx.int64s({2})});
    if (!mask.empty()) mask = grouped_mask(ctx, node, p, mask);
  } else {
    k = repeat_heads(ctx, operand(1), p, p.d);
    v = repeat_heads(ctx, operand(2), p, p.dv);
  }
  std::vector<int64_t> swap_last = grouped ? std::vector<int64_t>{0, 1, 2, 4, 3} : std::vector<int64_t>{0, 1, 3, 2};
  std::string kt = ctx.emit("Transpose", {k}, {{"perm", swap_last}});
  std::string scores = rounded(ctx, ctx.emit("MatMul", {q, kt}), dt);
  if (p.causal || (p.has_mask && ctx.in_value(node, 3).dtype == DType::Bool)) {
    scores = ctx.emit("Where", {mask, scores, ctx.scalar(cdt, lowest(dt))});
  } else if (p.has_mask) {
    scores = rounded(ctx, ctx.emit("Add", {scores, mask}), dt);
  }
  if (p.has_sinks) {
    std::string sinks = ctx.emit("Reshape", {operand(node.inputs.size() - 1), ctx.int64s({1, p.hq, 1, 1})});
    sinks = ctx.emit("Expand", {sinks, ctx.int64s({p.b, p.hq, p.lq, 1})});
    scores = ctx.emit("Concat", {sinks, scores}, {{"axis", int64_t{-1}}});
  }
  std::string probs = ctx.emit("Softmax", {scores}, {{"axis", int64_t{-1}}});
  if (p.has_sinks) probs = slice_last(ctx, probs, 1, p.lk + 1);
  probs = rounded(ctx, probs, dt);
  std::string out = ctx.emit("MatMul", {probs, v}, {}, grouped || is_half(dt) ? "" : ctx.out(node));
  if (grouped) out = ctx.emit("Reshape", {out, ctx.int64s({0, p.hq, -1, p.dv})}, {}, is_half(dt) ? "" : ctx.out(node));
  if (is_half(dt)) ctx.cast(out, dt, ctx.out(node));
}

// The mask with a row for every query: ONNX Runtime's Attention and MultiHeadAttention
// broadcast it on every axis but the queries'. A row axis recorded with the queries' size
// is taken as theirs (fixed, or dynamic and recorded above 1: a shapeless trace's sizes
// that follow the same input axis); any other is expanded.
std::string rows_for_queries(Context& ctx, const Node& node, const Sdpa& p, const std::string& mask) {
  if (p.causal) return mask;  // (Lq, Lk)
  const Value& m = ctx.in_value(node, 3);
  const Value& q = ctx.in_value(node, 0);
  size_t r = m.shape.size();
  if (r >= 2 && m.shape[r - 2] == p.lq && m.is_dynamic(r - 2) == q.is_dynamic(2) && (!q.is_dynamic(2) || p.lq > 1)) {
    return mask;
  }
  std::vector<int64_t> ones(r < 2 ? 0 : r - 2, 1);
  return ctx.emit("Expand", {mask, ctx.shape_around(ones, node.inputs[0], 2, 3, {1})});
}

// ONNX Attention-23 on the 4-D (B, H, L, E) operands, grouped heads included. Its
// is_causal mask is aligned to the start, MLX's to the end: the same only when Lq == Lk.
void sdpa_standard(Context& ctx, const Node& node, const Sdpa& p) {
  DType dt = ctx.out_value(node).dtype;
  std::vector<onnx::Attribute> attrs = {{"scale", p.scale}};
  if (is_half(dt)) attrs.push_back({"softmax_precision", int64_t{static_cast<int32_t>(elem_type(F32))}});
  std::vector<std::string> inputs = {ctx.in(node, 0), ctx.in(node, 1), ctx.in(node, 2)};
  if (p.causal && p.lq == p.lk) {
    attrs.push_back({"is_causal", int64_t{1}});
  } else if (p.causal || p.has_mask) {
    inputs.push_back(additive_mask(ctx, node, p, dt));
    inputs.back() = rows_for_queries(ctx, node, p, inputs.back());
  }
  ctx.emit("Attention", inputs, attrs, ctx.out(node));
}

// (B, H, L, E) -> (B, L, H * E), the layout of com.microsoft MultiHeadAttention.
std::string heads_to_hidden(Context& ctx, const std::string& x, int64_t h, int64_t e) {
  std::string t = ctx.emit("Transpose", {x}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
  return ctx.emit("Reshape", {t, ctx.int64s({0, 0, h * e})});
}

// com.microsoft MultiHeadAttention, with key/value heads repeated for grouped queries
// and the mask (or MLX's causal mask) as an additive attention_bias.
void sdpa_ort(Context& ctx, const Node& node, const Sdpa& p) {
  DType dt = ctx.out_value(node).dtype;
  std::string q = heads_to_hidden(ctx, ctx.in(node, 0), p.hq, p.d);
  std::string k = repeat_heads(ctx, ctx.in(node, 1), p, p.d);
  std::string v = repeat_heads(ctx, ctx.in(node, 2), p, p.dv);
  k = heads_to_hidden(ctx, k, p.hq, p.d);
  v = heads_to_hidden(ctx, v, p.hq, p.dv);
  std::vector<std::string> inputs = {q, k, v};
  std::string bias = additive_mask(ctx, node, p, dt);
  if (!bias.empty()) {
    bias = rows_for_queries(ctx, node, p, bias);
    // attention_bias is 4-D: a lower-rank mask gains leading axes of 1.
    size_t rank = p.causal ? 2 : std::max<size_t>(ctx.in_value(node, 3).shape.size(), 2);
    std::vector<int64_t> leading;
    for (size_t i = rank; i < 4; ++i) leading.push_back(static_cast<int64_t>(i - rank));
    if (!leading.empty()) bias = ctx.emit("Unsqueeze", {bias, ctx.int64s(leading)});
    inputs.insert(inputs.end(), {"", "", bias});
  }
  std::string y = ctx.emit_in_domain(kMicrosoftDomain, "MultiHeadAttention", inputs, 1,
                                     {{"num_heads", p.hq}, {"scale", p.scale}})[0];
  y = ctx.emit("Reshape", {y, ctx.int64s({0, 0, p.hq, p.dv})});
  ctx.emit("Transpose", {y}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}}, ctx.out(node));
}

// ScaledDotProductAttention(q, k, v[, mask][, sinks]; scale, do_causal, has_sinks,
// output_logsumexp, force_fused). Sinks have no fused operator: decomposed.
void lower_sdpa(Context& ctx, const Node& node) {
  Sdpa p = sdpa_params(ctx, node);
  DType dt = ctx.out_value(node).dtype;
  // A half-precision mask cannot hold MLX's masked score without overflowing to -inf in
  // the sum, which changes rows with every key masked (MLX averages the values there):
  // boolean masks, and causal ones with more queries than keys, stay decomposed.
  bool masks_rows = (p.has_mask && ctx.in_value(node, 3).dtype == DType::Bool) || (p.causal && p.lq > p.lk);
  bool fused = fusable(dt) && !p.has_sinks && !(is_half(dt) && masks_rows);
  if (fused && ctx.opset() >= 23) return sdpa_standard(ctx, node, p);
  if (fused && ctx.target() == Target::Ort) return sdpa_ort(ctx, node, p);
  sdpa_decomposed(ctx, node, p);
}

constexpr Rule kRules[] = {
    {"LayerNorm", lower_layer_norm, RuleKind::Decomposed},
    {"RMSNorm", lower_rms_norm, RuleKind::Decomposed},
    {"RoPE", lower_rope, RuleKind::Decomposed},
    {"FusedRotary", lower_fused_rotary, RuleKind::Decomposed},
    {"ScaledDotProductAttention", lower_sdpa, RuleKind::Decomposed},
};

}  // namespace

std::span<const Rule> fast_rules() { return kRules; }

}  // namespace mlx_onnx::lower
