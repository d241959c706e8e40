#include "graph/graph.h"

#include <string>
#include <type_traits>

#include "graph/error.h"

namespace mlx_onnx {
namespace {

template <typename T>
constexpr const char* kind_of() {
  if constexpr (std::is_same_v<T, int64_t>) return "an integer";
  else if constexpr (std::is_same_v<T, double>) return "a number";
  else if constexpr (std::is_same_v<T, bool>) return "a bool";
  else if constexpr (std::is_same_v<T, DType>) return "a dtype";
  else if constexpr (std::is_same_v<T, std::vector<int64_t>>) return "a list of integers";
  else return "a string";
}

}  // namespace

template <typename T>
const T* Node::find_attr(std::string_view name) const {
  for (const NamedAttr& a : attrs) {
    if (a.name == name) return std::get_if<T>(&a.value);
  }
  return nullptr;
}

template <typename T>
const T& Node::attr(std::string_view name) const {
  if (const T* value = find_attr<T>(name)) return *value;
  fail(ErrorCode::InvalidInput, op + ": state field '" + std::string(name) + "' is missing or is not " + kind_of<T>());
}

template const int64_t& Node::attr<int64_t>(std::string_view) const;
template const double& Node::attr<double>(std::string_view) const;
template const bool& Node::attr<bool>(std::string_view) const;
template const DType& Node::attr<DType>(std::string_view) const;
template const std::vector<int64_t>& Node::attr<std::vector<int64_t>>(std::string_view) const;
template const std::string& Node::attr<std::string>(std::string_view) const;
template const std::vector<int64_t>* Node::find_attr<std::vector<int64_t>>(std::string_view) const;
template const std::string* Node::find_attr<std::string>(std::string_view) const;

bool Value::fixed(size_t begin, size_t end) const {
  for (size_t axis = begin; axis < end; ++axis) {
    if (is_dynamic(axis)) return false;
  }
  return true;
}

ValueId Graph::add_value(Shape shape, DType dtype) {
  values.push_back(Value{std::move(shape), dtype});
  return static_cast<ValueId>(values.size() - 1);
}

const Constant* Graph::constant(ValueId id) const {
  for (const Constant& c : constants) {
    if (c.value == id) return &c;
  }
  return nullptr;
}

const Shape* Graph::shape_in_trace(size_t t, ValueId id) const {
  if (t == 0) return id < values.size() ? &values[id].shape : nullptr;
  if (t > other_trace_shapes.size() || id >= other_trace_shapes[t - 1].size()) return nullptr;
  return &other_trace_shapes[t - 1][id];
}

std::map<std::string, int> Graph::op_histogram() const {
  std::map<std::string, int> histogram;
  for (const auto& node : nodes) histogram[node.op]++;
  return histogram;
}

int64_t element_count(const Shape& shape) {
  int64_t count = 1;
  for (auto dim : shape) count *= dim;
  return count;
}

}  // namespace mlx_onnx
