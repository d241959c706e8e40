#pragma once
// A read-only memory map of a whole file. Constants read from `.mlxfn` files stay
// views into it, so their bytes go from the page cache to the ONNX file once.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace mlx_onnx {

class MappedFile {
 public:
  static std::shared_ptr<MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_;
  size_t size_;
};

}  // namespace mlx_onnx
