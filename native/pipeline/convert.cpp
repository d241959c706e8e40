#include "pipeline/convert.h"

#include <chrono>
#include <set>

#include "graph/error.h"
#include "lower/lower_graph.h"
#include "lower/registry.h"
#include "passes/prune.h"

namespace mlx_onnx {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

TraceInfo describe(const Graph& graph) {
  TraceInfo info;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const Value& v = graph.value(graph.inputs[i]);
    bool keyword = i >= graph.inputs.size() - graph.keyword_inputs;
    info.inputs.push_back({graph.input_names[i], v.shape, v.dtype, keyword});
  }
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const Value& v = graph.value(graph.outputs[i]);
    info.outputs.push_back({graph.output_names[i], v.shape, v.dtype});
  }
  info.op_histogram = graph.op_histogram();
  for (const auto& [op, count] : info.op_histogram) {
    if (!lower::find_rule(op)) info.unsupported[op] = count;
  }
  info.constant_count = graph.constants.size();
  for (const auto& c : graph.constants) info.constant_bytes += c.nbytes;
  return info;
}

void rename(std::vector<std::string>& names, const std::vector<std::string>& wanted, const char* what) {
  if (wanted.empty()) return;
  if (wanted.size() != names.size()) {
    fail(ErrorCode::InvalidArgument, std::string("got ") + std::to_string(wanted.size()) + " " + what +
                                         " names for " + std::to_string(names.size()) + " " + what + "s");
  }
  names = wanted;
}

void check_unique_names(const Graph& graph) {
  std::set<std::string> seen;
  for (const auto* names : {&graph.input_names, &graph.output_names}) {
    for (const auto& n : *names) {
      if (n.empty()) fail(ErrorCode::InvalidArgument, "input and output names must not be empty");
      if (!seen.insert(n).second) fail(ErrorCode::InvalidArgument, "name '" + n + "' is used twice");
    }
  }
}

}  // namespace

FileInfo inspect_mlxfn(const std::string& path) {
  MlxfnFile file = read_mlxfn(path);
  FileInfo info{file.version, file.shapeless, file.metadata, {}};
  for (const Graph& graph : file.traces) info.traces.push_back(describe(graph));
  return info;
}

ConvertResult convert_mlxfn(const std::string& input, const std::string& output, const ConvertOptions& options) {
  ConvertResult result;
  auto start = Clock::now();
  MlxfnFile file = read_mlxfn(input);
  if (file.traces.empty()) fail(ErrorCode::InvalidInput, input + ": the file holds no traces");
  if (options.trace < 0 || static_cast<size_t>(options.trace) >= file.traces.size()) {
    fail(ErrorCode::InvalidArgument, "trace " + std::to_string(options.trace) + " does not exist; " + input +
                                         " holds " + std::to_string(file.traces.size()) + " trace(s)");
  }
  Graph& graph = file.traces[options.trace];
  rename(graph.input_names, options.input_names, "input");
  rename(graph.output_names, options.output_names, "output");
  check_unique_names(graph);
  result.trace = describe(graph);
  result.read_ms = ms_since(start);

  start = Clock::now();
  passes::prune_dead_code(graph);
  onnx::Model model = lower::lower_graph(graph, {options.opset, options.producer_version, options.target});
  result.onnx_node_count = model.nodes.size();
  for (const auto& node : model.nodes) result.onnx_op_histogram[node.op_type]++;
  result.lower_ms = ms_since(start);

  start = Clock::now();
  result.files = onnx::write_model(model, output, options.write);
  result.write_ms = ms_since(start);
  return result;
}

}  // namespace mlx_onnx
