#include "addon/js_values.h"

#include <cstring>

#include "addon/promise_worker.h"

namespace mlx_onnx::addon {
namespace {

[[noreturn]] void bad_argument(Napi::Env env, const std::string& message) {
  throw make_error(env, "ERR_INVALID_ARGUMENT", message);
}

Napi::Array shape_to_js(Napi::Env env, const Shape& shape) {
  auto arr = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) arr.Set(i, Napi::Number::New(env, static_cast<double>(shape[i])));
  return arr;
}

Napi::Array tensors_to_js(Napi::Env env, const std::vector<TensorInfo>& tensors) {
  auto arr = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    auto t = Napi::Object::New(env);
    t.Set("name", tensors[i].name);
    t.Set("shape", shape_to_js(env, tensors[i].shape));
    t.Set("dtype", std::string(dtype_name(tensors[i].dtype)));
    if (tensors[i].keyword) t.Set("keyword", true);
    if (!tensors[i].varies.empty()) {
      auto varies = Napi::Array::New(env, tensors[i].varies.size());
      for (size_t axis = 0; axis < tensors[i].varies.size(); ++axis) varies.Set(axis, Napi::Boolean::New(env, tensors[i].varies[axis]));
      t.Set("varies", varies);
    }
    arr.Set(i, t);
  }
  return arr;
}

Napi::Object histogram_to_js(Napi::Env env, const std::map<std::string, int>& histogram) {
  auto obj = Napi::Object::New(env);
  for (const auto& [name, count] : histogram) obj.Set(name, count);
  return obj;
}

}  // namespace

Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

Napi::Object trace_to_js(Napi::Env env, const TraceInfo& trace) {
  auto obj = Napi::Object::New(env);
  obj.Set("inputs", tensors_to_js(env, trace.inputs));
  obj.Set("outputs", tensors_to_js(env, trace.outputs));
  obj.Set("opHistogram", histogram_to_js(env, trace.op_histogram));
  obj.Set("unsupportedOps", histogram_to_js(env, trace.unsupported));
  obj.Set("constantCount", static_cast<double>(trace.constant_count));
  obj.Set("constantBytes", static_cast<double>(trace.constant_bytes));
  if (!trace.shape_warnings.empty()) {
    auto warnings = Napi::Array::New(env, trace.shape_warnings.size());
    for (size_t i = 0; i < trace.shape_warnings.size(); ++i) warnings.Set(i, trace.shape_warnings[i]);
    obj.Set("shapeWarnings", warnings);
  }
  return obj;
}

Napi::Object file_info_to_js(Napi::Env env, const FileInfo& info) {
  auto obj = Napi::Object::New(env);
  obj.Set("mlxVersion", info.version);
  obj.Set("shapeless", info.shapeless);
  obj.Set("metadata", info.metadata);
  auto traces = Napi::Array::New(env, info.traces.size());
  for (size_t i = 0; i < info.traces.size(); ++i) traces.Set(i, trace_to_js(env, info.traces[i]));
  obj.Set("traces", traces);
  if (info.merged) obj.Set("merged", trace_to_js(env, *info.merged));
  if (!info.merge_error.empty()) obj.Set("mergeError", info.merge_error);
  return obj;
}

Napi::Object convert_result_to_js(Napi::Env env, const ConvertResult& result) {
  auto obj = trace_to_js(env, result.trace);
  obj.Set("nodeCount", static_cast<double>(result.onnx_node_count));
  if (result.merged_traces) obj.Set("mergedTraces", static_cast<double>(result.merged_traces));
  obj.Set("onnxOpHistogram", histogram_to_js(env, result.onnx_op_histogram));
  auto warnings = Napi::Array::New(env);
  for (const auto& w : result.warnings) warnings.Set(warnings.Length(), w);
  obj.Set("warnings", warnings);
  auto files = Napi::Array::New(env);
  auto add_file = [&](const std::string& path, uint64_t bytes) {
    auto f = Napi::Object::New(env);
    f.Set("path", path);
    f.Set("bytes", static_cast<double>(bytes));
    files.Set(files.Length(), f);
  };
  add_file(result.files.model_path, result.files.model_bytes);
  if (!result.files.data_path.empty()) add_file(result.files.data_path, result.files.data_bytes);
  obj.Set("files", files);
  auto timings = Napi::Object::New(env);
  timings.Set("readMs", result.read_ms);
  timings.Set("lowerMs", result.lower_ms);
  timings.Set("writeMs", result.write_ms);
  obj.Set("timings", timings);
  return obj;
}

Napi::Object host_array_to_js(Napi::Env env, const HostArray& array) {
  auto obj = Napi::Object::New(env);
  obj.Set("dtype", std::string(dtype_name(array.dtype)));
  obj.Set("shape", shape_to_js(env, array.shape));
  obj.Set("data", Napi::Buffer<uint8_t>::Copy(env, array.bytes.data(), array.bytes.size()));
  return obj;
}

std::string string_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString()) bad_argument(info.Env(), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

HostArray host_array_from_js(const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (!value.IsObject()) bad_argument(env, "an input array must be an object {dtype, shape, data}");
  auto obj = value.As<Napi::Object>();
  HostArray host;
  Napi::Value dtype = obj.Get("dtype");
  auto parsed = dtype.IsString() ? dtype_from_name(dtype.As<Napi::String>().Utf8Value()) : std::nullopt;
  if (!parsed) bad_argument(env, "an input array has no valid dtype");
  host.dtype = *parsed;
  Napi::Value shape = obj.Get("shape");
  if (!shape.IsArray()) bad_argument(env, "an input array has no shape");
  auto dims = shape.As<Napi::Array>();
  for (uint32_t i = 0; i < dims.Length(); ++i) {
    Napi::Value d = dims.Get(i);
    if (!d.IsNumber() || d.As<Napi::Number>().DoubleValue() < 0) bad_argument(env, "shape dimensions must be non-negative numbers");
    host.shape.push_back(d.As<Napi::Number>().Int64Value());
  }
  Napi::Value data = obj.Get("data");
  if (!data.IsTypedArray()) bad_argument(env, "an input array's data must be a typed array");
  auto typed = data.As<Napi::TypedArray>();
  auto buffer = typed.ArrayBuffer();
  const uint8_t* start = static_cast<const uint8_t*>(buffer.Data()) + typed.ByteOffset();
  host.bytes.assign(start, start + typed.ByteLength());
  return host;
}

std::vector<std::string> strings_from_js(const Napi::Value& value, const char* what) {
  std::vector<std::string> out;
  if (value.IsUndefined() || value.IsNull()) return out;
  if (!value.IsArray()) bad_argument(value.Env(), std::string(what) + " must be an array of strings");
  auto arr = value.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value v = arr.Get(i);
    if (!v.IsString()) bad_argument(value.Env(), std::string(what) + " must be an array of strings");
    out.push_back(v.As<Napi::String>().Utf8Value());
  }
  return out;
}

}  // namespace mlx_onnx::addon
