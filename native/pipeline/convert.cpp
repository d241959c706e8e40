#include "pipeline/convert.h"

#include <chrono>
#include <set>

#include "io/mapped_file.h"
#include "graph/error.h"
#include "lower/lower_graph.h"
#include "lower/registry.h"
#include "passes/cast_floats.h"
#include "passes/merge_traces.h"
#include "passes/optimize.h"

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
    info.inputs.push_back({graph.input_names[i], v.shape, v.dtype, keyword, {}});
  }
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const Value& v = graph.value(graph.outputs[i]);
    info.outputs.push_back({graph.output_names[i], v.shape, v.dtype, false, {}});
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

// The input dimensions the user names, by input index and axis.
std::vector<passes::NamedDim> resolve_dims(const Graph& graph, const std::vector<DynamicDim>& dims) {
  std::vector<passes::NamedDim> named;
  for (const auto& dim : dims) {
    size_t i = 0;
    while (i < graph.inputs.size() && graph.input_names[i] != dim.input) ++i;
    if (i == graph.inputs.size()) fail(ErrorCode::InvalidArgument, "dynamic dimension of unknown input '" + dim.input + "'");
    int64_t rank = static_cast<int64_t>(graph.value(graph.inputs[i]).shape.size());
    int64_t axis = dim.axis < 0 ? dim.axis + rank : dim.axis;
    if (axis < 0 || axis >= rank) {
      fail(ErrorCode::InvalidArgument, "input '" + dim.input + "' has no axis " + std::to_string(dim.axis));
    }
    if (dim.name.empty()) fail(ErrorCode::InvalidArgument, "a dynamic dimension needs a name");
    named.push_back({i, static_cast<size_t>(axis), dim.name});
  }
  return named;
}

// Shapeless files run at any size with the recorded ranks: their inputs get symbolic
// dimensions, every one by default or those the user names.
void name_dynamic_dims(Graph& graph, const std::vector<DynamicDim>& dims) {
  if (!graph.shapeless) {
    if (!dims.empty()) {
      fail(ErrorCode::InvalidArgument,
           "dynamic dimensions need a file exported with shapeless=True, or traces merged; this one has fixed shapes");
    }
    return;
  }
  std::vector<passes::NamedDim> named = resolve_dims(graph, dims);
  graph.input_dim_params.assign(graph.inputs.size(), {});
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    graph.input_dim_params[i].assign(graph.value(graph.inputs[i]).shape.size(), "");
    if (!named.empty()) continue;
    for (size_t axis = 0; axis < graph.input_dim_params[i].size(); ++axis) {
      graph.input_dim_params[i][axis] = graph.input_names[i] + "_" + std::to_string(axis);
    }
  }
  for (const auto& dim : named) graph.input_dim_params[dim.input][dim.axis] = dim.name;
}

// Which input axes of a shapeless trace the converted graph runs at other sizes of, and why
// the others cannot vary: the passes run on a copy with every input dimension named.
void describe_dynamic_dims(const Graph& graph, TraceInfo& info) {
  Graph copy = graph;
  name_dynamic_dims(copy, {});
  passes::optimize_graph(copy);
  for (size_t i = 0; i < info.inputs.size() && i < copy.input_dim_params.size(); ++i) {
    for (const std::string& name : copy.input_dim_params[i]) info.inputs[i].varies.push_back(!name.empty());
  }
  info.shape_warnings = copy.warnings;
}

}  // namespace

// What merging the traces gives: the passes run on a merged copy.
void describe_merge(const MlxfnFile& file, FileInfo& info) {
  if (file.shapeless || file.traces.size() < 2) return;
  std::vector<Graph> traces = file.traces;
  try {
    Graph merged = passes::merge_traces(traces, {});
    TraceInfo described = describe(merged);
    passes::optimize_graph(merged);
    for (size_t i = 0; i < described.inputs.size(); ++i) {
      for (const std::string& name : merged.input_dim_params.at(i)) described.inputs[i].varies.push_back(!name.empty());
    }
    described.shape_warnings = merged.warnings;
    info.merged = std::move(described);
  } catch (const Error& e) {
    info.merge_error = e.what();
  }
}

FileInfo inspect_mlxfn(const std::string& path) {
  MlxfnFile file = read_mlxfn(path);
  FileInfo info{file.version, file.shapeless, file.metadata, {}, {}, {}};
  for (const Graph& graph : file.traces) {
    info.traces.push_back(describe(graph));
    if (graph.shapeless) describe_dynamic_dims(graph, info.traces.back());
  }
  describe_merge(file, info);
  return info;
}

ConvertResult convert_mlxfn(const std::string& input, const std::string& output, const ConvertOptions& options) {
  ConvertResult result;
  auto start = Clock::now();
  auto mapped = MappedFile::open(input);
  MlxfnFile file = parse_mlxfn(mapped->bytes(), mapped, input);
  if (file.traces.empty()) fail(ErrorCode::InvalidInput, input + ": the file holds no traces");
  if (options.trace < 0 || static_cast<size_t>(options.trace) >= file.traces.size()) {
    fail(ErrorCode::InvalidArgument, "trace " + std::to_string(options.trace) + " does not exist; " + input +
                                         " holds " + std::to_string(file.traces.size()) + " trace(s)");
  }
  Graph merged;
  Graph& graph = options.merge_traces ? merged : file.traces[options.trace];
  if (options.merge_traces && options.trace != 0) fail(ErrorCode::InvalidArgument, "a trace cannot be chosen when the traces are merged");
  Graph& named = file.traces[options.trace];
  rename(named.input_names, options.input_names, "input");
  rename(named.output_names, options.output_names, "output");
  check_unique_names(named);
  if (options.merge_traces) {
    merged = passes::merge_traces(file.traces, resolve_dims(file.traces[0], options.dynamic_dims));
  } else {
    name_dynamic_dims(graph, options.dynamic_dims);
    graph.recover_baked_sizes = options.recover_shapes;
  }
  if (options.dtype) passes::cast_floats(graph, *options.dtype, options.keep_interface_dtypes);
  result.trace = describe(graph);
  if (options.merge_traces) result.merged_traces = file.traces.size();
  result.read_ms = ms_since(start);

  options.write.cancel.check();
  start = Clock::now();
  passes::optimize_graph(graph);
  onnx::Model model = lower::lower_graph(graph, {options.opset, options.producer_version, options.target});
  result.onnx_node_count = model.nodes.size();
  for (const auto& node : model.nodes) result.onnx_op_histogram[node.op_type]++;
  result.warnings = graph.warnings;
  result.warnings.insert(result.warnings.end(), model.warnings.begin(), model.warnings.end());
  result.lower_ms = ms_since(start);

  options.write.cancel.check();
  start = Clock::now();
  onnx::WriteOptions write = options.write;
  write.source = {mapped->bytes(), mapped->fd()};
  result.files = onnx::write_model(model, output, write);
  result.write_ms = ms_since(start);
  return result;
}

}  // namespace mlx_onnx
