#include "addon/mx_array.h"

#include <cstring>

#include "addon/promise_worker.h"
#include "addon/mx_dtypes.h"
#include "graph/error.h"

namespace mlx_onnx::addon {

namespace mx = mlx::core;

namespace {

// Set by wrap() so that the constructor adopts an existing array instead of making one.
thread_local std::optional<mx::array> pending;

struct ConstructorRef {
  Napi::FunctionReference constructor;
};

}  // namespace

void throw_mlx_error(Napi::Env env, const std::exception& e) {
  if (auto own = dynamic_cast<const Error*>(&e)) throw make_error(env, error_code_name(own->code()), own->what());
  bool invalid = dynamic_cast<const std::invalid_argument*>(&e) != nullptr;
  throw make_error(env, invalid ? "ERR_INVALID_ARGUMENT" : "ERR_INTERNAL", std::string("MLX: ") + e.what());
}

Napi::Function MxArray::define(Napi::Env env) {
  Napi::Function cls = DefineClass(env, "MxArray", {
      InstanceAccessor<&MxArray::shape>("shape"),
      InstanceAccessor<&MxArray::dtype>("dtype"),
      InstanceMethod<&MxArray::dispose>("dispose"),
      InstanceMethod<&MxArray::bytes>("bytes"),
  });
  // One constructor per environment (main thread, each worker); the environment owns it.
  env.SetInstanceData<ConstructorRef>(new ConstructorRef{Napi::Persistent(cls)});
  return cls;
}

Napi::Object MxArray::wrap(Napi::Env env, mx::array array) {
  pending.emplace(std::move(array));
  Napi::Object obj = env.GetInstanceData<ConstructorRef>()->constructor.New({});
  return obj;
}

MxArray::MxArray(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MxArray>(info) {
  if (!pending) throw make_error(info.Env(), "ERR_INVALID_ARGUMENT", "MxArray objects are made by mx functions, not new");
  array_ = std::move(pending);
  pending.reset();
}

const mx::array& MxArray::unwrap(const Napi::Value& value) {
  Napi::Env env = value.Env();
  auto* ctor = &env.GetInstanceData<ConstructorRef>()->constructor;
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(ctor->Value())) {
    throw make_error(env, "ERR_INVALID_ARGUMENT", "expected an mx array");
  }
  MxArray* self = Unwrap(value.As<Napi::Object>());
  if (!self->array_) throw make_error(env, "ERR_INVALID_ARGUMENT", "the mx array was disposed");
  return *self->array_;
}

Napi::Value MxArray::shape(const Napi::CallbackInfo& info) {
  const mx::array& a = unwrap(info.This());
  auto out = Napi::Array::New(info.Env(), a.ndim());
  for (size_t i = 0; i < a.ndim(); ++i) out.Set(i, a.shape(static_cast<int>(i)));
  return out;
}

Napi::Value MxArray::dtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtype_to_name(unwrap(info.This()).dtype()));
}

Napi::Value MxArray::dispose(const Napi::CallbackInfo& info) {
  array_.reset();
  return info.Env().Undefined();
}

// Evaluates the array and returns a copy of its row-major bytes.
Napi::Value MxArray::bytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    mx::array out = mx::contiguous(unwrap(info.This()));
    mx::eval(out);
    return Napi::Buffer<uint8_t>::Copy(env, out.data<uint8_t>(), out.nbytes());
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_mlx_error(env, e);
  }
}

}  // namespace mlx_onnx::addon
