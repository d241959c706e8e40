#pragma once
// Sizes read at run time instead of the values MLX recorded in a trace: an offset plus a
// sum of terms, each a factor times a product of dimensions of arrays computed earlier
// (B · L of the inputs, L + 1, the length a convolution gave). Passes attach them to nodes
// as flat integer attributes; lowering computes them with Shape.
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace mlx_onnx {

// A dimension of an array: its ValueId and the axis.
using ValueAxis = std::pair<size_t, size_t>;

struct SizeTerm {
  int64_t factor = 1;
  std::vector<ValueAxis> dims;  // multiplied
};

struct SizeExpr {
  int64_t offset = 0;
  std::vector<SizeTerm> terms;  // added

  // The size for input dimensions of these sizes.
  int64_t evaluate(const std::function<int64_t(ValueAxis)>& size_of) const;
  std::vector<ValueAxis> dims() const;  // every dimension it reads
};

// Expressions for some entries of a list (a shape's entries, a slice's axes), by index.
using SizeEntries = std::vector<std::pair<size_t, SizeExpr>>;

// Flat, as a node attribute: per entry its index, the offset and the term count, then per
// term its factor, its dimension count and the (value, axis) pairs.
std::vector<int64_t> encode_sizes(const SizeEntries& entries);
// Fails with ERR_INVALID_INPUT on a malformed list.
SizeEntries decode_sizes(const std::vector<int64_t>& flat);

}  // namespace mlx_onnx
