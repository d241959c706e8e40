#pragma once
// What a lowering rule sees: the MLX graph being lowered and an ONNX model to add
// nodes and initializers to, with helpers for names, constants and casts.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/size_expr.h"
#include "onnx/model.h"

namespace mlx_onnx::lower {

// Which operators the model may use: the ONNX standard only, or also ONNX Runtime's
// com.microsoft contrib operators (faster fused kernels, ONNX Runtime only).
enum class Target { Standard, Ort };

constexpr const char* kMicrosoftDomain = "com.microsoft";

onnx::ElemType elem_type(DType dtype);

// One value of `dtype`, as little-endian bytes (MLX's rounding for half floats).
std::vector<uint8_t> scalar_bytes(DType dtype, double value);

class Context {
 public:
  Context(const Graph& graph, onnx::Model& model, int opset, Target target = Target::Standard);

  const Graph& graph() const { return graph_; }
  int opset() const { return opset_; }
  Target target() const { return target_; }

  // ONNX name of an MLX value, and of a node's operands and results.
  const std::string& name(ValueId v) const { return names_.at(v); }
  const std::string& in(const Node& node, size_t i) const { return name(node.inputs.at(i)); }
  const std::string& out(const Node& node, size_t i = 0) const { return name(node.outputs.at(i)); }
  const Value& in_value(const Node& node, size_t i) const { return graph_.value(node.inputs.at(i)); }
  const Value& out_value(const Node& node, size_t i = 0) const { return graph_.value(node.outputs.at(i)); }
  void set_name(ValueId v, std::string name) { names_.at(v) = std::move(name); }

  // Adds a node and returns its output name: `output` if given, else a fresh name.
  std::string emit(const std::string& op, std::vector<std::string> inputs,
                   std::vector<onnx::Attribute> attributes = {}, std::string output = "");
  std::vector<std::string> emit_multi(const std::string& op, std::vector<std::string> inputs,
                                      size_t n_outputs, std::vector<onnx::Attribute> attributes = {},
                                      std::vector<std::string> outputs = {});
  // The same for an operator of another domain (e.g. kMicrosoftDomain); the model then
  // imports that domain.
  std::vector<std::string> emit_in_domain(const std::string& domain, const std::string& op,
                                          std::vector<std::string> inputs, size_t n_outputs,
                                          std::vector<onnx::Attribute> attributes = {},
                                          std::vector<std::string> outputs = {});

  // Initializers for the small constants rules need (shapes, axes, scalars).
  std::string int64s(const std::vector<int64_t>& values);   // 1-D int64
  std::string int64_scalar(int64_t value);                  // 0-D int64
  std::string scalar(DType dtype, double value);            // 0-D of an MLX dtype
  std::string cast(const std::string& x, DType to, std::string output = "");
  // Operand i of `node` in dtype `to`: itself when it has that dtype, else a Cast.
  std::string operand_as(const Node& node, size_t i, DType to);
  // An initializer holding the bytes of constant `v` seen as another element type and
  // shape (packed quantized words as uint4 codes); "" if `v` is not a constant.
  std::string constant_view(ValueId v, onnx::ElemType type, std::vector<int64_t> dims);
  // Dimensions [begin, end) of a value as a 1-D int64 tensor: constants when those sizes
  // are fixed (Value::fixed), a Shape operator when one of them is known only at run time.
  std::string dims(ValueId v, int64_t begin, int64_t end);
  // A size passes read at run time (graph/size_expr.h), as a 1-D int64 of one element,
  // computed once for the model.
  std::string size_of(const SizeExpr& expr);
  // `sizes` with the entries listed in the node attribute `attr` (encode_sizes) computed at
  // run time, as a 1-D int64; "" when the node has no such attribute.
  std::string sizes_with(const Node& node, std::string_view attr, const std::vector<int64_t>& sizes);
  // The 1-D int64 target of a Reshape to the shape of `out`, as constants, when that
  // shape can be written so: fixed sizes as recorded, dynamic ones among the first
  // `copied` axes (sizes the Reshape's input has at the same axes) as 0, and one other
  // dynamic size as -1. "" when it cannot (the caller reads sizes at run time).
  std::string reshape_target(ValueId out, size_t copied);
  // The 1-D int64 shape `head` + dims [begin, end) of `v` + `tail`, the same way.
  std::string shape_around(const std::vector<int64_t>& head, ValueId v, int64_t begin, int64_t end,
                           const std::vector<int64_t>& tail = {});
  // A constant tensor of any element type (tables, masks), as a Constant node.
  std::string constant(onnx::ElemType type, std::vector<int64_t> dims, const void* bytes, size_t nbytes,
                       std::string output = "");
  std::string uint32s(const std::vector<uint32_t>& values);  // 1-D uint32, as constant()
  // An initializer owning `bytes` (weights re-laid out at export time).
  std::string initializer(onnx::ElemType type, std::vector<int64_t> dims, std::vector<uint8_t> bytes);

  // A value rules share between nodes (a table built once for all layers): the entry for
  // `key`, empty until a rule sets it.
  std::string& shared(const std::string& key) { return shared_[key]; }

  std::string fresh(const std::string& prefix);
  // A note for the conversion report (each distinct message once).
  void warn(const std::string& message);

  // Elements of the constants rules built from shapes so far (see compute.h).
  int64_t built_elements() const { return built_elements_; }
  void add_built_elements(int64_t n) { built_elements_ += n; }

 private:
  std::string compute_size(const SizeExpr& expr);

  const Graph& graph_;
  onnx::Model& model_;
  int opset_;
  Target target_;
  std::vector<std::string> names_;
  std::map<std::string, std::string> shared_;
  size_t counter_ = 0;
  int64_t built_elements_ = 0;
};

}  // namespace mlx_onnx::lower
