#include "lower/context.h"

#include <cstring>

#include "graph/error.h"

namespace mlx_onnx::lower {

onnx::ElemType elem_type(DType dtype) {
  using E = onnx::ElemType;
  switch (dtype) {
    case DType::Bool: return E::Bool;
    case DType::UInt8: return E::UInt8;
    case DType::UInt16: return E::UInt16;
    case DType::UInt32: return E::UInt32;
    case DType::UInt64: return E::UInt64;
    case DType::Int8: return E::Int8;
    case DType::Int16: return E::Int16;
    case DType::Int32: return E::Int32;
    case DType::Int64: return E::Int64;
    case DType::Float16: return E::Float16;
    case DType::Float32: return E::Float;
    case DType::Float64: return E::Double;
    case DType::BFloat16: return E::BFloat16;
    case DType::Complex64: return E::Complex64;
  }
  return E::Undefined;
}

Context::Context(const Graph& graph, onnx::Model& model, int opset)
    : graph_(graph), model_(model), opset_(opset), names_(graph.values.size()) {
  for (size_t v = 0; v < names_.size(); ++v) names_[v] = "v" + std::to_string(v);
}

std::string Context::fresh(const std::string& prefix) {
  return prefix + "_" + std::to_string(counter_++);
}

std::string Context::emit(const std::string& op, std::vector<std::string> inputs,
                          std::vector<onnx::Attribute> attributes, std::string output) {
  std::vector<std::string> outputs;
  if (!output.empty()) outputs.push_back(std::move(output));
  return emit_multi(op, std::move(inputs), 1, std::move(attributes), std::move(outputs)).front();
}

std::vector<std::string> Context::emit_multi(const std::string& op, std::vector<std::string> inputs,
                                             size_t n_outputs, std::vector<onnx::Attribute> attributes,
                                             std::vector<std::string> outputs) {
  while (outputs.size() < n_outputs) outputs.push_back(fresh(op));
  onnx::Node node;
  node.op_type = op;
  node.name = fresh("n_" + op);
  node.inputs = std::move(inputs);
  node.outputs = outputs;
  node.attributes = std::move(attributes);
  model_.nodes.push_back(std::move(node));
  return outputs;
}

std::string Context::int64s(const std::vector<int64_t>& values) {
  std::string n = fresh("const_i64");
  model_.initializers.push_back(onnx::owned_tensor(n, onnx::ElemType::Int64,
                                                   {static_cast<int64_t>(values.size())},
                                                   values.data(), values.size() * 8));
  return n;
}

std::string Context::int64_scalar(int64_t value) {
  std::string n = fresh("const_i64");
  model_.initializers.push_back(onnx::owned_tensor(n, onnx::ElemType::Int64, {}, &value, 8));
  return n;
}

std::string Context::scalar(DType dtype, double value) {
  // Made as float64 and cast, so every dtype (bfloat16, float16) gets MLX's rounding.
  std::string n = fresh("const_f64");
  model_.initializers.push_back(onnx::owned_tensor(n, onnx::ElemType::Double, {}, &value, 8));
  if (dtype == DType::Float64) return n;
  return cast(n, dtype);
}

std::string Context::cast(const std::string& x, DType to, std::string output) {
  return emit("Cast", {x}, {{"to", int64_t{static_cast<int32_t>(elem_type(to))}}}, std::move(output));
}

}  // namespace mlx_onnx::lower
