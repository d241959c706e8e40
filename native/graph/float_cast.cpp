#include "graph/float_cast.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>

namespace mlx_onnx {
namespace {

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

float float16_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  if (exponent == 0x1f) return float_of(sign | 0x7f800000u | (mantissa << 13));
  if (exponent != 0) return float_of(sign | ((exponent + 112) << 23) | (mantissa << 13));
  float magnitude = static_cast<float>(mantissa) * 0x1p-24f;  // subnormal or zero: exact
  return sign ? -magnitude : magnitude;
}

}  // namespace

// MLX's _MLX_Float16(float) (after Maratyszcza's FP16): the float additions round to
// nearest even at half precision, subnormals included.
uint16_t float16_bits(float x) {
  uint32_t u = bits_of(x);
  auto sign = static_cast<uint16_t>((u & 0x80000000u) >> 16);
  if (std::isnan(x)) return sign | 0x7D00;
  uint32_t exponent = u & 0x7f800000u;
  if (exponent < 0x38800000u) exponent = 0x38800000u;
  float magic = float_of(exponent + (15u << 23));
  magic += (std::fabs(x) * float_of(0x77800000u)) * float_of(0x08800000u);
  uint32_t m = bits_of(magic);
  return static_cast<uint16_t>(sign | (((m >> 13) & 0x7c00u) + (m & 0x0fffu)));
}

// MLX's _MLX_BFloat16(float).
uint16_t bfloat16_bits(float x) {
  if (std::isnan(x)) return 0x7FC0;
  uint32_t u = bits_of(x);
  u += ((u >> 16) & 1) + 0x7FFFu;
  return static_cast<uint16_t>(u >> 16);
}

namespace {

template <DType D>
float load(const uint8_t* p) {
  if constexpr (D == DType::Float32) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  } else if constexpr (D == DType::Float64) {
    double d;
    std::memcpy(&d, p, 8);
    constexpr double kMax = std::numeric_limits<float>::max();
    return static_cast<float>(std::isfinite(d) ? std::clamp(d, -kMax, kMax) : d);
  } else {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return D == DType::Float16 ? float16_to_float(h) : float_of(static_cast<uint32_t>(h) << 16);
  }
}

// Finite values past the target's range become its largest finite value, not infinity:
// a mask made with float32's lowest value (MLX's causal masks use finfo(dtype).min) stays
// a mask, as finfo(float16).min does in MLX's own float16 run.
template <DType D>
void store(float f, uint8_t* p) {
  if constexpr (D == DType::Float32) {
    std::memcpy(p, &f, 4);
  } else {
    uint16_t h = D == DType::Float16 ? float16_bits(f) : bfloat16_bits(f);
    uint16_t infinity = D == DType::Float16 ? 0x7c00 : 0x7f80;
    if ((h & 0x7fff) == infinity && std::isfinite(f)) h = static_cast<uint16_t>((h & 0x8000) | (infinity - 1));
    std::memcpy(p, &h, 2);
  }
}

template <DType From, DType To>
void cast(const uint8_t* in, uint8_t* out, size_t count) {
  constexpr size_t from_size = From == DType::Float64 ? 8 : From == DType::Float32 ? 4 : 2;
  constexpr size_t to_size = To == DType::Float32 ? 4 : 2;
  for (size_t i = 0; i < count; ++i) store<To>(load<From>(in + i * from_size), out + i * to_size);
}

template <DType From>
FloatCast cast_to(DType to) {
  switch (to) {
    case DType::Float16: return cast<From, DType::Float16>;
    case DType::BFloat16: return cast<From, DType::BFloat16>;
    case DType::Float32: return cast<From, DType::Float32>;
    default: return nullptr;
  }
}

}  // namespace

FloatCast float_cast(DType from, DType to) {
  if (from == to) return nullptr;
  switch (from) {
    case DType::Float16: return cast_to<DType::Float16>(to);
    case DType::BFloat16: return cast_to<DType::BFloat16>(to);
    case DType::Float32: return cast_to<DType::Float32>(to);
    case DType::Float64: return cast_to<DType::Float64>(to);
    default: return nullptr;
  }
}

}  // namespace mlx_onnx
