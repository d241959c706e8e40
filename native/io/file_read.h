#pragma once
// Reading files by descriptor, for the readers that do not go through a mapping (header
// checks, the writer's copies of weights).
#include <cstddef>
#include <cstdint>
#include <string>

namespace mlx_onnx {

// Opens `path` for reading; it must be a regular file. Sets `size`; throws ERR_IO.
int open_regular_file(const std::string& path, uint64_t& size);

// Reads exactly `size` bytes at `offset`; false with errno set on failure (EIO when the
// file ends first).
bool read_fully(int fd, uint8_t* into, size_t size, uint64_t offset);

}  // namespace mlx_onnx
