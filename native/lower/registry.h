#pragma once
// The table of lowering rules: one rule per MLX primitive, grouped by family in the
// files next to this one (unary.cpp, binary.cpp, reduce.cpp, shape.cpp, index.cpp,
// linalg.cpp, creation.cpp, conv.cpp, sort.cpp, scan.cpp, scatter.cpp, fast.cpp,
// quantized.cpp, pad.cpp, strided.cpp, random.cpp, view.cpp).
#include <span>
#include <string_view>
#include <vector>

#include "lower/context.h"

namespace mlx_onnx::lower {

enum class RuleKind {
  Lowered,     // one ONNX operator (perhaps with casts or constant operands)
  Decomposed,  // a composition of several ONNX operators
};

using LowerFn = void (*)(Context&, const Node&);

struct Rule {
  std::string_view primitive;
  LowerFn lower;
  RuleKind kind;
  // How many operands the primitive takes, for rules that read them by position (the
  // elementwise families); -1: the rule checks its operands itself.
  int operands = -1;
};

// Each family lists its rules.
std::span<const Rule> unary_rules();
std::span<const Rule> binary_rules();
std::span<const Rule> reduce_rules();
std::span<const Rule> shape_rules();
std::span<const Rule> index_rules();
std::span<const Rule> linalg_rules();
std::span<const Rule> creation_rules();
std::span<const Rule> conv_rules();
std::span<const Rule> sort_rules();
std::span<const Rule> scan_rules();
std::span<const Rule> scatter_rules();
std::span<const Rule> fast_rules();
std::span<const Rule> quantized_rules();
std::span<const Rule> random_rules();
std::span<const Rule> view_rules();
std::span<const Rule> pad_rules();
std::span<const Rule> strided_rules();

const Rule* find_rule(std::string_view primitive);

// Why a primitive without a rule has none (empty: not lowered yet).
std::string_view unsupported_reason(std::string_view primitive);

}  // namespace mlx_onnx::lower
