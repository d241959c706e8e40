// RandomBits: MLX's counter-based random bits (threefry2x32), computed in the graph.
#include "graph/error.h"
#include "lower/compute.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

// MLX's CPU random bits: for each key (k0, k1), the W = ceil(bytes / 4) uint32 words
// of its output come from threefry2x32 (20 rounds, as in Random123 and JAX) on counter
// pairs (j, j + ceil(W / 2)) for j < W / 2: the first result is word j and the second
// word j + ceil(W / 2); with W odd, word W / 2 is the first result for (W / 2, 0).
// Narrower widths take the little-endian bytes of the words. ONNX Runtime adds uint32
// modulo 2^32, so the hash is computed in uint32 directly.
void lower_random_bits(Context& ctx, const Node& node) {
  int64_t width = node.attr<int64_t>("width");
  const Shape& key_shape = ctx.in_value(node, 0).shape;
  const Value& result = ctx.out_value(node);
  DType dt = result.dtype;
  if (ctx.in_value(node, 0).dtype != DType::UInt32 || key_shape.empty() || key_shape.back() != 2 ||
      !(width == 1 || width == 2 || width == 4)) {
    fail(ErrorCode::InvalidInput, "RandomBits: keys must be uint32 pairs and the width 1, 2 or 4");
  }
  int64_t keys = element_count(key_shape) / 2;
  int64_t total = element_count(result.shape);
  if (keys == 0 || total == 0) {
    std::vector<uint8_t> zero(dtype_size(dt), 0);
    onnx::Tensor value = onnx::owned_tensor(ctx.fresh("zero"), elem_type(dt), {1}, zero.data(), zero.size());
    ctx.emit("ConstantOfShape", {ctx.int64s(result.shape)}, {{"value", std::move(value)}}, ctx.out(node));
    return;
  }
  int64_t per_key = total / keys;
  int64_t words = (per_key * width + 3) / 4;
  int64_t half = words / 2, odd = words % 2, pairs = half + odd;

  built_elements(ctx, node, {per_key}, "the counter table");  // per_key >= words >= pairs
  std::vector<uint32_t> first(pairs), second(pairs);
  for (int64_t j = 0; j < pairs; ++j) {
    first[j] = static_cast<uint32_t>(j);
    second[j] = j < half ? static_cast<uint32_t>(j + pairs) : 0;
  }
  auto u32 = [&](uint32_t v) { return ctx.scalar(DType::UInt32, v); };
  auto column = [&](const std::string& k2, int64_t col) {
    return ctx.emit("Slice", {k2, ctx.int64s({col}), ctx.int64s({col + 1}), ctx.int64s({1})});
  };
  std::string k2 = ctx.emit("Reshape", {ctx.in(node, 0), ctx.int64s({keys, 2})});
  std::string ks[3] = {column(k2, 0), column(k2, 1), ""};  // each (keys, 1)
  ks[2] = ctx.emit("BitwiseXor", {ctx.emit("BitwiseXor", {ks[0], ks[1]}), u32(0x1BD11BDA)});

  auto counters = [&](const std::vector<uint32_t>& c) {  // (1, pairs)
    return ctx.emit("Reshape", {ctx.uint32s(c), ctx.int64s({1, pairs})});
  };
  std::string x0 = ctx.emit("Add", {counters(first), ks[0]});
  std::string x1 = ctx.emit("Add", {counters(second), ks[1]});
  constexpr uint32_t rotations[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  for (int i = 0; i < 5; ++i) {
    for (uint32_t r : rotations[i % 2]) {
      x0 = ctx.emit("Add", {x0, x1});
      std::string left = ctx.emit("BitShift", {x1, u32(r)}, {{"direction", std::string("LEFT")}});
      std::string right = ctx.emit("BitShift", {x1, u32(32 - r)}, {{"direction", std::string("RIGHT")}});
      x1 = ctx.emit("BitwiseXor", {ctx.emit("BitwiseOr", {left, right}), x0});
    }
    x0 = ctx.emit("Add", {x0, ks[(i + 1) % 3]});
    x1 = ctx.emit("Add", {x1, ctx.emit("Add", {ks[(i + 2) % 3], u32(static_cast<uint32_t>(i + 1))})});
  }
  std::string all = x0;
  if (half > 0) {
    std::string seconds =
        odd ? ctx.emit("Slice", {x1, ctx.int64s({0}), ctx.int64s({half}), ctx.int64s({1})}) : x1;
    all = ctx.emit("Concat", {x0, seconds}, {{"axis", int64_t{1}}});  // (keys, words)
  }
  if (width == 4) {
    ctx.emit("Reshape", {all, ctx.int64s(result.shape)}, {}, ctx.out(node));
    return;
  }
  int64_t per_word = 4 / width;
  std::vector<int64_t> index(per_key);
  std::vector<uint32_t> shifts(per_key);
  for (int64_t e = 0; e < per_key; ++e) {
    index[e] = e / per_word;
    shifts[e] = static_cast<uint32_t>(8 * width * (e % per_word));
  }
  std::string picked = ctx.emit("Gather", {all, ctx.int64s(index)}, {{"axis", int64_t{1}}});
  std::string shifted =
      ctx.emit("BitShift", {picked, ctx.uint32s(shifts)}, {{"direction", std::string("RIGHT")}});
  ctx.emit("Reshape", {ctx.cast(shifted, dt), ctx.int64s(result.shape)}, {}, ctx.out(node));
}

constexpr Rule kRules[] = {
    {"RandomBits", lower_random_bits, RuleKind::Decomposed},
};

}  // namespace

std::span<const Rule> random_rules() { return kRules; }

}  // namespace mlx_onnx::lower
