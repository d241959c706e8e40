#include "graph/graph.h"

#include <string>

#include "graph/error.h"

namespace mlx_onnx {
namespace {

template <typename T>
const T& attr_as(const Node& node, size_t i, const char* kind) {
  if (i >= node.attrs.size() || !std::holds_alternative<T>(node.attrs[i])) {
    fail(ErrorCode::InvalidInput, node.op + ": state field " + std::to_string(i) +
                                      " is missing or is not " + kind);
  }
  return std::get<T>(node.attrs[i]);
}

}  // namespace

int64_t Node::int_attr(size_t i) const { return attr_as<int64_t>(*this, i, "an integer"); }
double Node::float_attr(size_t i) const { return attr_as<double>(*this, i, "a number"); }
bool Node::bool_attr(size_t i) const { return attr_as<bool>(*this, i, "a bool"); }
DType Node::dtype_attr(size_t i) const { return attr_as<DType>(*this, i, "a dtype"); }
const std::vector<int64_t>& Node::ints_attr(size_t i) const {
  return attr_as<std::vector<int64_t>>(*this, i, "a list of integers");
}

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
