// Elementwise functions of two operands (MLX has already promoted them to one dtype),
// comparisons, logical and bitwise ops and Select. ONNX broadcasting matches MLX's (numpy's).
#include <cmath>
#include <numbers>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

template <const char* Op>
void direct(Context& ctx, const Node& node) {
  elementwise(ctx, node, Op);
}

constexpr char kAdd[] = "Add", kSub[] = "Sub", kMul[] = "Mul", kDiv[] = "Div", kPow[] = "Pow", kLess[] = "Less", kLessEq[] = "LessOrEqual",
               kGreater[] = "Greater", kGreaterEq[] = "GreaterOrEqual", kAnd[] = "And",
               kOr[] = "Or";

void lower_equal(Context& ctx, const Node& node) {
  bool equal_nan = node.attr<bool>("equal_nan");
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType dt) {
    if (!equal_nan || !is_floating(dt)) return void(c.emit("Equal", in, {}, out));
    std::string both_nan = c.emit("And", {c.emit("IsNaN", {in[0]}), c.emit("IsNaN", {in[1]})});
    c.emit("Or", {c.emit("Equal", in), both_nan}, {}, out);
  });
}

void lower_not_equal(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType) {
    c.emit("Not", {c.emit("Equal", in)}, {}, out);
  });
}

// MLX's remainder takes the sign of the divisor (Python's %).
void lower_remainder(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    if (!is_floating(dt)) return void(c.emit("Mod", in, {{"fmod", int64_t{0}}}, out));
    std::string r = c.emit("Mod", in, {{"fmod", int64_t{1}}});
    std::string zero = c.scalar(dt, 0.0);
    std::string signs_differ = c.emit("Xor", {c.emit("Less", {r, zero}), c.emit("Less", {in[1], zero})});
    std::string fix = c.emit("And", {c.emit("Not", {c.emit("Equal", {r, zero})}), signs_differ});
    c.emit("Where", {fix, c.emit("Add", {r, in[1]}), r}, {}, out);
  });
}

void lower_floor_divide(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    if (is_floating(dt)) return void(c.emit("Floor", {c.emit("Div", in)}, {}, out));
    // Exact for integers: (a - a mod b) / b, with mod taking the divisor's sign.
    std::string mod = c.emit("Mod", in, {{"fmod", int64_t{0}}});
    c.emit("Div", {c.emit("Sub", {in[0], mod}), in[1]}, {}, out);
  });
}

// log(exp(a) + exp(b)) = max + log1p(exp(-|a - b|)), with -inf kept where both are -inf.
void lower_log_add_exp(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    std::string m = c.emit("Max", in);
    std::string diff = c.emit("Neg", {c.emit("Abs", {c.emit("Sub", in)})});
    std::string log1p = c.emit("Log", {c.emit("Add", {c.scalar(dt, 1.0), c.emit("Exp", {diff})})});
    std::string sum = c.emit("Add", {m, log1p});
    std::string m_is_inf = c.emit("IsInf", {m});
    c.emit("Where", {m_is_inf, m, sum}, {}, out);
  });
}

// atan2(y, x) from atan(y / x) with the quadrant fixed by the signs of x and y.
void lower_arc_tan2(Context& ctx, const Node& node) {
  compute_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType dt) {
    const std::string& y = in[0];
    const std::string& x = in[1];
    std::string zero = c.scalar(dt, 0.0);
    std::string pi = c.scalar(dt, std::numbers::pi);
    std::string base = c.emit("Atan", {c.emit("Div", {y, x})});
    std::string y_negative = c.emit("Less", {y, zero});
    std::string shift = c.emit("Where", {y_negative, c.emit("Neg", {pi}), pi});
    std::string x_negative = c.emit("Less", {x, zero});
    std::string fixed = c.emit("Where", {x_negative, c.emit("Add", {base, shift}), base});
    std::string half_pi = c.emit("Mul", {c.scalar(dt, std::numbers::pi / 2), c.emit("Sign", {y})});
    c.emit("Where", {c.emit("Equal", {x, zero}), half_pi, fixed}, {}, out);
  });
}

