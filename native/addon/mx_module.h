#pragma once
// The `mx` part of the addon: arrays from bytes, evaluation, safetensors, tracing a
// JavaScript function into an .mlxfn file. Everything here runs on the calling thread.
#include <napi.h>

namespace mlx_onnx::addon {

void register_mx(Napi::Env env, Napi::Object exports);

}  // namespace mlx_onnx::addon
