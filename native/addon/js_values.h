#pragma once
// Conversions between the converter's structures and JavaScript values.
#include <napi.h>

#include "pipeline/convert.h"
#include "reference/mlx_reference.h"

namespace mlx_onnx::addon {

Napi::Object trace_to_js(Napi::Env env, const TraceInfo& trace);
Napi::Object file_info_to_js(Napi::Env env, const FileInfo& info);
Napi::Object convert_result_to_js(Napi::Env env, const ConvertResult& result);
Napi::Object host_array_to_js(Napi::Env env, const HostArray& array);

// Argument readers: they throw a JS TypeError with code ERR_INVALID_ARGUMENT.
std::string string_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
HostArray host_array_from_js(const Napi::Value& value);
std::vector<std::string> strings_from_js(const Napi::Value& value, const char* what);

}  // namespace mlx_onnx::addon
