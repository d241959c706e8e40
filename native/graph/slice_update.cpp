#include "graph/slice_update.h"

namespace mlx_onnx {

std::optional<size_t> joined_axis(const Node& node, const Shape& data, const Shape& block) {
  const auto& start = node.attr<std::vector<int64_t>>("start");
  const auto& strides = node.attr<std::vector<int64_t>>("strides");
  if (start.size() != data.size() || strides.size() != data.size() ||
      block.size() != data.size()) {
    return std::nullopt;
  }
  std::optional<size_t> cut;
  for (size_t d = 0; d < data.size(); ++d) {
    if (start[d] == 0 && strides[d] == 1 && block[d] == data[d]) continue;
    if (cut || strides[d] != 1) return std::nullopt;
    cut = d;
  }
  return cut;
}

}  // namespace mlx_onnx
