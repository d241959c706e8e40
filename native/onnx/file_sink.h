#pragma once
// Buffered writing to a file descriptor. Bytes that are a range of a source file (a
// mapped .mlxfn) are copied file to file inside the kernel (copy_file_range): they are
// not faulted into this process nor copied through user memory, which is what makes an
// export run at the speed of `cp`.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "onnx/element_conversion.h"

namespace mlx_onnx::onnx {

// A file whose read-only mapping tensors may view (none when `fd` is -1).
struct SourceFile {
  std::span<const uint8_t> mapped;
  int fd = -1;
};

class FileSink {
 public:
  FileSink(int fd, SourceFile source);
  // Each returns false on a write error, with errno set.
  bool write(const void* data, size_t size);
  // Bytes from anywhere; copied from the source file when they lie in its mapping.
  bool write_view(const uint8_t* data, size_t size);
  // `size` bytes of output converted from the elements at `data` (anywhere, as above).
  bool write_converted(const uint8_t* data, size_t size, const ElementConversion& conversion);
  bool flush();

 private:
  bool write_all(const uint8_t* data, size_t size);
  // Where `size` bytes at `data` lie in the source file, if they do.
  std::optional<uint64_t> source_offset(const uint8_t* data, size_t size) const;
  // Reads source bytes into scratch_; false with errno set.
  bool read_source(uint64_t offset, size_t size);
  // False with errno set on a real error; sets copy_unsupported_ when the kernel or
  // filesystem cannot copy between these files (then reads and writes take over).
  bool copy_from_source(uint64_t offset, size_t size, size_t& copied);

  int fd_;
  SourceFile source_;
  bool copy_unsupported_ = false;
  std::vector<uint8_t> buffer_;
  std::vector<uint8_t> scratch_;
};

}  // namespace mlx_onnx::onnx
