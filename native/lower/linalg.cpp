// Matrix products. MLX's Matmul broadcasts batch dimensions as ONNX's MatMul does.
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

void lower_matmul(Context& ctx, const Node& node) {
  elementwise(ctx, node, "MatMul");
}

// AddMM(a, b, c) = alpha * (a @ b) + beta * c (MLX orders the operands a, b, c)
void lower_add_mm(Context& ctx, const Node& node) {
  double alpha = node.float_attr(0);
  double beta = node.float_attr(1);
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType dt) {
    std::string product = c.emit("MatMul", {in[0], in[1]});
    if (alpha != 1.0) product = c.emit("Mul", {product, c.scalar(dt, alpha)});
    std::string bias = beta == 1.0 ? in[2] : c.emit("Mul", {in[2], c.scalar(dt, beta)});
    c.emit("Add", {product, bias}, {}, out);
  });
}

constexpr Rule kRules[] = {
    {"AddMM", lower_add_mm, RuleKind::Decomposed},
    {"Matmul", lower_matmul, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> linalg_rules() { return kRules; }

}  // namespace mlx_onnx::lower
