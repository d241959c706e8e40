#pragma once
// Shared shapes of lowering: ops that ONNX Runtime lacks in half precision are computed
// in float32 and cast back, which is also how MLX's CPU backend computes them.
#include <functional>
#include <string>
#include <vector>

#include "lower/context.h"

namespace mlx_onnx::lower {

bool is_half(DType dtype);  // float16 or bfloat16

// The rank of operand i of `node`.
int64_t operand_rank(const Context& ctx, const Node& node, size_t i);

// The dtype that ONNX Runtime's CPU kernels take for values of `dtype`, holding every one
// of them in the same order: half floats widen to float32, bool and 8/16-bit integers to
// int32, uint32 to int64; others are themselves.
DType kernel_dtype(DType dtype);

// Writes `out(node)` from the node's operands through `body`; half-precision float
// operands are widened to float32 first and the result narrowed back. `dtype` is the
// dtype the body computes in (that of the first operand, after widening).
// The operand names a body gets; indexing past the node's operands throws
// std::out_of_range, which lowering reports as a malformed node (ERR_INVALID_INPUT).
struct Operands : std::vector<std::string> {
  using std::vector<std::string>::vector;
  const std::string& operator[](size_t i) const { return at(i); }
};
using Body = std::function<void(Context&, const Operands& inputs, const std::string& output, DType dtype)>;
void compute_widened(Context& ctx, const Node& node, const Body& body);

// The same for operators that only move values (Expand, ...), which ONNX Runtime's CPU
// provider has for float16 but not bfloat16: bfloat16 goes through float32, exactly.
void move_widened(Context& ctx, const Node& node, const Body& body);

// Checks of a node's parameters against its operands, for files that are well formed
// byte by byte but not in meaning: ERR_INVALID_INPUT naming the primitive.
void require(bool ok, const Node& node, const std::string& what);
// `axis` in [-rank, rank), returned in [0, rank).
int64_t checked_axis(const Node& node, int64_t axis, int64_t rank);
// Distinct axes, each checked as above, returned in [0, rank) in their order.
std::vector<int64_t> checked_axes(const Node& node, const std::vector<int64_t>& axes, int64_t rank);

// The most elements a constant built from shapes may hold (index tables of AsStrided and
// block writes, position tables of RoPE, attention masks), and all of them in one graph:
// shapes come from the file, so this bounds the memory a file can make the converter use.
constexpr int64_t kMaxBuiltElements = int64_t{1} << 24;
constexpr int64_t kMaxBuiltElementsPerGraph = int64_t{1} << 26;
// The element count of such a constant of `dims` (each non-negative), within both limits
// (counted against the graph's); `what` names it in the error.
int64_t built_elements(Context& ctx, const Node& node, const std::vector<int64_t>& dims, const std::string& what);

// One ONNX operator applied to all operands of `node`, widened as above.
void elementwise(Context& ctx, const Node& node, const std::string& op,
                 std::vector<onnx::Attribute> attributes = {});

}  // namespace mlx_onnx::lower
