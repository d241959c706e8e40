#pragma once
// The converter's intermediate form: one trace of an MLX function as values and
// primitive nodes. Constants are views into memory owned by `storage` (for `.mlxfn`
// files, the mapped file), never copies.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "graph/dtype.h"

namespace mlx_onnx {

using Shape = std::vector<int64_t>;
using ValueId = uint32_t;

struct Value {
  Shape shape;
  DType dtype = DType::Float32;
  // Per dimension, in shapeless graphs: true where the size may differ from `shape` at run
  // time (it follows a symbolic input dimension); empty means every size is as recorded
  // (see passes/dynamic_dims).
  std::vector<bool> dynamic;

  bool is_dynamic(size_t axis) const { return axis < dynamic.size() && dynamic[axis]; }
  // True when every size in [begin, end) is as recorded.
  bool fixed(size_t begin, size_t end) const;
  bool fixed() const { return fixed(0, shape.size()); }
};

// One field of a primitive's state, as MLX's `state()` gives it (see capture/
// primitive_states.cpp for each primitive's fields). Enums arrive as integers.
using Attr = std::variant<std::monostate, bool, int64_t, double, DType, std::vector<int64_t>,
                          std::string>;

// A state field under MLX's name for it: text of static storage (the state table's, or
// a literal of the pass that made the node).
struct NamedAttr {
  std::string_view name;
  Attr value;
};

struct Node {
  std::string op;  // MLX primitive name, e.g. "Add", "Reduce"
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  std::vector<NamedAttr> attrs;
  bool on_gpu = false;  // recorded on a GPU stream

  // The state field `name` as T: int64_t (integers and enums), double, bool, DType,
  // std::vector<int64_t> (shapes, axes, lists) or std::string. A missing field, or one of
  // another type, fails with ERR_INVALID_INPUT naming the primitive and the field.
  template <typename T>
  const T& attr(std::string_view name) const;
  // The field `name` as T, or nullptr when the node has none (fields passes add).
  template <typename T>
  const T* find_attr(std::string_view name) const;
};

struct Constant {
  ValueId value;
  const uint8_t* data;  // row-major bytes, `nbytes` long, owned by Graph::storage
  size_t nbytes;
  // Set when the bytes are of this float dtype rather than the value's: a cast that is
  // done as the bytes are written (passes/cast_floats).
  std::optional<DType> cast_from = std::nullopt;
};

struct Graph {
  std::vector<Value> values;
  std::vector<ValueId> inputs;
  std::vector<std::string> input_names;
  size_t keyword_inputs = 0;  // the last inputs are keyword arguments
  // Symbolic dimension names of each input ("" = fixed); only for shapeless graphs.
  std::vector<std::vector<std::string>> input_dim_params;
  std::vector<ValueId> outputs;
  std::vector<std::string> output_names;
  std::vector<Node> nodes;  // topological order
  std::vector<Constant> constants;
  bool shapeless = false;
  std::shared_ptr<const void> storage;  // keeps constant bytes alive
  // What the passes could not keep as asked (e.g. a symbolic dimension made fixed), for the report.
  std::vector<std::string> warnings;
  // Shapeless graphs: read at run time the reshape sizes MLX recorded at the traced value of
  // one varying input dimension (passes/dynamic_dims), instead of fixing that dimension.
  bool recover_baked_sizes = false;
  // Graphs merged from several traces (passes/merge_traces): each value's shape in every
  // trace after the first, by ValueId; values passes add later have none.
  std::vector<std::vector<Shape>> other_trace_shapes;

  ValueId add_value(Shape shape, DType dtype);
  const Value& value(ValueId id) const { return values.at(id); }
  // The constant holding `id`, or nullptr if it is not a constant.
  const Constant* constant(ValueId id) const;
  // The shape of `id` in trace `t` of a merged graph (0: this one), or nullptr when unknown.
  const Shape* shape_in_trace(size_t t, ValueId id) const;
  // How many times each primitive occurs, by name.
  std::map<std::string, int> op_histogram() const;
};

int64_t element_count(const Shape& shape);

}  // namespace mlx_onnx
