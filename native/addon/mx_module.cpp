#include "addon/mx_module.h"

#include <cstring>

#include "addon/mx_array.h"
#include "addon/mx_dtypes.h"
#include "addon/mx_ops.h"
#include "addon/promise_worker.h"
#include "capture/safetensors_header.h"

namespace mlx_onnx::addon {
namespace {

namespace mx = mlx::core;

template <typename F>
auto guarded(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_mlx_error(env, e);
  }
}

mx::Shape shape_of(const Napi::Value& value) {
  if (!value.IsArray()) throw std::invalid_argument("shape must be an array of integers");
  auto arr = value.As<Napi::Array>();
  mx::Shape shape;
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    double d = arr.Get(i).As<Napi::Number>().DoubleValue();
    if (d < 0 || d != static_cast<int>(d)) throw std::invalid_argument("shape dimensions must be non-negative integers");
    shape.push_back(static_cast<int>(d));
  }
  return shape;
}

template <typename T>
mx::array typed(const uint8_t* data, mx::Shape shape, mx::Dtype dtype) {
  return mx::array(reinterpret_cast<const T*>(data), std::move(shape), dtype);
}

// fromBytes(data: Uint8Array, shape, dtype): a copy of row-major bytes.
Napi::Value from_bytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) throw std::invalid_argument("data must be a typed array");
    auto data = info[0].As<Napi::TypedArray>();
    mx::Shape shape = shape_of(info[1]);
    mx::Dtype dtype = dtype_from_js_name(info[2].As<Napi::String>().Utf8Value());
    size_t count = 1;
    for (int d : shape) count *= static_cast<size_t>(d);
    if (data.ByteLength() != count * dtype.size()) {
      throw std::invalid_argument("data has " + std::to_string(data.ByteLength()) + " bytes; shape and dtype need " +
                                  std::to_string(count * dtype.size()));
    }
    // Aligned copy: the typed array may start anywhere in its buffer.
    std::vector<uint8_t> bytes(data.ByteLength());
    if (!bytes.empty()) std::memcpy(bytes.data(), static_cast<uint8_t*>(data.ArrayBuffer().Data()) + data.ByteOffset(), bytes.size());
    const uint8_t* p = bytes.data();
    switch (dtype.val()) {
      case mx::Dtype::Val::bool_: return MxArray::wrap(env, typed<bool>(p, shape, dtype));
      case mx::Dtype::Val::uint8: return MxArray::wrap(env, typed<uint8_t>(p, shape, dtype));
      case mx::Dtype::Val::uint16: return MxArray::wrap(env, typed<uint16_t>(p, shape, dtype));
      case mx::Dtype::Val::uint32: return MxArray::wrap(env, typed<uint32_t>(p, shape, dtype));
      case mx::Dtype::Val::uint64: return MxArray::wrap(env, typed<uint64_t>(p, shape, dtype));
      case mx::Dtype::Val::int8: return MxArray::wrap(env, typed<int8_t>(p, shape, dtype));
      case mx::Dtype::Val::int16: return MxArray::wrap(env, typed<int16_t>(p, shape, dtype));
      case mx::Dtype::Val::int32: return MxArray::wrap(env, typed<int32_t>(p, shape, dtype));
      case mx::Dtype::Val::int64: return MxArray::wrap(env, typed<int64_t>(p, shape, dtype));
      case mx::Dtype::Val::float16: return MxArray::wrap(env, typed<mx::float16_t>(p, shape, dtype));
      case mx::Dtype::Val::float32: return MxArray::wrap(env, typed<float>(p, shape, dtype));
      case mx::Dtype::Val::float64: return MxArray::wrap(env, typed<double>(p, shape, dtype));
      case mx::Dtype::Val::bfloat16: return MxArray::wrap(env, typed<mx::bfloat16_t>(p, shape, dtype));
      case mx::Dtype::Val::complex64: return MxArray::wrap(env, typed<mx::complex64_t>(p, shape, dtype));
    }
    throw std::invalid_argument("unsupported dtype");
  });
}

std::vector<mx::array> arrays_of(const Napi::Value& value) {
  std::vector<mx::array> out;
  if (!value.IsArray()) throw std::invalid_argument("expected an array of mx arrays");
  auto arr = value.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(MxArray::unwrap(arr.Get(i)));
  return out;
}

