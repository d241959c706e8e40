#include "lower/lower_graph.h"

#include <memory>
#include <stdexcept>
#include <unordered_set>

#include "graph/error.h"
#include "graph/float_cast.h"
#include "lower/registry.h"

namespace mlx_onnx::lower {
namespace {

// `params` names symbolic dimensions ("" keeps the recorded size); with `unknown`, every
// dimension is left open (outputs of shapeless graphs).
// `varying`: the sizes that vary at run time (Value::dynamic) are left unknown.
onnx::ValueInfo value_info(const std::string& name, const Value& value,
                           const std::vector<std::string>& params = {}, bool varying = false) {
  onnx::ValueInfo info;
  info.name = name;
  info.type = elem_type(value.dtype);
  for (size_t i = 0; i < value.shape.size(); ++i) {
    std::string param = i < params.size() ? params[i] : "";
    bool unknown = varying && value.is_dynamic(i);
    info.dims.push_back(unknown ? onnx::Dim{-1, ""} : onnx::Dim{param.empty() ? value.shape[i] : 0, param});
  }
  return info;
}

// Rules may fold a constant into another (a View of a constant, unpacked quantized
// weights): initializers no node reads are not written.
void drop_unused_initializers(onnx::Model& model) {
  std::unordered_set<std::string> used;
  for (const auto& node : model.nodes) used.insert(node.inputs.begin(), node.inputs.end());
  for (const auto& output : model.outputs) used.insert(output.name);
  std::erase_if(model.initializers, [&](const onnx::Tensor& t) { return !used.count(t.name); });
}

// Rules read operands, results and parameters by position with checked accesses; a
// node that has fewer than its primitive takes is a malformed file, not a converter bug.
void lower_node(Context& ctx, const Node& node) {
  const Rule* rule = find_rule(node.op);
  if (rule->operands >= 0 && node.inputs.size() != static_cast<size_t>(rule->operands)) {
    fail(ErrorCode::InvalidInput, node.op + ": the primitive takes " + std::to_string(rule->operands) +
                                      " operand(s), the node has " + std::to_string(node.inputs.size()));
  }
  try {
    rule->lower(ctx, node);
  } catch (const std::out_of_range&) {
    fail(ErrorCode::InvalidInput, node.op + ": the node has fewer operands, results or parameters than the primitive takes");
  }
}

}  // namespace

void check_supported(const Graph& graph) {
  std::string missing;
  int kinds = 0;
  for (const auto& [op, count] : graph.op_histogram()) {
    if (find_rule(op)) continue;
    std::string_view reason = unsupported_reason(op);
    missing += (kinds++ ? ", " : "") + op + " (x" + std::to_string(count) +
               (reason.empty() ? "" : ": " + std::string(reason)) + ")";
  }
  if (kinds > 0) {
    fail(ErrorCode::UnsupportedOp,
         "no ONNX lowering for " + std::to_string(kinds) + " MLX primitive" + (kinds > 1 ? "s" : "") +
             ": " + missing + ". Run `mlx-onnx ops` for the coverage table.");
  }
}

onnx::Model lower_graph(const Graph& graph, const LowerOptions& options) {
  if (options.opset < kMinOpset || options.opset > kMaxOpset) {
    fail(ErrorCode::InvalidArgument, "opset " + std::to_string(options.opset) + " is not supported (" +
                                         std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
  }
  check_supported(graph);
  onnx::Model model;
  model.opsets.push_back({"", options.opset});
  // The IR version that introduced each opset (ONNX 1.16: opset 21 IR 10; 1.18: opset 23 IR 11).
  model.ir_version = options.opset >= 23 ? 11 : options.opset >= 21 ? 10 : 8;
  model.producer_version = options.producer_version;
  Context ctx(graph, model, options.opset, options.target);

  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    ctx.set_name(graph.inputs[i], graph.input_names[i]);
    const auto& params = i < graph.input_dim_params.size() ? graph.input_dim_params[i] : std::vector<std::string>{};
    model.inputs.push_back(value_info(graph.input_names[i], graph.value(graph.inputs[i]), params));
  }
  for (const Constant& c : graph.constants) {
    onnx::Tensor t;
    t.name = "const_" + std::to_string(c.value);
    ctx.set_name(c.value, t.name);
    t.type = elem_type(graph.value(c.value).dtype);
    t.dims = graph.value(c.value).shape;
    t.data = c.data;
    t.nbytes = c.nbytes;
    t.owner = graph.storage;
    if (c.cast_from) {
      DType to = graph.value(c.value).dtype;
      t.conversion = {float_cast(*c.cast_from, to), dtype_size(*c.cast_from), dtype_size(to)};
      t.nbytes = c.nbytes / t.conversion.from_size * t.conversion.to_size;
    }
    model.initializers.push_back(std::move(t));
  }
  // A node result that is a graph output is named after it directly; an output that
  // is an input, a constant or a repeat gets an Identity.
  std::vector<bool> produced(graph.values.size(), false);
  for (const Node& node : graph.nodes) {
    for (ValueId v : node.outputs) produced[v] = true;
  }
  std::vector<bool> named(graph.values.size(), false);
  std::vector<std::pair<ValueId, std::string>> identities;
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    ValueId v = graph.outputs[i];
    if (produced[v] && !named[v]) {
      ctx.set_name(v, graph.output_names[i]);
      named[v] = true;
    } else {
      identities.emplace_back(v, graph.output_names[i]);
    }
  }

  for (const Node& node : graph.nodes) lower_node(ctx, node);
  for (const auto& [v, name] : identities) ctx.emit("Identity", {ctx.name(v)}, {}, name);
  drop_unused_initializers(model);
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    model.outputs.push_back(value_info(graph.output_names[i], graph.value(graph.outputs[i]), {}, graph.shapeless));
  }
  return model;
}

}  // namespace mlx_onnx::lower
