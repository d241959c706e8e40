#pragma once
// Protocol-buffer encoding as a list of chunks: small owned bytes, and borrowed views
// for tensor data, so a message with gigabytes of weights is encoded without copying them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph/cancel.h"
#include "onnx/file_sink.h"

namespace mlx_onnx::onnx {

class ProtoMessage {
 public:
  void varint(int field, uint64_t value);
  void fixed32(int field, uint32_t value);
  void bytes(int field, std::string_view value);
  // Not copied; with a conversion, `size` is the converted size.
  void borrowed_bytes(int field, const uint8_t* data, size_t size, ElementConversion conversion = {});
  void packed_varints(int field, const std::vector<int64_t>& values);
  void message(int field, ProtoMessage&& child);

  size_t size() const { return size_; }
  // Writes every chunk in order, checking `cancel` between chunks; false on a write
  // error (errno is set).
  bool write_to(FileSink& out, const Cancel& cancel) const;

 private:
  struct Chunk {
    std::string owned;
    const uint8_t* borrowed = nullptr;
    size_t borrowed_size = 0;
    ElementConversion conversion;
  };
  std::string& tail();
  void raw_varint(uint64_t value);
  void tag(int field, int wire_type);

  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

}  // namespace mlx_onnx::onnx
