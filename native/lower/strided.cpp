// AsStrided: views with arbitrary strides (sliding windows of pooling and unfold).
#include <cstdint>
#include <string>
#include <vector>

#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

// AsStrided(x; shape, strides, offset): out[i_0, .., i_k] = flat(x)[offset + sum i_j *
// strides_j] (MLX makes x row-contiguous first). Lowered exactly as one Gather from the
// flattened input with a constant int64 index tensor built once here; it has one entry
// per output element (8 bytes each). Views reaching outside x are rejected.
void lower_as_strided(Context& ctx, const Node& node) {
  const auto& shape = node.attr<std::vector<int64_t>>("shape");
  const auto& strides = node.attr<std::vector<int64_t>>("strides");
  int64_t offset = node.attr<int64_t>("offset");
  const Shape& in_shape = ctx.in_value(node, 0).shape;
  int64_t in_size = element_count(in_shape);
  require(strides.size() == shape.size(), node, "shape and strides differ in length");
  int64_t count = built_elements(ctx, node, shape, "the index table");

  std::vector<int64_t> index;
  index.reserve(static_cast<size_t>(count));
  std::vector<int64_t> position(shape.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t at = offset, step;
    bool overflow = false;
    for (size_t d = 0; d < shape.size(); ++d) {
      overflow = overflow || __builtin_mul_overflow(position[d], strides[d], &step) || __builtin_add_overflow(at, step, &at);
    }
    if (overflow || at < 0 || at >= in_size) {
      fail(ErrorCode::InvalidInput, "AsStrided reads " + (overflow ? std::string("past 64-bit offsets") : "element " + std::to_string(at)) +
                                        " of an input with " + std::to_string(in_size) + " elements");
    }
    index.push_back(at);
    for (size_t d = shape.size(); d-- > 0;) {  // odometer over the output, last axis fastest
      if (++position[d] < shape[d]) break;
      position[d] = 0;
    }
  }

  std::string flat = ctx.in(node, 0);
  if (in_shape.size() != 1) flat = ctx.emit("Reshape", {flat, ctx.int64s({in_size})});
  if (shape.size() == 1) {
    ctx.emit("Gather", {flat, ctx.int64s(index)}, {{"axis", int64_t{0}}}, ctx.out(node));
    return;
  }
  std::string picked = ctx.emit("Gather", {flat, ctx.int64s(index)}, {{"axis", int64_t{0}}});
  ctx.emit("Reshape", {picked, ctx.int64s(std::vector<int64_t>(shape.begin(), shape.end()))}, {}, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"AsStrided", lower_as_strided, RuleKind::Lowered},
};

}  // namespace

std::span<const Rule> strided_rules() { return kRules; }

}  // namespace mlx_onnx::lower
