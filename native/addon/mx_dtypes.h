#pragma once
// MLX dtypes by their MLX Python names.
#include <string>

#include "mlx/mlx.h"

namespace mlx_onnx::addon {

std::string dtype_to_name(mlx::core::Dtype dtype);
mlx::core::Dtype dtype_from_js_name(const std::string& name);  // throws std::invalid_argument

}  // namespace mlx_onnx::addon
