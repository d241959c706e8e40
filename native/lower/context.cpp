#include "lower/context.h"

#include <cmath>
#include <cstring>
#include <limits>

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

namespace {

template <typename T>
std::vector<uint8_t> bytes_of(T value) {
  std::vector<uint8_t> bytes(sizeof(T));
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

// A value from a file as an integer of type T: NaN is 0, values beyond T's range take its
// nearest end (a plain cast of those is undefined behaviour).
template <typename T>
T saturated(double value) {
  if (std::isnan(value)) return 0;
  if (value <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  if (value >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(value);
}

uint32_t float_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

// float32 -> bfloat16, rounding to nearest even (NaN kept quiet).
uint16_t to_bfloat16(float f) {
  uint32_t bits = float_bits(f);
  if ((bits & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((bits >> 16) | 0x40);
  return static_cast<uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

// float32 -> IEEE half, rounding to nearest even, with subnormals and overflow to inf.
uint16_t to_float16(float f) {
  uint32_t bits = float_bits(f);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00;                  // NaN
  if (abs >= 0x477ff000) return sign | 0x7c00;                 // overflow (incl. inf)
  if (abs < 0x38800000) {                                      // subnormal or zero
    float magnitude;
    std::memcpy(&magnitude, &abs, 4);
    return sign | static_cast<uint16_t>(std::nearbyint(magnitude * 16777216.0f));
  }
  uint32_t rounded = abs + 0xfff + ((abs >> 13) & 1);
  return sign | static_cast<uint16_t>((rounded - 0x38000000) >> 13);
}

}  // namespace

std::vector<uint8_t> scalar_bytes(DType dtype, double value) {
  switch (dtype) {
    case DType::Bool: return bytes_of<uint8_t>(value != 0);
    case DType::UInt8: return bytes_of(saturated<uint8_t>(value));
    case DType::UInt16: return bytes_of(saturated<uint16_t>(value));
    case DType::UInt32: return bytes_of(saturated<uint32_t>(value));
    case DType::UInt64: return bytes_of(saturated<uint64_t>(value));
    case DType::Int8: return bytes_of(saturated<int8_t>(value));
    case DType::Int16: return bytes_of(saturated<int16_t>(value));
    case DType::Int32: return bytes_of(saturated<int32_t>(value));
    case DType::Int64: return bytes_of(saturated<int64_t>(value));
    case DType::Float16: return bytes_of(to_float16(static_cast<float>(value)));
    case DType::Float32: return bytes_of(static_cast<float>(value));
    case DType::Float64: return bytes_of(value);
    case DType::BFloat16: return bytes_of(to_bfloat16(static_cast<float>(value)));
    case DType::Complex64: return bytes_of(std::pair<float, float>(static_cast<float>(value), 0.0f));
  }
  return {};
}

Context::Context(const Graph& graph, onnx::Model& model, int opset, Target target)
    : graph_(graph), model_(model), opset_(opset), target_(target), names_(graph.values.size()) {
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
  return emit_in_domain("", op, std::move(inputs), n_outputs, std::move(attributes), std::move(outputs));
}

std::vector<std::string> Context::emit_in_domain(const std::string& domain, const std::string& op,
                                                 std::vector<std::string> inputs, size_t n_outputs,
                                                 std::vector<onnx::Attribute> attributes,
                                                 std::vector<std::string> outputs) {
  bool imported = false;
  for (const auto& opset : model_.opsets) imported = imported || opset.domain == domain;
  if (!imported) model_.opsets.push_back({domain, 1});
  while (outputs.size() < n_outputs) outputs.push_back(fresh(op));
  onnx::Node node;
  node.op_type = op;
  node.name = fresh("n_" + op);
  node.inputs = std::move(inputs);
  node.outputs = outputs;
  node.attributes = std::move(attributes);
  node.domain = domain;
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
  std::vector<uint8_t> bytes = scalar_bytes(dtype, value);
  std::string n = fresh("const_" + std::string(dtype_name(dtype)));
  model_.initializers.push_back(onnx::owned_tensor(n, elem_type(dtype), {}, bytes.data(), bytes.size()));
  return n;
}

std::string Context::dims(ValueId v, int64_t begin, int64_t end) {
  const Shape& shape = graph_.value(v).shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (begin < 0 || begin > end || end > rank) {
    fail(ErrorCode::InvalidInput, "dimensions [" + std::to_string(begin) + ", " + std::to_string(end) +
                                      ") are out of range for a value of rank " + std::to_string(rank));
  }
  if (!graph_.shapeless) return int64s(Shape(shape.begin() + begin, shape.begin() + end));
  return emit("Shape", {name(v)}, {{"start", begin}, {"end", end}});
}

std::string Context::cast(const std::string& x, DType to, std::string output) {
  return emit("Cast", {x}, {{"to", int64_t{static_cast<int32_t>(elem_type(to))}}}, std::move(output));
}

}  // namespace mlx_onnx::lower
