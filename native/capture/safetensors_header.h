#pragma once
// Validation of a .safetensors file's header before MLX's loader sees the file: MLX
// trusts the header's offsets and sizes, so a malformed file must stop here with an
// ERR_INVALID_INPUT naming the file, the tensor and the byte offset.
//
// Layout: 8-byte little-endian header length N, N bytes of JSON, then the data section.
// The JSON is an object: tensor name -> {"dtype", "shape", "data_offsets": [begin, end]}
// (offsets relative to the data section), plus an optional "__metadata__" string map
// (or null).
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace mlx_onnx {

constexpr uint64_t kMaxSafetensorsHeaderBytes = 100 << 20;  // as the safetensors library
constexpr size_t kMaxSafetensorsRank = 64;                    // as .mlxfn files

struct SafetensorsTensor {
  std::string name;
  std::string dtype;  // "F32", "BF16", ... (those MLX loads)
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // within the data section
};

struct SafetensorsHeader {
  uint64_t data_start = 0;  // 8 + header length
  std::vector<SafetensorsTensor> tensors;
  std::map<std::string, std::string> metadata;
};

// Checks the header at the start of `head` (the file's first bytes: at least the 8-byte
// length and the header, if the file has them) against a file of `file_size` bytes.
SafetensorsHeader check_safetensors_header(std::span<const uint8_t> head, uint64_t file_size,
                                           const std::string& source);

// Reads only the header of the file at `path` and checks it (ERR_IO if it cannot be read).
SafetensorsHeader check_safetensors_file(const std::string& path);

}  // namespace mlx_onnx
