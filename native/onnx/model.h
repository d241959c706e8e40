#pragma once
// An ONNX model as plain data: what lowering produces and the writer serializes.
// Initializer bytes are borrowed views (MLX memory, a mapped file) or owned small
// buffers, never copies of large weights.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "onnx/element_conversion.h"

namespace mlx_onnx::onnx {

// TensorProto.DataType
enum class ElemType : int32_t {
  Undefined = 0,
  Float = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  BFloat16 = 16,
  UInt4 = 21,  // two codes per byte, the first in the low nibble
};

struct Tensor {
  std::string name;
  ElemType type = ElemType::Float;
  std::vector<int64_t> dims;
  const uint8_t* data = nullptr;  // row-major, little-endian
  size_t nbytes = 0;              // as written, after `conversion`
  // When set, `data` holds the elements in another type, converted as they are written.
  ElementConversion conversion;
  std::shared_ptr<const void> owner;  // keeps `data` alive
  // Shapes and axes that operators read at load time stay in the model, because ONNX
  // shape inference does not follow external data.
  bool inline_only = false;
};

// Makes a tensor that owns a copy of small bytes (shape vectors, scalars); it is
// always written inline.
Tensor owned_tensor(std::string name, ElemType type, std::vector<int64_t> dims,
                    const void* bytes, size_t nbytes);

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>,
                               std::vector<float>, Tensor>;

struct Attribute {
  std::string name;
  AttrValue value;
};

struct Node {
  std::string op_type;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;
  std::string name;
  std::string domain;  // "" is the default ONNX domain
};

// A dimension is fixed (value), symbolic (param), or unknown (value -1, no param).
struct Dim {
  int64_t value = 0;
  std::string param;
};

struct ValueInfo {
  std::string name;
  ElemType type = ElemType::Float;
  std::vector<Dim> dims;
};

struct OpsetImport {
  std::string domain;
  int64_t version;
};

struct Model {
  int64_t ir_version = 8;
  std::vector<OpsetImport> opsets;
  std::string producer_name = "mlx-onnx";
  std::string producer_version;
  std::string graph_name = "main";
  std::vector<Node> nodes;
  std::vector<Tensor> initializers;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<std::pair<std::string, std::string>> metadata;
  // What the conversion report should tell the user about the lowering; not written.
  std::vector<std::string> warnings;
};

}  // namespace mlx_onnx::onnx
