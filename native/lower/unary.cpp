// Elementwise functions of one operand.
#include <cmath>

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
  int64_t base = node.int_attr(0);
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
  bool reciprocal = node.bool_attr(0);
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
