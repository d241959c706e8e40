#pragma once
// A read-only memory map of a whole file, and the open file. Constants read from
// `.mlxfn` files stay views into it; the writer copies their bytes from the file to the
// ONNX file in the kernel, so the reader touches only the pages it parses.
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
  int fd() const { return fd_; }

 private:
  MappedFile(int fd, const uint8_t* data, size_t size) : fd_(fd), data_(data), size_(size) {}
  int fd_;
  const uint8_t* data_;
  size_t size_;
};

}  // namespace mlx_onnx
