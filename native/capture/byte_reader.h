#pragma once
// Bounds-checked little-endian reads over untrusted bytes. Every failure is an
// ERR_INVALID_INPUT naming the byte offset.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "graph/error.h"

namespace mlx_onnx {

class ByteReader {
 public:
  ByteReader(std::span<const uint8_t> bytes, std::string source)
      : bytes_(bytes), source_(std::move(source)) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  const uint8_t* here() const { return bytes_.data() + pos_; }

  [[noreturn]] void error(const std::string& what) const {
    fail(ErrorCode::InvalidInput,
         source_ + ": " + what + " (at byte " + std::to_string(pos_) + ")");
  }

  void need(size_t n, const char* what) const {
    if (n > remaining()) {
      error(std::string("file ends inside ") + what + ": " + std::to_string(n) +
            " bytes needed, " + std::to_string(remaining()) + " left");
    }
  }

  template <typename T>
  T scalar(const char* what) {
    need(sizeof(T), what);
    T value;
    std::memcpy(&value, here(), sizeof(T));  // little-endian hosts only (as MLX)
    pos_ += sizeof(T);
    return value;
  }

  int32_t i32(const char* what) { return scalar<int32_t>(what); }
  uint64_t u64(const char* what) { return scalar<uint64_t>(what); }

  bool boolean(const char* what) {
    uint8_t byte = scalar<uint8_t>(what);
    if (byte > 1) error(std::string(what) + " is " + std::to_string(byte) + ", not a bool");
    return byte == 1;
  }

  // A count of items of at least `min_item_bytes` each, checked against what is left.
  uint64_t count(const char* what, size_t min_item_bytes, uint64_t limit) {
    size_t at = pos_;
    uint64_t n = u64(what);
    if (n > limit || (min_item_bytes > 0 && n > remaining() / min_item_bytes)) {
      pos_ = at;
      error(std::string(what) + " count " + std::to_string(n) + " is out of range");
    }
    return n;
  }

  std::string string(const char* what, uint64_t limit) {
    uint64_t n = count(what, 1, limit);
    std::string s(reinterpret_cast<const char*>(here()), n);
    pos_ += n;
    return s;
  }

  void skip(size_t n, const char* what) {
    need(n, what);
    pos_ += n;
  }

 private:
  std::span<const uint8_t> bytes_;
  std::string source_;
  size_t pos_ = 0;
};

}  // namespace mlx_onnx
