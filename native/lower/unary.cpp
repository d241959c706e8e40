// Elementwise functions of one operand, ErfInv among them (as MLX's CPU approximates it).
#include <cmath>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

template <const char* Op>
void direct(Context& ctx, const Node& node) {
  elementwise(ctx, node, Op);
}

constexpr char kAbs[] = "Abs", kNeg[] = "Neg", kExp[] = "Exp", kSin[] = "Sin", kCos[] = "Cos",
               kTan[] = "Tan", kAsin[] = "Asin", kAcos[] = "Acos", kAtan[] = "Atan",
               kSinh[] = "Sinh", kCosh[] = "Cosh", kTanh[] = "Tanh", kAsinh[] = "Asinh",
               kAcosh[] = "Acosh", kAtanh[] = "Atanh", kSigmoid[] = "Sigmoid", kErf[] = "Erf",
               kFloor[] = "Floor", kCeil[] = "Ceil", kRound[] = "Round", kSign[] = "Sign",
               kNot[] = "Not", kIdentity[] = "Identity";

// MLX's Log carries its base: 0 two, 1 ten, 2 e.
void lower_log(Context& ctx, const Node& node) {
  int64_t base = node.attr<int64_t>("base");
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType dt) {
    if (base == 2) return void(c.emit("Log", in, {}, out));
    std::string ln = c.emit("Log", in);
    double divisor = base == 0 ? std::log(2.0) : std::log(10.0);
    c.emit("Div", {ln, c.scalar(dt, divisor)}, {}, out);
  });
}

void lower_log1p(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    c.emit("Log", {c.emit("Add", {in[0], c.scalar(dt, 1.0)})}, {}, out);
  });
}

void lower_expm1(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    c.emit("Sub", {c.emit("Exp", in), c.scalar(dt, 1.0)}, {}, out);
  });
}

// MLX's Sqrt carries `recip` for Rsqrt.
void lower_sqrt(Context& ctx, const Node& node) {
  bool reciprocal = node.attr<bool>("reciprocal");
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType dt) {
    if (!reciprocal) return void(c.emit("Sqrt", in, {}, out));
    c.emit("Reciprocal", {c.emit("Sqrt", in)}, {}, out);
  });
}

void lower_square(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    c.emit("Mul", {in[0], in[0]}, {}, out);
  });
}

void lower_as_type(Context& ctx, const Node& node) {
  ctx.cast(ctx.in(node, 0), ctx.out_value(node).dtype, ctx.out(node));
}

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

constexpr Rule kRules[] = {
    {"Abs", direct<kAbs>, RuleKind::Lowered, 1},
    {"ArcCos", direct<kAcos>, RuleKind::Lowered, 1},
    {"ArcCosh", direct<kAcosh>, RuleKind::Lowered, 1},
    {"ArcSin", direct<kAsin>, RuleKind::Lowered, 1},
    {"ArcSinh", direct<kAsinh>, RuleKind::Lowered, 1},
    {"ArcTan", direct<kAtan>, RuleKind::Lowered, 1},
    {"ArcTanh", direct<kAtanh>, RuleKind::Lowered, 1},
    {"AsType", lower_as_type, RuleKind::Lowered, 1},
    {"Ceil", direct<kCeil>, RuleKind::Lowered, 1},
    {"Copy", direct<kIdentity>, RuleKind::Lowered, 1},
    {"Cos", direct<kCos>, RuleKind::Lowered, 1},
    {"Cosh", direct<kCosh>, RuleKind::Lowered, 1},
    {"Erf", direct<kErf>, RuleKind::Lowered, 1},
    {"ErfInv", lower_erf_inv, RuleKind::Decomposed},
    {"Exp", direct<kExp>, RuleKind::Lowered, 1},
    {"Expm1", lower_expm1, RuleKind::Decomposed, 1},
    {"Floor", direct<kFloor>, RuleKind::Lowered, 1},
    {"Log", lower_log, RuleKind::Lowered, 1},
    {"Log1p", lower_log1p, RuleKind::Decomposed, 1},
    {"LogicalNot", direct<kNot>, RuleKind::Lowered, 1},
    {"Negative", direct<kNeg>, RuleKind::Lowered, 1},
    {"Round", direct<kRound>, RuleKind::Lowered, 1},
    {"Sigmoid", direct<kSigmoid>, RuleKind::Lowered, 1},
    {"Sign", direct<kSign>, RuleKind::Lowered, 1},
    {"Sin", direct<kSin>, RuleKind::Lowered, 1},
    {"Sinh", direct<kSinh>, RuleKind::Lowered, 1},
    {"Sqrt", lower_sqrt, RuleKind::Lowered, 1},
    {"Square", lower_square, RuleKind::Lowered, 1},
    {"StopGradient", direct<kIdentity>, RuleKind::Lowered, 1},
    {"Tan", direct<kTan>, RuleKind::Lowered, 1},
    {"Tanh", direct<kTanh>, RuleKind::Lowered, 1},
};

}  // namespace

std::span<const Rule> unary_rules() { return kRules; }

}  // namespace mlx_onnx::lower
