#pragma once
// Reads MLX's `.mlxfn` function-export files (MLX 0.32.1 to 0.32.4) into Graphs, one per
// trace, without MLX: files recorded on an Apple GPU stream read the same as CPU ones,
// and every size, count, id and enum is checked before use.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mlx_onnx {

struct MlxfnFile {
  std::string version;  // the MLX version that wrote the file
  bool shapeless = false;
  std::string metadata;
  std::vector<Graph> traces;
};

// Limits on untrusted files (documented in the README, "Security and limits").
constexpr uint64_t kMaxRank = 64;
// Elements of one array: sizes and byte counts computed from shapes stay far from int64 overflow.
constexpr int64_t kMaxElements = int64_t{1} << 48;
constexpr uint64_t kMaxTraces = 4096;
constexpr uint64_t kMaxStringBytes = 1 << 24;

MlxfnFile read_mlxfn(const std::string& path);

// `storage` owns `bytes`; constants of the returned graphs point into it.
MlxfnFile parse_mlxfn(std::span<const uint8_t> bytes, std::shared_ptr<const void> storage,
                      const std::string& source);

}  // namespace mlx_onnx
