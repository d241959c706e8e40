#include "onnx/encode.h"

#include <cstring>

namespace mlx_onnx::onnx {
namespace {

// onnx.proto field numbers
namespace model_field { enum { kIrVersion = 1, kProducerName = 2, kProducerVersion = 3, kGraph = 7, kOpset = 8, kMetadata = 14 }; }
namespace graph_field { enum { kNode = 1, kName = 2, kInitializer = 5, kInput = 11, kOutput = 12 }; }
namespace node_field { enum { kInput = 1, kOutput = 2, kName = 3, kOpType = 4, kAttribute = 5, kDomain = 7 }; }
namespace attr_field { enum { kName = 1, kF = 2, kI = 3, kS = 4, kT = 5, kFloats = 7, kInts = 8, kType = 20 }; }
namespace attr_type { enum { kFloat = 1, kInt = 2, kString = 3, kTensor = 4, kFloats = 6, kInts = 7 }; }
namespace tensor_field { enum { kDims = 1, kDataType = 2, kName = 8, kRawData = 9, kExternalData = 13, kDataLocation = 14 }; }

ProtoMessage key_value(const std::string& key, const std::string& value) {
  ProtoMessage entry;
  entry.bytes(1, key);
  entry.bytes(2, value);
  return entry;
}

uint32_t float_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

ProtoMessage encode_attribute(const Attribute& attr) {
  ProtoMessage m;
  m.bytes(attr_field::kName, attr.name);
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          m.varint(attr_field::kI, static_cast<uint64_t>(v));
          m.varint(attr_field::kType, attr_type::kInt);
        } else if constexpr (std::is_same_v<T, float>) {
          m.fixed32(attr_field::kF, float_bits(v));
          m.varint(attr_field::kType, attr_type::kFloat);
        } else if constexpr (std::is_same_v<T, std::string>) {
          m.bytes(attr_field::kS, v);
          m.varint(attr_field::kType, attr_type::kString);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          for (int64_t i : v) m.varint(attr_field::kInts, static_cast<uint64_t>(i));
          m.varint(attr_field::kType, attr_type::kInts);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          for (float f : v) m.fixed32(attr_field::kFloats, float_bits(f));
          m.varint(attr_field::kType, attr_type::kFloats);
        } else {
          m.message(attr_field::kT, encode_tensor(v, TensorPlacement{}));
          m.varint(attr_field::kType, attr_type::kTensor);
        }
      },
      attr.value);
  return m;
}

ProtoMessage encode_node(const Node& node) {
  ProtoMessage m;
  for (const auto& in : node.inputs) m.bytes(node_field::kInput, in);
  for (const auto& out : node.outputs) m.bytes(node_field::kOutput, out);
  if (!node.name.empty()) m.bytes(node_field::kName, node.name);
  m.bytes(node_field::kOpType, node.op_type);
  for (const auto& attr : node.attributes) m.message(node_field::kAttribute, encode_attribute(attr));
  if (!node.domain.empty()) m.bytes(node_field::kDomain, node.domain);
  return m;
}

ProtoMessage encode_value_info(const ValueInfo& info) {
  ProtoMessage shape;
  for (const auto& dim : info.dims) {
    ProtoMessage d;
    if (!dim.param.empty()) d.bytes(2, dim.param);
    else if (dim.value >= 0) d.varint(1, static_cast<uint64_t>(dim.value));
    shape.message(1, std::move(d));
  }
  ProtoMessage tensor_type;
  tensor_type.varint(1, static_cast<uint64_t>(info.type));
  tensor_type.message(2, std::move(shape));
  ProtoMessage type;
  type.message(1, std::move(tensor_type));
  ProtoMessage m;
  m.bytes(1, info.name);
  m.message(2, std::move(type));
  return m;
}

}  // namespace

ProtoMessage encode_tensor(const Tensor& tensor, const TensorPlacement& placement) {
  ProtoMessage m;
  m.packed_varints(tensor_field::kDims, tensor.dims);
  m.varint(tensor_field::kDataType, static_cast<uint64_t>(tensor.type));
  m.bytes(tensor_field::kName, tensor.name);
  if (placement.external) {
    m.message(tensor_field::kExternalData, key_value("location", placement.location));
    m.message(tensor_field::kExternalData, key_value("offset", std::to_string(placement.offset)));
    m.message(tensor_field::kExternalData, key_value("length", std::to_string(tensor.nbytes)));
    m.varint(tensor_field::kDataLocation, 1);
  } else {
    m.borrowed_bytes(tensor_field::kRawData, tensor.data, tensor.nbytes, tensor.conversion);
  }
  return m;
}

ProtoMessage encode_model(const Model& model, const std::vector<TensorPlacement>& placements) {
  ProtoMessage graph;
  for (const auto& node : model.nodes) graph.message(graph_field::kNode, encode_node(node));
  graph.bytes(graph_field::kName, model.graph_name);
  for (size_t i = 0; i < model.initializers.size(); ++i) {
    graph.message(graph_field::kInitializer, encode_tensor(model.initializers[i], placements[i]));
  }
  for (const auto& in : model.inputs) graph.message(graph_field::kInput, encode_value_info(in));
  for (const auto& out : model.outputs) graph.message(graph_field::kOutput, encode_value_info(out));

  ProtoMessage m;
  m.varint(model_field::kIrVersion, static_cast<uint64_t>(model.ir_version));
  m.bytes(model_field::kProducerName, model.producer_name);
  if (!model.producer_version.empty()) m.bytes(model_field::kProducerVersion, model.producer_version);
  m.message(model_field::kGraph, std::move(graph));
  for (const auto& opset : model.opsets) {
    ProtoMessage o;
    if (!opset.domain.empty()) o.bytes(1, opset.domain);
    o.varint(2, static_cast<uint64_t>(opset.version));
    m.message(model_field::kOpset, std::move(o));
  }
  for (const auto& [key, value] : model.metadata) m.message(model_field::kMetadata, key_value(key, value));
  return m;
}

}  // namespace mlx_onnx::onnx
