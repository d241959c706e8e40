#include "io/mapped_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/file_read.h"
#include "graph/error.h"

namespace mlx_onnx {

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path) {
  uint64_t file_size = 0;
  int fd = open_regular_file(path, file_size);
  auto size = static_cast<size_t>(file_size);
  const uint8_t* data = nullptr;
  if (size > 0) {
    void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      fail(ErrorCode::Io, "cannot map " + path + ": " + std::strerror(err));
    }
    data = static_cast<const uint8_t*>(mapped);
    // Parsed front to back; no read-ahead of the whole file, whose weights mostly go
    // file to file without being mapped in.
    ::madvise(mapped, size, MADV_SEQUENTIAL);
  }
  return std::shared_ptr<MappedFile>(new MappedFile(fd, data, size));
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  ::close(fd_);
}

}  // namespace mlx_onnx
