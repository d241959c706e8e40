#include "capture/primitive_states.h"

#include <algorithm>

namespace mlx_onnx {
namespace {

using F = StateField;

// Checked against the 0.32.4 wheel's primitives.h and fast_primitives.h. Enum fields
// (reduce types, modes, bases) are I32; their values are listed where they are lowered.
const std::vector<PrimitiveState>& table() {
  static const std::vector<PrimitiveState> states = {
      {"Abs", {}},
      {"Add", {}},
      {"AddMM", {F::F32, F::F32}},  // alpha, beta
      {"Arange", {F::F64, F::F64, F::F64}},  // start, stop, step
      {"ArcCos", {}},
      {"ArcCosh", {}},
      {"ArcSin", {}},
      {"ArcSinh", {}},
      {"ArcTan", {}},
      {"ArcTan2", {}},
      {"ArcTanh", {}},
      {"ArgPartition", {F::I32, F::I32}},  // kth, axis
      {"ArgReduce", {F::I32, F::I32}},     // reduce type (ArgMin 0, ArgMax 1), axis
      {"ArgSort", {F::I32}},               // axis
      {"AsStrided", {F::Shape, F::Strides, F::U64}},  // shape, strides, offset
      {"AsType", {F::Dtype}},
      {"BitwiseBinary", {F::I32}},  // And, Or, Xor, LeftShift, RightShift
      {"BlockMaskedMM", {F::I32}},  // block size
      {"Broadcast", {F::Shape}},
      {"BroadcastAxes", {F::VecI32}},  // ignored axes
      {"Ceil", {}},
      {"Cholesky", {F::Bool}},
      {"Concatenate", {F::I32}},
      {"Conjugate", {}},
      // strides, padding lo, padding hi, kernel dilation, input dilation, groups, flip
      {"Convolution", {F::VecI32, F::VecI32, F::VecI32, F::VecI32, F::VecI32, F::I32, F::Bool}},
      {"Copy", {}},
      {"Cos", {}},
      {"Cosh", {}},
      // name, source, grid, threadgroup, shape infos, row contiguous, init value,
      // scalar arguments, precompiled, shared memory, compile options
      {"CustomKernel",
       {F::Str, F::Str, F::I32x3, F::I32x3, F::BoolTriples, F::Bool, F::OptF32, F::Variants,
        F::Bool, F::I32, F::I32}},
      {"Depends", {}},
      {"Divide", {}},
      {"DivMod", {}},
      {"DynamicSlice", {F::VecI32, F::Shape}},  // axes, slice size
      {"DynamicSliceUpdate", {F::VecI32}},      // axes
      {"Eig", {F::Bool}},
      {"Eigh", {F::Str, F::Bool}},
      {"Equal", {F::Bool}},  // equal_nan
      {"Erf", {}},
      {"ErfInv", {}},
      {"Exp", {}},
      {"Expm1", {}},
      {"ExpandDims", {F::VecI32}},
      {"FFT", {F::VecU64, F::Bool, F::Bool, F::Bool}},  // axes, inverse, real, odd_out
      {"Flatten", {F::I32, F::I32}},  // start axis, end axis
      {"Floor", {}},
      {"FloorDivide", {}},
      {"Full", {}},
      {"Gather", {F::VecI32, F::Shape}},  // axes, slice sizes
      {"GatherAxis", {F::I32}},
      {"GatherMM", {F::Bool, F::Bool}},
      // group size, bits, mode, transpose, left sorted, right sorted
      {"GatherQMM", {F::I32, F::I32, F::I32, F::Bool, F::Bool, F::Bool}},
      {"Greater", {}},
      {"GreaterEqual", {}},
      {"Hadamard", {F::F32}},
      {"Imag", {}},
      {"Inverse", {F::Bool, F::Bool}},
      {"LayerNorm", {F::Placeholder, F::F32}},
      {"LayerNormVJP", {F::Placeholder, F::F32}},
      {"Less", {}},
      {"LessEqual", {}},
      {"Log", {F::I32}},  // base: two 0, ten 1, e 2
      {"Log1p", {}},
      {"LogAddExp", {}},
      {"LogSumExp", {}},
      {"LogicalAnd", {}},
      {"LogicalNot", {}},
      {"LogicalOr", {}},
      {"MaskedScatter", {}},
      {"Matmul", {}},
      {"Maximum", {}},
      {"Minimum", {}},
      {"Multiply", {}},
      {"Negative", {}},
      {"NotEqual", {}},
      {"NumberOfElements", {F::VecI32, F::Bool, F::Dtype}},  // axes, inverted, dtype
      {"Pad", {F::VecI32, F::Shape, F::Shape}},  // axes, low, high
      {"Partition", {F::I32, F::I32}},
      {"Power", {}},
      {"QRF", {}},
      {"Quantize", {F::Placeholder, F::I32, F::I32, F::I32, F::Bool}},
      {"QuantizedMatmul", {F::I32, F::I32, F::I32, F::Bool}},
      {"RMSNorm", {F::Placeholder, F::F32}},
      {"RMSNormVJP", {F::Placeholder, F::F32}},
      {"RandomBits", {F::Shape, F::I32}},
      {"Real", {}},
      {"Reduce", {F::I32, F::VecI32}},  // And 0, Or 1, Sum 2, Prod 3, Min 4, Max 5; axes
      {"Remainder", {}},
      {"Reshape", {F::Shape}},
      // dims, traditional, base, scale, forward
      {"RoPE", {F::Placeholder, F::I32, F::Bool, F::F32, F::F32, F::Bool}},
      {"Round", {}},
      {"SVD", {F::Bool}},
      // scale, causal, sinks, output logsumexp, force fused
      {"ScaledDotProductAttention",
       {F::Placeholder, F::F32, F::Bool, F::Bool, F::Bool, F::Bool}},
      {"Scan", {F::I32, F::I32, F::Bool, F::Bool}},  // type, axis, reverse, inclusive
      {"Scatter", {F::I32, F::VecI32}},
      {"ScatterAxis", {F::I32, F::I32}},
      {"SearchSorted", {F::Bool}},
      {"Select", {}},
      {"Sigmoid", {}},
      {"Sign", {}},
      {"Sin", {}},
      {"Sinh", {}},
      {"Slice", {F::Shape, F::Shape, F::Shape}},  // start, end, strides
      {"SliceUpdate", {F::I32, F::Shape, F::Shape, F::Shape}},
      {"Softmax", {F::Bool}},  // precise
      {"Sort", {F::I32}},
      {"Split", {F::Shape, F::I32}},  // indices, axis
      {"Sqrt", {F::Bool}},            // reciprocal (Rsqrt)
      {"Square", {}},
      {"Squeeze", {F::VecI32}},
      {"StopGradient", {}},
      {"Subtract", {}},
      {"Tan", {}},
      {"Tanh", {}},
      {"Transpose", {F::VecI32}},
      {"Unflatten", {F::I32, F::Shape}},
      {"View", {F::Dtype}},
  };
  return states;
}

}  // namespace

const PrimitiveState* find_primitive_state(std::string_view name) {
  const auto& states = table();
  auto it = std::find_if(states.begin(), states.end(),
                         [&](const PrimitiveState& s) { return s.name == name; });
  return it == states.end() ? nullptr : &*it;
}

std::span<const PrimitiveState> all_primitive_states() { return table(); }

}  // namespace mlx_onnx
