#pragma once
// The conversion pipeline: read an .mlxfn trace, prune it, lower it, write the ONNX.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capture/mlxfn_reader.h"
#include "lower/context.h"
#include "onnx/writer.h"

namespace mlx_onnx {

struct TensorInfo {
  std::string name;
  Shape shape;
  DType dtype;
  bool keyword = false;  // a keyword argument of the MLX function
  // Inputs of a shapeless trace (inspect): per axis, whether the converted graph runs at
  // other sizes of it.
  std::vector<bool> varies;
};

struct TraceInfo {
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  std::map<std::string, int> op_histogram;
  std::map<std::string, int> unsupported;  // primitives without a lowering rule
  size_t constant_count = 0;
  uint64_t constant_bytes = 0;
  // Shapeless traces (inspect): why an input axis cannot vary (see passes/dynamic_dims).
  std::vector<std::string> shape_warnings;
};

struct FileInfo {
  std::string version;
  bool shapeless = false;
  std::string metadata;
  std::vector<TraceInfo> traces;
  // Files of two or more fixed-shape traces: trace 0 as merging gives it (which input axes
  // vary, and why the others cannot), or why the traces do not merge.
  std::optional<TraceInfo> merged;
  std::string merge_error;
};

FileInfo inspect_mlxfn(const std::string& path);

// A dimension of an input that varies at run time, named in the ONNX model.
struct DynamicDim {
  std::string input;  // the input's (final) name
  int64_t axis;
  std::string name;
};

struct ConvertOptions {
  int trace = 0;
  int opset = 18;
  onnx::WriteOptions write;
  std::vector<std::string> input_names;   // empty, or one per input
  std::vector<std::string> output_names;  // empty, or one per output
  // Only for shapeless files, where empty names every input dimension `<input>_<axis>`,
  // and merged traces, where it names dimensions that differ between traces.
  std::vector<DynamicDim> dynamic_dims;
  std::string producer_version;
  lower::Target target = lower::Target::Standard;
  // Casts every float value of the function to this dtype (passes/cast_floats), inputs
  // and outputs too unless `keep_interface_dtypes`.
  std::optional<DType> dtype;
  bool keep_interface_dtypes = false;
  // Shapeless files: see Graph::recover_baked_sizes.
  bool recover_shapes = false;
  // Files of several fixed-shape traces of one function: convert them as one graph whose
  // input dimensions that differ between the traces are dynamic (passes/merge_traces).
  bool merge_traces = false;
};

struct ConvertResult {
  TraceInfo trace;
  size_t onnx_node_count = 0;
  size_t merged_traces = 0;  // with ConvertOptions::merge_traces: how many were merged
  std::map<std::string, int> onnx_op_histogram;
  std::vector<std::string> warnings;
  onnx::WrittenFiles files;
  double read_ms = 0, lower_ms = 0, write_ms = 0;
};

ConvertResult convert_mlxfn(const std::string& input, const std::string& output, const ConvertOptions& options);

}  // namespace mlx_onnx
