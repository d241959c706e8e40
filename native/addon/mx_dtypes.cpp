#include "addon/mx_dtypes.h"

#include <stdexcept>

#include "graph/dtype.h"

namespace mlx_onnx::addon {

namespace mx = mlx::core;

// MLX numbers its dtypes as .mlxfn files do (graph/dtype.h).
std::string dtype_to_name(mx::Dtype dtype) {
  auto ours = dtype_from_code(static_cast<int32_t>(dtype.val()));
  return ours ? std::string(dtype_name(*ours)) : "unknown";
}

mx::Dtype dtype_from_js_name(const std::string& name) {
  static const mx::Dtype all[] = {mx::bool_, mx::uint8, mx::uint16, mx::uint32, mx::uint64,
                                  mx::int8, mx::int16, mx::int32, mx::int64, mx::float16,
                                  mx::float32, mx::float64, mx::bfloat16, mx::complex64};
  auto ours = dtype_from_name(name);
  if (!ours) throw std::invalid_argument("unknown dtype '" + name + "'");
  return all[static_cast<int>(*ours)];
}

}  // namespace mlx_onnx::addon
