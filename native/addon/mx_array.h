#pragma once
// MLX arrays as JavaScript objects (N-API object wrap). They live on the JavaScript
// thread that made them (MLX streams are per thread); the GC or dispose() frees them.
#include <napi.h>

#include <optional>

#include "mlx/mlx.h"

namespace mlx_onnx::addon {

class MxArray : public Napi::ObjectWrap<MxArray> {
 public:
  static Napi::Function define(Napi::Env env);
  static Napi::Object wrap(Napi::Env env, mlx::core::array array);
  // The array of a JS MxArray object; throws ERR_INVALID_ARGUMENT for anything else.
  static const mlx::core::array& unwrap(const Napi::Value& value);

  explicit MxArray(const Napi::CallbackInfo& info);

 private:
  Napi::Value shape(const Napi::CallbackInfo& info);
  Napi::Value dtype(const Napi::CallbackInfo& info);
  Napi::Value dispose(const Napi::CallbackInfo& info);
  Napi::Value bytes(const Napi::CallbackInfo& info);

  std::optional<mlx::core::array> array_;
};

// A wrapped std::exception from MLX: invalid arguments (shapes, dtypes) keep their code,
// as do the converter's own errors (checks run before MLX sees a file).
[[noreturn]] void throw_mlx_error(Napi::Env env, const std::exception& e);

}  // namespace mlx_onnx::addon
