#pragma once
// Tensor bytes that change element type on their way to the file, converted a chunk at
// a time as they are written (a cast model's weights are never all held in memory).
#include <cstddef>
#include <cstdint>

namespace mlx_onnx::onnx {

struct ElementConversion {
  // Converts `count` elements of `from_size` bytes at `in` to `to_size` bytes at `out`;
  // none when nullptr.
  void (*convert)(const uint8_t* in, uint8_t* out, size_t count) = nullptr;
  size_t from_size = 0;
  size_t to_size = 0;

  explicit operator bool() const { return convert != nullptr; }
  // Bytes read for `written` bytes of output.
  size_t source_bytes(size_t written) const { return written / to_size * from_size; }
};

}  // namespace mlx_onnx::onnx
