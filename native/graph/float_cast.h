#pragma once
// Conversion of floating-point values between dtypes as MLX's CPU casts them: through
// float32, rounding to nearest even, NaN to MLX's NaN of the target type.
#include <cstddef>
#include <cstdint>

#include "graph/dtype.h"

namespace mlx_onnx {

// One float32 value as float16 or bfloat16 bits.
uint16_t float16_bits(float value);
uint16_t bfloat16_bits(float value);

// Converts `count` elements of `in` (little-endian) into `out`; unlike MLX, finite values
// past the target's range saturate to its largest finite value (see float_cast.cpp).
using FloatCast = void (*)(const uint8_t* in, uint8_t* out, size_t count);

// nullptr unless `from` is a float dtype and `to` another one of float16, bfloat16 and
// float32.
FloatCast float_cast(DType from, DType to);

}  // namespace mlx_onnx
