#include "reference/mlx_reference.h"

#include <cstring>

#include "graph/error.h"
#include "mlx/mlx.h"
#include "reference/mlx_thread.h"

namespace mlx_onnx {
namespace {

namespace mx = mlx::core;

template <typename T>
mx::array typed(const HostArray& host, mx::Dtype dtype) {
  mx::Shape shape(host.shape.begin(), host.shape.end());
  return mx::array(reinterpret_cast<const T*>(host.bytes.data()), shape, dtype);
}

mx::array to_mlx(const HostArray& host) {
  size_t expected = static_cast<size_t>(element_count(host.shape)) * dtype_size(host.dtype);
  if (host.bytes.size() != expected) {
    fail(ErrorCode::InvalidArgument, "input has " + std::to_string(host.bytes.size()) +
                                         " bytes; its shape and dtype need " + std::to_string(expected));
  }
  switch (host.dtype) {
    case DType::Bool: return typed<bool>(host, mx::bool_);
    case DType::UInt8: return typed<uint8_t>(host, mx::uint8);
    case DType::UInt16: return typed<uint16_t>(host, mx::uint16);
    case DType::UInt32: return typed<uint32_t>(host, mx::uint32);
    case DType::UInt64: return typed<uint64_t>(host, mx::uint64);
    case DType::Int8: return typed<int8_t>(host, mx::int8);
    case DType::Int16: return typed<int16_t>(host, mx::int16);
    case DType::Int32: return typed<int32_t>(host, mx::int32);
    case DType::Int64: return typed<int64_t>(host, mx::int64);
    case DType::Float16: return typed<mx::float16_t>(host, mx::float16);
    case DType::Float32: return typed<float>(host, mx::float32);
    case DType::Float64: return typed<double>(host, mx::float64);
    case DType::BFloat16: return typed<mx::bfloat16_t>(host, mx::bfloat16);
    case DType::Complex64: return typed<mx::complex64_t>(host, mx::complex64);
  }
  fail(ErrorCode::InvalidArgument, "unknown dtype");
}

HostArray from_mlx(const mx::array& result) {
  mx::array out = mx::contiguous(result);
  mx::eval(out);
  HostArray host;
  auto dtype = dtype_from_code(static_cast<int32_t>(out.dtype().val()));
  if (!dtype) fail(ErrorCode::Verify, "MLX returned an unknown dtype");
  host.dtype = *dtype;
  host.shape.assign(out.shape().begin(), out.shape().end());
  host.bytes.resize(out.nbytes());
  if (out.nbytes() > 0) std::memcpy(host.bytes.data(), out.data<uint8_t>(), out.nbytes());
  return host;
}

std::vector<HostArray> evaluate(const std::string& path, const ReferenceCall& call) {
  try {
    mx::StreamContext cpu(mx::Device::cpu);
    auto fn = mx::import_function(path);
    mx::Args args;
    for (const auto& a : call.positional) args.push_back(to_mlx(a));
    mx::Kwargs kwargs;
    for (const auto& [name, a] : call.keyword) kwargs.insert_or_assign(name, to_mlx(a));
    std::vector<mx::array> outputs = fn(args, kwargs);
    std::vector<HostArray> results;
    for (const auto& out : outputs) results.push_back(from_mlx(out));
    return results;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail(ErrorCode::Verify, std::string("MLX could not evaluate ") + path + ": " + e.what());
  }
}

}  // namespace

std::vector<HostArray> evaluate_with_mlx(const std::string& path, const ReferenceCall& call) {
  std::vector<HostArray> results;
  run_on_mlx_thread([&] { results = evaluate(path, call); });
  return results;
}

std::string mlx_version() { return mx::version(); }

}  // namespace mlx_onnx
