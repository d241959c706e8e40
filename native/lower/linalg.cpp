// Matrix products: Matmul (MLX broadcasts batch dimensions as ONNX's MatMul does), AddMM,
// GatherMM, BlockMaskedMM, and the Hadamard transform.
#include <algorithm>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"
// MLX's own table of the non-power-of-two Hadamard matrices (from N. J. A. Sloane's
// library), installed with MLX's headers: the transform must use exactly these.
#include "mlx/backend/common/hadamard.h"

namespace mlx_onnx::lower {
namespace {

void lower_matmul(Context& ctx, const Node& node) {
  elementwise(ctx, node, "MatMul");
}

// AddMM(a, b, c) = alpha * (a @ b) + beta * c (MLX orders the operands a, b, c)
void lower_add_mm(Context& ctx, const Node& node) {
  double alpha = node.attr<double>("alpha");
  double beta = node.attr<double>("beta");
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType dt) {
    std::string product = c.emit("MatMul", {in[0], in[1]});
    if (alpha != 1.0) product = c.emit("Mul", {product, c.scalar(dt, alpha)});
    std::string bias = beta == 1.0 ? in[2] : c.emit("Mul", {in[2], c.scalar(dt, beta)});
    c.emit("Add", {product, bias}, {}, out);
  });
}

std::string float32s(Context& ctx, std::vector<int64_t> dims, const std::vector<float>& values) {
  return ctx.constant(onnx::ElemType::Float, std::move(dims), values.data(), values.size() * 4);
}

bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// The last axis (size m * 2^k) is the row-major flattening of an (m, 2^k) block, and
// MLX's transform is kron(H_m, H_2^k) applied to it, times scale; H_2^k is Sylvester's
// (H[i][j] = (-1)^popcount(i & j)) and H_m one of MLX's tables (m = 12, 20, 28). As
// kron(A, B, ...) applied to a vector is A, B, ... applied on the axes of its reshaping,
// each factor (H_m, then Sylvester blocks of at most 64) is one small MatMul.
void lower_hadamard(Context& ctx, const Node& node) {
  float scale = static_cast<float>(node.attr<double>("scale"));
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

// gather_mm(a, b, lhs_indices, rhs_indices): each index is a flat position in the batch
// axes of its operand; out[i] = a[lhs[i]] @ b[rhs[i]]. Lowered as Gather on the
// flattened batch axis, then a batched MatMul. (The sorted flags are only hints.)
void lower_gather_mm(Context& ctx, const Node& node) {
  int64_t a_rank = operand_rank(ctx, node, 0), b_rank = operand_rank(ctx, node, 1);
  if (a_rank < 2 || b_rank < 2) fail(ErrorCode::InvalidInput, "GatherMM operands below 2-D");
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    std::string a = c.emit("Reshape", {in[0], c.shape_around({-1}, node.inputs[0], a_rank - 2, a_rank)});
    std::string b = c.emit("Reshape", {in[1], c.shape_around({-1}, node.inputs[1], b_rank - 2, b_rank)});
    a = c.emit("Gather", {a, c.cast(in[2], DType::Int64)}, {{"axis", int64_t{0}}});
    b = c.emit("Gather", {b, c.cast(in[3], DType::Int64)}, {{"axis", int64_t{0}}});
    c.emit("MatMul", {a, b}, {}, out);
  });
}

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
  int64_t block = node.attr<int64_t>("block_size");
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

constexpr Rule kRules[] = {
    {"AddMM", lower_add_mm, RuleKind::Decomposed},
    {"BlockMaskedMM", lower_block_masked_mm, RuleKind::Decomposed},
    {"GatherMM", lower_gather_mm, RuleKind::Decomposed},
    {"Hadamard", lower_hadamard, RuleKind::Decomposed},
    {"Matmul", lower_matmul, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> linalg_rules() { return kRules; }

}  // namespace mlx_onnx::lower
