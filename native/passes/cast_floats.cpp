#include "passes/cast_floats.h"

#include <algorithm>
#include <deque>

#include "graph/error.h"
#include "graph/float_cast.h"

namespace mlx_onnx::passes {
namespace {

// Keeps the file's bytes alive, and the constants converted here.
struct CastStorage {
  std::shared_ptr<const void> original;
  std::deque<std::vector<uint8_t>> converted;
};

// Values whose constant bytes lowering reads: the scales and biases of quantized
// matmuls (lower/quantized.cpp), also through an AsType.
std::vector<bool> read_by_lowering(const Graph& graph) {
  std::vector<bool> read(graph.values.size(), false);
  for (auto node = graph.nodes.rbegin(); node != graph.nodes.rend(); ++node) {
    if (node->op == "QuantizedMatmul" || node->op == "GatherQMM") {
      for (size_t i = 1; i < node->inputs.size(); ++i) read[node->inputs[i]] = true;
    } else if (node->op == "AsType" && node->outputs.size() == 1 && read[node->outputs[0]]) {
      read[node->inputs.at(0)] = true;
    }
  }
  return read;
}

void check_castable(const Graph& graph, DType dtype) {
  for (const Value& v : graph.values) {
    if (v.dtype == DType::Complex64) {
      fail(ErrorCode::InvalidArgument, "a function with complex64 values cannot be cast to " +
                                           std::string(dtype_name(dtype)));
    }
  }
  for (const Node& node : graph.nodes) {
    if (node.op != "View") continue;
    for (ValueId v : {node.inputs.at(0), node.outputs.at(0)}) {
      DType d = graph.value(v).dtype;
      if (is_floating(d) && d != dtype) {
        fail(ErrorCode::InvalidArgument, "the function views the bits of " + std::string(dtype_name(d)) +
                                             " values as another type; it cannot be cast to " +
                                             std::string(dtype_name(dtype)));
      }
    }
  }
}

Node as_type(ValueId from, ValueId to, DType dtype) {
  Node node;
  node.op = "AsType";
  node.inputs = {from};
  node.outputs = {to};
  node.attrs = {{"dtype", dtype}};
  return node;
}

// Puts the interface back in its `original` dtypes: each cast input feeds an AsType whose
// result replaces it in the graph, and each cast output is an AsType of the result.
void restore_interface(Graph& graph, DType dtype, const std::vector<DType>& original) {
  std::vector<Node> prologue;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    ValueId input = graph.inputs[i];
    if (graph.value(input).dtype == original[i]) continue;
    ValueId inner = graph.add_value(graph.value(input).shape, dtype);
    for (Node& node : graph.nodes) std::replace(node.inputs.begin(), node.inputs.end(), input, inner);
    std::replace(graph.outputs.begin(), graph.outputs.end(), input, inner);
    graph.values[input].dtype = original[i];
    prologue.push_back(as_type(input, inner, dtype));
  }
  graph.nodes.insert(graph.nodes.begin(), prologue.begin(), prologue.end());
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    DType want = original[graph.inputs.size() + i];
    ValueId output = graph.outputs[i];
    if (graph.value(output).dtype == want) continue;
    ValueId outer = graph.add_value(graph.value(output).shape, want);
    graph.nodes.push_back(as_type(output, outer, want));
    graph.outputs[i] = outer;
  }
}

}  // namespace

void cast_floats(Graph& graph, DType dtype, bool keep_interface) {
  if (dtype != DType::Float16 && dtype != DType::BFloat16 && dtype != DType::Float32) {
    fail(ErrorCode::InvalidArgument, "cannot cast to " + std::string(dtype_name(dtype)) +
                                         "; the choices are float16, bfloat16 and float32");
  }
  check_castable(graph, dtype);
  std::vector<DType> interface;  // inputs, then outputs
  for (const auto* values : {&graph.inputs, &graph.outputs}) {
    for (ValueId v : *values) interface.push_back(graph.value(v).dtype);
  }
  std::vector<bool> read = read_by_lowering(graph);
  auto storage = std::make_shared<CastStorage>();
  storage->original = graph.storage;
  for (Constant& c : graph.constants) {
    DType from = graph.value(c.value).dtype;
    if (!is_floating(from) || from == dtype) continue;
    if (!read[c.value]) {
      c.cast_from = from;
      continue;
    }
    size_t count = c.nbytes / dtype_size(from);
    auto& bytes = storage->converted.emplace_back(count * dtype_size(dtype));
    float_cast(from, dtype)(c.data, bytes.data(), count);
    c.data = bytes.data();
    c.nbytes = bytes.size();
  }
  if (!storage->converted.empty()) graph.storage = storage;
  for (Value& v : graph.values) {
    if (is_floating(v.dtype)) v.dtype = dtype;
  }
  for (Node& node : graph.nodes) {
    for (NamedAttr& attr : node.attrs) {
      if (auto* d = std::get_if<DType>(&attr.value); d && is_floating(*d)) *d = dtype;
    }
  }
  if (keep_interface) restore_interface(graph, dtype, interface);
}

}  // namespace mlx_onnx::passes