// eval(arrays): computes them now (on this thread).
Napi::Value eval(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    mx::eval(arrays_of(info[0]));
    return info.Env().Undefined();
  });
}

// loadSafetensors(path) -> { tensors: {name: array}, metadata: {key: value} }, lazily read.
// MLX trusts the header's offsets, so the header is checked first.
Napi::Value load_safetensors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    std::string path = info[0].As<Napi::String>().Utf8Value();
    check_safetensors_file(path);
    auto [tensors, metadata] = mx::load_safetensors(path);
    // Own data properties, so that a name such as "__proto__" is a tensor like any other.
    constexpr auto kData = static_cast<napi_property_attributes>(napi_writable | napi_enumerable | napi_configurable);
    auto out = Napi::Object::New(env);
    auto t = Napi::Object::New(env);
    for (auto& [name, array] : tensors) t.DefineProperty(Napi::PropertyDescriptor::Value(name, MxArray::wrap(env, array), kData));
    auto m = Napi::Object::New(env);
    for (auto& [key, value] : metadata) m.DefineProperty(Napi::PropertyDescriptor::Value(key, Napi::String::New(env, value), kData));
    out.Set("tensors", t);
    out.Set("metadata", m);
    return out;
  });
}

// saveSafetensors(path, {name: array}, {key: value})
Napi::Value save_safetensors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    std::unordered_map<std::string, mx::array> tensors;
    auto t = info[1].As<Napi::Object>();
    auto names = t.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); ++i) {
      std::string name = names.Get(i).As<Napi::String>().Utf8Value();
      tensors.insert_or_assign(name, MxArray::unwrap(t.Get(name)));
    }
    std::unordered_map<std::string, std::string> metadata;
    if (info[2].IsObject()) {
      auto m = info[2].As<Napi::Object>();
      auto keys = m.GetPropertyNames();
      for (uint32_t i = 0; i < keys.Length(); ++i) {
        std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
        metadata[key] = m.Get(key).ToString().Utf8Value();
      }
    }
    mx::save_safetensors(info[0].As<Napi::String>().Utf8Value(), tensors, metadata);
    return env.Undefined();
  });
}

// exportFunction(path, fn, exampleInputs, shapeless): traces fn (a JS function of mx
// arrays returning an array or a list) with MLX and writes the .mlxfn file.
Napi::Value export_function(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  Napi::Function fn = info[1].As<Napi::Function>();
  bool shapeless = info[3].ToBoolean().Value();
  return guarded(env, [&]() -> Napi::Value {
    std::vector<mx::array> examples = arrays_of(info[2]);
    auto traced = [&](const mx::Args& args) {
      std::vector<napi_value> js_args;
      for (const auto& a : args) js_args.push_back(MxArray::wrap(env, a));
      Napi::Value result = fn.Call(js_args);
      if (result.IsArray()) return arrays_of(result);
      return std::vector<mx::array>{MxArray::unwrap(result)};
    };
    mx::export_function(path, traced, examples, shapeless);
    return env.Undefined();
  });
}

Napi::Value seed(const Napi::CallbackInfo& info) {
  mx::random::seed(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

}  // namespace

void register_mx(Napi::Env env, Napi::Object exports) {
  auto mx_exports = Napi::Object::New(env);
  mx_exports.Set("MxArray", MxArray::define(env));
  mx_exports.Set("op", Napi::Function::New(env, call_op, "op"));
  mx_exports.Set("ops", Napi::Function::New(env, list_ops, "ops"));
  mx_exports.Set("fromBytes", Napi::Function::New(env, from_bytes, "fromBytes"));
  mx_exports.Set("eval", Napi::Function::New(env, eval, "eval"));
  mx_exports.Set("loadSafetensors", Napi::Function::New(env, load_safetensors, "loadSafetensors"));
  mx_exports.Set("saveSafetensors", Napi::Function::New(env, save_safetensors, "saveSafetensors"));
  mx_exports.Set("exportFunction", Napi::Function::New(env, export_function, "exportFunction"));
  mx_exports.Set("seed", Napi::Function::New(env, seed, "seed"));
  exports.Set("mx", mx_exports);
}

}  // namespace mlx_onnx::addon
