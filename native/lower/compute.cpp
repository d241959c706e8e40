#include "lower/compute.h"

#include "graph/error.h"

namespace mlx_onnx::lower {

bool is_half(DType dtype) { return dtype == DType::Float16 || dtype == DType::BFloat16; }

int64_t operand_rank(const Context& ctx, const Node& node, size_t i) {
  return static_cast<int64_t>(ctx.in_value(node, i).shape.size());
}

void require(bool ok, const Node& node, const std::string& what) {
  if (!ok) fail(ErrorCode::InvalidInput, node.op + ": " + what);
}

int64_t checked_axis(const Node& node, int64_t axis, int64_t rank) {
  require(axis >= -rank && axis < rank, node, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> checked_axes(const Node& node, const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    a = checked_axis(node, a, rank);
    require(!seen[a], node, "axis " + std::to_string(a) + " appears twice");
    seen[a] = true;
    out.push_back(a);
  }
  return out;
}

int64_t built_elements(Context& ctx, const Node& node, const std::vector<int64_t>& dims, const std::string& what) {
  int64_t count = 1;
  for (int64_t d : dims) require(d >= 0, node, what + " has a negative size " + std::to_string(d));
  for (int64_t d : dims) {
    if (d == 0) return 0;
    require(count <= kMaxBuiltElements / d, node,
            what + " would have more than " + std::to_string(kMaxBuiltElements) + " elements");
    count *= d;
  }
  require(ctx.built_elements() <= kMaxBuiltElementsPerGraph - count, node,
          what + " would take the constants built for the graph past " + std::to_string(kMaxBuiltElementsPerGraph) +
              " elements");
  ctx.add_built_elements(count);
  return count;
}

DType kernel_dtype(DType dtype) {
  switch (dtype) {
    case DType::Float16:
    case DType::BFloat16: return DType::Float32;
    case DType::Bool:
    case DType::Int8:
    case DType::Int16:
    case DType::UInt8:
    case DType::UInt16: return DType::Int32;
    case DType::UInt32: return DType::Int64;
    default: return dtype;
  }
}

namespace {

void widened_where(Context& ctx, const Node& node, const Body& body, bool (*widen)(DType)) {
  Operands inputs;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const std::string& x = ctx.in(node, i);
    inputs.push_back(widen(ctx.in_value(node, i).dtype) ? ctx.cast(x, DType::Float32) : x);
  }
  DType out_dtype = ctx.out_value(node).dtype;
  bool widened = false;
  for (size_t i = 0; i < node.inputs.size(); ++i) widened = widened || inputs[i] != ctx.in(node, i);
  DType dtype = node.inputs.empty() ? out_dtype : ctx.in_value(node, 0).dtype;
  if (!widened) return body(ctx, inputs, ctx.out(node), dtype);
  std::string result = ctx.fresh("widened");
  body(ctx, inputs, result, widen(dtype) ? DType::Float32 : dtype);
  ctx.cast(result, out_dtype, ctx.out(node));
}

bool is_bfloat16(DType dtype) { return dtype == DType::BFloat16; }

}  // namespace

void compute_widened(Context& ctx, const Node& node, const Body& body) {
  widened_where(ctx, node, body, is_half);
}

void move_widened(Context& ctx, const Node& node, const Body& body) {
  widened_where(ctx, node, body, is_bfloat16);
}

void elementwise(Context& ctx, const Node& node, const std::string& op,
                 std::vector<onnx::Attribute> attributes) {
  compute_widened(ctx, node, [&](Context& c, const Operands& in, const std::string& out, DType) {
    c.emit(op, in, attributes, out);
  });
}

}  // namespace mlx_onnx::lower
