#pragma once
// Writes a Model to disk: protobuf encoding with tensor bytes streamed from where they
// live, external data where asked or needed, and an atomic result (temporary files in the
// target folder, renamed at the end; a failure leaves nothing behind).
#include <cstdint>
#include <string>

#include "graph/cancel.h"
#include "onnx/file_sink.h"
#include "onnx/model.h"

namespace mlx_onnx::onnx {

enum class ExternalData { Auto, Always, Never };

struct WriteOptions {
  ExternalData external_data = ExternalData::Auto;
  // Tensors smaller than this stay inside the .onnx even when data goes external.
  size_t external_threshold = 1024;
  // The file that tensor views point into, copied from file to file when it can be.
  SourceFile source;
  // Syncs the files and their folder to the disk before returning (fsync).
  // Without it the result is still atomic: it appears complete or not at all.
  bool durable = false;
  Cancel cancel;
};

struct WrittenFiles {
  std::string model_path;
  std::string data_path;  // empty when everything is inline
  uint64_t model_bytes = 0;
  uint64_t data_bytes = 0;
};

// A protobuf message may not pass 2 GiB; past this, Auto moves tensors out.
constexpr uint64_t kInlineLimit = (uint64_t{1} << 31) - (uint64_t{64} << 20);

WrittenFiles write_model(const Model& model, const std::string& path, const WriteOptions& options);

}  // namespace mlx_onnx::onnx
