#pragma once
// Runs an .mlxfn function with the real MLX on the CPU: the reference every conversion
// is verified against.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace mlx_onnx {

struct HostArray {
  DType dtype = DType::Float32;
  Shape shape;
  std::vector<uint8_t> bytes;  // row-major
};

struct ReferenceCall {
  std::vector<HostArray> positional;
  std::vector<std::pair<std::string, HostArray>> keyword;
};

std::vector<HostArray> evaluate_with_mlx(const std::string& path, const ReferenceCall& call);

std::string mlx_version();

}  // namespace mlx_onnx
