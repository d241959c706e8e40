#pragma once
// MLX's dtypes, numbered as MLX numbers them in `.mlxfn` files.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mlx_onnx {

enum class DType : int32_t {
  Bool = 0,
  UInt8 = 1,
  UInt16 = 2,
  UInt32 = 3,
  UInt64 = 4,
  Int8 = 5,
  Int16 = 6,
  Int32 = 7,
  Int64 = 8,
  Float16 = 9,
  Float32 = 10,
  Float64 = 11,
  BFloat16 = 12,
  Complex64 = 13,
};

std::optional<DType> dtype_from_code(int32_t code);
std::optional<DType> dtype_from_name(std::string_view name);
size_t dtype_size(DType dtype);
std::string_view dtype_name(DType dtype);  // MLX Python spelling: "float32"
bool is_floating(DType dtype);               // float16/32/64, bfloat16
bool is_signed_integer(DType dtype);
bool is_unsigned_integer(DType dtype);
bool is_integral(DType dtype);  // bool or an integer type

}  // namespace mlx_onnx
