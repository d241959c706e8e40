#include "lower/context.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "graph/error.h"
#include "graph/float_cast.h"

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
    case DType::Float16: return bytes_of(float16_bits(static_cast<float>(value)));
    case DType::Float32: return bytes_of(static_cast<float>(value));
    case DType::Float64: return bytes_of(value);
    case DType::BFloat16: return bytes_of(bfloat16_bits(static_cast<float>(value)));
    case DType::Complex64: return bytes_of(std::pair<float, float>(static_cast<float>(value), 0.0f));
  }
  return {};
}

Context::Context(const Graph& graph, onnx::Model& model, int opset, Target target)
    : graph_(graph), model_(model), opset_(opset), target_(target), names_(graph.values.size()) {
  for (size_t v = 0; v < names_.size(); ++v) names_[v] = "v" + std::to_string(v);
}

void Context::warn(const std::string& message) {
  auto& warnings = model_.warnings;
  if (std::find(warnings.begin(), warnings.end(), message) == warnings.end()) warnings.push_back(message);
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

std::string Context::constant_view(ValueId v, onnx::ElemType type, std::vector<int64_t> dims) {
  const Constant* c = graph_.constant(v);
  // Bytes the writer converts (a cast constant) are not the value's bytes yet.
  if (!c || c->cast_from) return "";
  onnx::Tensor t;
  t.name = fresh(name(v) + "_view");
  t.type = type;
  t.dims = std::move(dims);
  t.data = c->data;
  t.nbytes = c->nbytes;
  t.owner = graph_.storage;
  model_.initializers.push_back(std::move(t));
  return model_.initializers.back().name;
}

std::string Context::dims(ValueId v, int64_t begin, int64_t end) {
  const Shape& shape = graph_.value(v).shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (begin < 0 || begin > end || end > rank) {
    fail(ErrorCode::InvalidInput, "dimensions [" + std::to_string(begin) + ", " + std::to_string(end) +
                                      ") are out of range for a value of rank " + std::to_string(rank));
  }
  if (graph_.value(v).fixed(begin, end)) return int64s(Shape(shape.begin() + begin, shape.begin() + end));
  // Read once: every rule that needs these sizes shares the Shape node.
  std::string& read = shared("dims " + std::to_string(v) + " " + std::to_string(begin) + " " + std::to_string(end));
  if (read.empty()) read = emit("Shape", {name(v)}, {{"start", begin}, {"end", end}});
  return read;
}

std::string Context::size_of(const SizeExpr& expr) {
  std::string& computed = shared("size " + [&] {
    std::string key;
    for (int64_t v : encode_sizes({{0, expr}})) key += std::to_string(v) + ",";
    return key;
  }());
  if (computed.empty()) computed = compute_size(expr);
  return computed;
}

std::string Context::compute_size(const SizeExpr& expr) {
  std::string size;
  for (const SizeTerm& term : expr.terms) {
    std::string product = term.factor == 1 && !term.dims.empty() ? "" : int64s({term.factor});
    for (auto [value, axis] : term.dims) {
      if (value >= graph_.values.size()) fail(ErrorCode::InvalidInput, "a run-time size reads array " + std::to_string(value) + ", which does not exist");
      int64_t a = static_cast<int64_t>(axis);
      std::string dim = dims(static_cast<ValueId>(value), a, a + 1);
      product = product.empty() ? dim : emit("Mul", {product, dim});
    }
    size = size.empty() ? product : emit("Add", {size, product});
  }
  if (size.empty()) return int64s({expr.offset});
  return expr.offset == 0 ? size : emit("Add", {size, int64s({expr.offset})});
}

std::string Context::sizes_with(const Node& node, std::string_view attr, const std::vector<int64_t>& sizes) {
  const auto* flat = node.find_attr<std::vector<int64_t>>(attr);
  if (!flat) return "";
  // Shared by every node of the same target (each layer's q, k and v reshapes).
  std::string key = "sizes";
  for (const auto* list : {flat, &sizes}) {
    key += " ";
    for (int64_t v : *list) key += std::to_string(v) + ",";
  }
  std::string& shape = shared(key);
  if (!shape.empty()) return shape;
  std::vector<std::string> entries;
  for (int64_t size : sizes) entries.push_back(int64s({size}));
  for (const auto& [index, expr] : decode_sizes(*flat)) {
    if (index >= entries.size()) fail(ErrorCode::InvalidInput, node.op + ": a run-time size of entry " + std::to_string(index) + " out of range");
    entries[index] = size_of(expr);
  }
  return shape = emit("Concat", entries, {{"axis", int64_t{0}}});
}

std::string Context::reshape_target(ValueId out, size_t copied) {
  const Value& value = graph_.value(out);
  std::vector<int64_t> target = value.shape;
  bool inferred = false;
  for (size_t axis = 0; axis < target.size(); ++axis) {
    if (!value.is_dynamic(axis)) {
      if (target[axis] == 0) return "";  // 0 would copy the input's size
      continue;
    }
    if (axis < copied) {
      target[axis] = 0;
    } else if (!inferred) {
      target[axis] = -1;
      inferred = true;
    } else {
      return "";
    }
  }
  return int64s(target);
}

std::string Context::shape_around(const std::vector<int64_t>& head, ValueId v, int64_t begin, int64_t end,
                                  const std::vector<int64_t>& tail) {
  if (graph_.value(v).fixed(begin, end)) {
    const Shape& shape = graph_.value(v).shape;
    std::vector<int64_t> all = head;
    all.insert(all.end(), shape.begin() + begin, shape.begin() + end);
    all.insert(all.end(), tail.begin(), tail.end());
    return int64s(all);
  }
  std::vector<std::string> parts;
  if (!head.empty()) parts.push_back(int64s(head));
  parts.push_back(dims(v, begin, end));
  if (!tail.empty()) parts.push_back(int64s(tail));
  return parts.size() == 1 ? parts[0] : emit("Concat", parts, {{"axis", int64_t{0}}});
}

std::string Context::constant(onnx::ElemType type, std::vector<int64_t> dims, const void* bytes, size_t nbytes,
                              std::string output) {
  onnx::Tensor t = onnx::owned_tensor(fresh("tensor"), type, std::move(dims), bytes, nbytes);
  return emit("Constant", {}, {{"value", std::move(t)}}, std::move(output));
}

std::string Context::initializer(onnx::ElemType type, std::vector<int64_t> dims, std::vector<uint8_t> bytes) {
  auto owned = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  onnx::Tensor t;
  t.name = fresh("weight");
  t.type = type;
  t.dims = std::move(dims);
  t.data = owned->data();
  t.nbytes = owned->size();
  t.owner = owned;
  model_.initializers.push_back(std::move(t));
  return model_.initializers.back().name;
}

std::string Context::uint32s(const std::vector<uint32_t>& values) {
  return constant(onnx::ElemType::UInt32, {static_cast<int64_t>(values.size())}, values.data(), values.size() * 4);
}

std::string Context::cast(const std::string& x, DType to, std::string output) {
  return emit("Cast", {x}, {{"to", int64_t{static_cast<int32_t>(elem_type(to))}}}, std::move(output));
}

std::string Context::operand_as(const Node& node, size_t i, DType to) {
  return in_value(node, i).dtype == to ? in(node, i) : cast(in(node, i), to);
}

}  // namespace mlx_onnx::lower