// ONNX Runtime 1.30's CPU Max/Min on 64-bit integers keep only the low 32 bits
// (Max(3707515765, 1000) gives 1000); comparisons are exact, so those pick with Where.
template <bool Larger>
void lower_extremum(Context& ctx, const Node& node) {
  DType dt = ctx.in_value(node, 0).dtype;
  if (dt != DType::Int64 && dt != DType::UInt64) return elementwise(ctx, node, Larger ? "Max" : "Min");
  const std::string& a = ctx.in(node, 0);
  const std::string& b = ctx.in(node, 1);
  std::string pick_a = ctx.emit(Larger ? "Greater" : "Less", {a, b});
  ctx.emit("Where", {pick_a, a, b}, {}, ctx.out(node));
}

void lower_select(Context& ctx, const Node& node) {
  move_widened(ctx, node, [](Context& c, const Operands& in, const std::string& out, DType) {
    c.emit("Where", in, {}, out);
  });
}

void lower_div_mod(Context& ctx, const Node& node) {
  DType dt = ctx.in_value(node, 0).dtype;
  const std::string& a = ctx.in(node, 0);
  const std::string& b = ctx.in(node, 1);
  if (is_floating(dt)) {
    std::string wa = is_half(dt) ? ctx.cast(a, DType::Float32) : a;
    std::string wb = is_half(dt) ? ctx.cast(b, DType::Float32) : b;
    std::string q = ctx.emit("Floor", {ctx.emit("Div", {wa, wb})});
    std::string r = ctx.emit("Sub", {wa, ctx.emit("Mul", {q, wb})});
    ctx.cast(q, dt, ctx.out(node, 0));
    ctx.cast(r, dt, ctx.out(node, 1));
    return;
  }
  std::string r = ctx.emit("Mod", {a, b}, {{"fmod", int64_t{0}}}, ctx.out(node, 1));
  ctx.emit("Div", {ctx.emit("Sub", {a, r}), b}, {}, ctx.out(node, 0));
}

// ONNX Runtime's BitShift exists for uint8, uint32 and uint64 only: other integers are
// shifted in the unsigned type of their size (uint32 for 16 bits) and cast back, which
// wraps as C++ does. Signed right shifts are arithmetic: negative values are
// complemented, shifted logically, and complemented back.
void lower_bitwise_binary(Context& ctx, const Node& node) {
  enum { And, Or, Xor, LeftShift, RightShift };
  int64_t op = node.attr<int64_t>("op");
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

constexpr Rule kRules[] = {
    {"Add", direct<kAdd>, RuleKind::Lowered, 2},
    {"ArcTan2", lower_arc_tan2, RuleKind::Decomposed, 2},
    {"BitwiseBinary", lower_bitwise_binary, RuleKind::Decomposed},
    {"DivMod", lower_div_mod, RuleKind::Decomposed, 2},
    {"Divide", direct<kDiv>, RuleKind::Lowered, 2},
    {"Equal", lower_equal, RuleKind::Lowered, 2},
    {"FloorDivide", lower_floor_divide, RuleKind::Decomposed, 2},
    {"Greater", direct<kGreater>, RuleKind::Lowered, 2},
    {"GreaterEqual", direct<kGreaterEq>, RuleKind::Lowered, 2},
    {"Less", direct<kLess>, RuleKind::Lowered, 2},
    {"LessEqual", direct<kLessEq>, RuleKind::Lowered, 2},
    {"LogAddExp", lower_log_add_exp, RuleKind::Decomposed, 2},
    {"LogicalAnd", direct<kAnd>, RuleKind::Lowered, 2},
    {"LogicalOr", direct<kOr>, RuleKind::Lowered, 2},
    {"Maximum", lower_extremum<true>, RuleKind::Lowered, 2},
    {"Minimum", lower_extremum<false>, RuleKind::Lowered, 2},
    {"Multiply", direct<kMul>, RuleKind::Lowered, 2},
    {"NotEqual", lower_not_equal, RuleKind::Lowered, 2},
    {"Power", direct<kPow>, RuleKind::Lowered, 2},
    {"Remainder", lower_remainder, RuleKind::Decomposed, 2},
    {"Select", lower_select, RuleKind::Lowered, 3},
    {"Subtract", direct<kSub>, RuleKind::Lowered, 2},
};

}  // namespace

std::span<const Rule> binary_rules() { return kRules; }

}  // namespace mlx_onnx::lower
