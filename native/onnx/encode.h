#pragma once
// ONNX protobuf messages (onnx.proto field numbers) for the Model structure.
#include <cstdint>
#include <string>

#include "onnx/model.h"
#include "onnx/protobuf.h"

namespace mlx_onnx::onnx {

// Where a tensor's bytes go: inline raw_data, or a range of the external data file.
struct TensorPlacement {
  bool external = false;
  std::string location;
  uint64_t offset = 0;
};

ProtoMessage encode_tensor(const Tensor& tensor, const TensorPlacement& placement);

// `placements` has one entry per initializer.
ProtoMessage encode_model(const Model& model, const std::vector<TensorPlacement>& placements);

}  // namespace mlx_onnx::onnx
