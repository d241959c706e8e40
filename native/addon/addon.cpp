// N-API entry points. Glue only: read arguments, run the work off the JS thread,
// convert results. See lib/native.ts for the typed side of each function.
#include <napi.h>

#include <mutex>

#include "addon/js_values.h"
#include "addon/mx_module.h"
#include "addon/promise_worker.h"
#include "capture/primitive_states.h"
#include "lower/lower_graph.h"
#include "lower/registry.h"
#include "pipeline/convert.h"
#include "reference/mlx_reference.h"
#include "reference/mlx_thread.h"

namespace mlx_onnx::addon {
namespace {

Napi::Value inspect(const Napi::CallbackInfo& info) {
  std::string path = string_arg(info, 0, "path");
  return PromiseWorker<FileInfo>::start(
      info.Env(), [path] { return inspect_mlxfn(path); },
      [](Napi::Env env, FileInfo& result) -> Napi::Value { return file_info_to_js(env, result); });
}

// Option values are checked, with the user-facing messages, by the TypeScript layer (lib/api.ts)
// before they reach the addon; a value it let through is the package's own bug.
Napi::Error unchecked(Napi::Env env, const std::string& option, const std::string& value) {
  return make_error(env, "ERR_INTERNAL", "the addon received an unchecked " + option + " '" + value + "'");
}

onnx::ExternalData external_data_mode(Napi::Env env, const std::string& mode) {
  if (mode == "auto") return onnx::ExternalData::Auto;
  if (mode == "always") return onnx::ExternalData::Always;
  if (mode == "never") return onnx::ExternalData::Never;
  throw unchecked(env, "externalData", mode);
}

ConvertOptions convert_options(const Napi::Value& value) {
  ConvertOptions options;
  if (!value.IsObject()) return options;
  auto obj = value.As<Napi::Object>();
  Napi::Env env = value.Env();
  if (obj.Get("trace").IsNumber()) options.trace = obj.Get("trace").As<Napi::Number>().Int32Value();
  if (obj.Get("opset").IsNumber()) options.opset = obj.Get("opset").As<Napi::Number>().Int32Value();
  if (obj.Get("externalData").IsString()) {
    options.write.external_data = external_data_mode(env, obj.Get("externalData").As<Napi::String>().Utf8Value());
  }
  if (obj.Get("externalDataThreshold").IsNumber()) {
    options.write.external_threshold = static_cast<size_t>(obj.Get("externalDataThreshold").As<Napi::Number>().Int64Value());
  }
  if (obj.Get("dtype").IsString()) {
    std::string name = obj.Get("dtype").As<Napi::String>().Utf8Value();
    auto dtype = dtype_from_name(name);
    if (!dtype) throw unchecked(env, "dtype", name);
    options.dtype = *dtype;
  }
  if (obj.Get("keepInterfaceDtypes").IsBoolean()) {
    options.keep_interface_dtypes = obj.Get("keepInterfaceDtypes").As<Napi::Boolean>().Value();
  }
  if (obj.Get("recoverShapes").IsBoolean()) options.recover_shapes = obj.Get("recoverShapes").As<Napi::Boolean>().Value();
  if (obj.Get("mergeTraces").IsBoolean()) options.merge_traces = obj.Get("mergeTraces").As<Napi::Boolean>().Value();
  if (obj.Get("durable").IsBoolean()) options.write.durable = obj.Get("durable").As<Napi::Boolean>().Value();
  options.input_names = strings_from_js(obj.Get("inputNames"), "inputNames");
  options.output_names = strings_from_js(obj.Get("outputNames"), "outputNames");
  if (obj.Get("dynamicDims").IsArray()) {
    auto dims = obj.Get("dynamicDims").As<Napi::Array>();
    for (uint32_t i = 0; i < dims.Length(); ++i) {
      auto d = dims.Get(i).As<Napi::Object>();
      options.dynamic_dims.push_back({d.Get("input").ToString().Utf8Value(),
                                      d.Get("axis").ToNumber().Int64Value(), d.Get("name").ToString().Utf8Value()});
    }
  }
  // An Int32Array over a SharedArrayBuffer that the caller sets to abort; the caller
  // keeps it alive until the conversion settles.
  if (obj.Get("abortFlag").IsTypedArray()) {
    if (obj.Get("abortFlag").As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw make_error(env, "ERR_INVALID_ARGUMENT", "abortFlag must be an Int32Array");
    }
    int32_t* flag = obj.Get("abortFlag").As<Napi::Int32Array>().Data();
    options.write.cancel = Cancel(reinterpret_cast<const std::atomic<int32_t>*>(flag));
  }
  if (obj.Get("target").IsString()) {
    std::string target = obj.Get("target").As<Napi::String>().Utf8Value();
    if (target == "standard") options.target = lower::Target::Standard;
    else if (target == "ort") options.target = lower::Target::Ort;
    else throw unchecked(env, "target", target);
  }
  if (obj.Get("producerVersion").IsString()) {
    options.producer_version = obj.Get("producerVersion").As<Napi::String>().Utf8Value();
  }
  return options;
}

Napi::Value convert(const Napi::CallbackInfo& info) {
  std::string input = string_arg(info, 0, "input");
  std::string output = string_arg(info, 1, "output");
  ConvertOptions options = convert_options(info[2]);
  return PromiseWorker<ConvertResult>::start(
      info.Env(), [=] { return convert_mlxfn(input, output, options); },
      [](Napi::Env env, ConvertResult& result) -> Napi::Value { return convert_result_to_js(env, result); });
}

Napi::Value evaluate(const Napi::CallbackInfo& info) {
  std::string path = string_arg(info, 0, "path");
  ReferenceCall call;
  if (info[1].IsArray()) {
    auto positional = info[1].As<Napi::Array>();
    for (uint32_t i = 0; i < positional.Length(); ++i) call.positional.push_back(host_array_from_js(positional.Get(i)));
  }
  if (info[2].IsObject()) {
    auto keyword = info[2].As<Napi::Object>();
    auto keys = keyword.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
      call.keyword.emplace_back(key, host_array_from_js(keyword.Get(key)));
    }
  }
  return PromiseWorker<std::vector<HostArray>>::start(
      info.Env(), [path, call = std::move(call)] { return evaluate_with_mlx(path, call); },
      [](Napi::Env env, std::vector<HostArray>& outputs) -> Napi::Value {
        auto arr = Napi::Array::New(env, outputs.size());
        for (size_t i = 0; i < outputs.size(); ++i) arr.Set(i, host_array_to_js(env, outputs[i]));
        return arr;
      });
}

Napi::Value ops(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto states = all_primitive_states();
  auto arr = Napi::Array::New(env, states.size());
  for (size_t i = 0; i < states.size(); ++i) {
    auto entry = Napi::Object::New(env);
    entry.Set("name", std::string(states[i].name));
    if (const auto* rule = lower::find_rule(states[i].name)) {
      entry.Set("status", rule->kind == lower::RuleKind::Lowered ? "lowered" : "decomposed");
    } else {
      std::string_view reason = lower::unsupported_reason(states[i].name);
      entry.Set("status", "unsupported");
      entry.Set("reason", reason.empty() ? "not lowered yet" : std::string(reason));
    }
    arr.Set(i, entry);
  }
  return arr;
}

Napi::Value versions(const Napi::CallbackInfo& info) {
  auto obj = Napi::Object::New(info.Env());
  obj.Set("mlx", mlx_version());
  obj.Set("defaultOpset", lower::kDefaultOpset);
  obj.Set("minOpset", lower::kMinOpset);
  obj.Set("maxOpset", lower::kMaxOpset);
  return obj;
}

}  // namespace

Napi::Object init(Napi::Env env, Napi::Object exports) {
  static std::once_flag streams;
  std::call_once(streams, claim_first_mlx_stream);
  exports.Set("inspect", Napi::Function::New(env, inspect, "inspect"));
  exports.Set("convert", Napi::Function::New(env, convert, "convert"));
  exports.Set("evaluate", Napi::Function::New(env, evaluate, "evaluate"));
  exports.Set("ops", Napi::Function::New(env, ops, "ops"));
  exports.Set("versions", Napi::Function::New(env, versions, "versions"));
  register_mx(env, exports);
  return exports;
}

}  // namespace mlx_onnx::addon

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return mlx_onnx::addon::init(env, exports);
}

NODE_API_MODULE(mlx_onnx, InitModule)
