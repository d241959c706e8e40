#pragma once
// The MLX operations JavaScript can call, by MLX Python name: a table read by
// `mx.op(name, arrays, params)` (lib/mx/ops.ts gives each a typed function).
#include <napi.h>

namespace mlx_onnx::addon {

Napi::Value call_op(const Napi::CallbackInfo& info);
Napi::Value list_ops(const Napi::CallbackInfo& info);

}  // namespace mlx_onnx::addon
