#include "capture/primitive_states.h"

#include <algorithm>

namespace mlx_onnx {
namespace {

using F = StateField;

// Checked against the 0.32.4 wheel's primitives.h and fast_primitives.h; the names are
// MLX's member names, which the lowering rules read the fields by. Enum fields (reduce
// types, modes, bases) are I32; their values are listed where they are lowered.
const std::vector<PrimitiveState>& table() {
  static const std::vector<PrimitiveState> states = {
      {"Abs", {}},
      {"Add", {}},
      {"AddMM", {{F::F32, "alpha"}, {F::F32, "beta"}}},
      {"Arange", {{F::F64, "start"}, {F::F64, "stop"}, {F::F64, "step"}}},
      {"ArcCos", {}},
      {"ArcCosh", {}},
      {"ArcSin", {}},
      {"ArcSinh", {}},
      {"ArcTan", {}},
      {"ArcTan2", {}},
      {"ArcTanh", {}},
      {"ArgPartition", {{F::I32, "kth"}, {F::I32, "axis"}}},
      {"ArgReduce", {{F::I32, "reduce_type"}, {F::I32, "axis"}}},  // ArgMin 0, ArgMax 1
      {"ArgSort", {{F::I32, "axis"}}},             
      {"AsStrided", {{F::Shape, "shape"}, {F::Strides, "strides"}, {F::U64, "offset"}}},
      {"AsType", {{F::Dtype, "dtype"}}},
      {"BitwiseBinary", {{F::I32, "op"}}},  // And, Or, Xor, LeftShift, RightShift
      {"BlockMaskedMM", {{F::I32, "block_size"}}},
      {"Broadcast", {{F::Shape, "shape"}}},
      {"BroadcastAxes", {{F::VecI32, "ignore_axes"}}},
      {"Ceil", {}},
      {"Cholesky", {{F::Bool, "upper"}}},
      {"Concatenate", {{F::I32, "axis"}}},
      {"Conjugate", {}},
      {"Convolution",
       {{F::VecI32, "strides"}, {F::VecI32, "padding_lo"}, {F::VecI32, "padding_hi"},
        {F::VecI32, "kernel_dilation"}, {F::VecI32, "input_dilation"}, {F::I32, "groups"},
        {F::Bool, "flip"}}},
      {"Copy", {}},
      {"Cos", {}},
      {"Cosh", {}},
      {"CustomKernel",
       {{F::Str, "name"}, {F::Str, "source"}, {F::I32x3, "grid"}, {F::I32x3, "threadgroup"},
        {F::BoolTriples, "shape_infos"}, {F::Bool, "row_contiguous"}, {F::OptF32, "init_value"},
        {F::Variants, "scalar_arguments"}, {F::Bool, "precompiled"}, {F::I32, "shared_memory"},
        {F::I32, "compile_options"}}},
      {"Depends", {}},
      {"Divide", {}},
      {"DivMod", {}},
      {"DynamicSlice", {{F::VecI32, "axes"}, {F::Shape, "slice_size"}}},
      {"DynamicSliceUpdate", {{F::VecI32, "axes"}}},
      {"Eig", {{F::Bool, "compute_eigenvectors"}}},
      {"Eigh", {{F::Str, "uplo"}, {F::Bool, "compute_eigenvectors"}}},
      {"Equal", {{F::Bool, "equal_nan"}}},
      {"Erf", {}},
      {"ErfInv", {}},
      {"Exp", {}},
      {"Expm1", {}},
      {"ExpandDims", {{F::VecI32, "axes"}}},
      {"FFT", {{F::VecU64, "axes"}, {F::Bool, "inverse"}, {F::Bool, "real"}, {F::Bool, "odd_out"}}},
      {"Flatten", {{F::I32, "start_axis"}, {F::I32, "end_axis"}}},
      {"Floor", {}},
      {"FloorDivide", {}},
      {"Full", {}},
      {"Gather", {{F::VecI32, "axes"}, {F::Shape, "slice_sizes"}}},
      {"GatherAxis", {{F::I32, "axis"}}},
      {"GatherMM", {{F::Bool, "left_sorted"}, {F::Bool, "right_sorted"}}},
      {"GatherQMM",
       {{F::I32, "group_size"}, {F::I32, "bits"}, {F::I32, "mode"}, {F::Bool, "transpose"},
        {F::Bool, "left_sorted"}, {F::Bool, "right_sorted"}}},
      {"Greater", {}},
      {"GreaterEqual", {}},
      {"Hadamard", {{F::F32, "scale"}}},
      {"Imag", {}},
      {"Inverse", {{F::Bool, "tri"}, {F::Bool, "upper"}}},
      {"LayerNorm", {{F::Placeholder, ""}, {F::F32, "eps"}}},
      {"LayerNormVJP", {{F::Placeholder, ""}, {F::F32, "eps"}}},
      {"Less", {}},
      {"LessEqual", {}},
      {"Log", {{F::I32, "base"}}},  // two 0, ten 1, e 2
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
      {"NumberOfElements", {{F::VecI32, "axes"}, {F::Bool, "inverted"}, {F::Dtype, "dtype"}}},
      {"Pad", {{F::VecI32, "axes"}, {F::Shape, "low"}, {F::Shape, "high"}}},
      {"Partition", {{F::I32, "kth"}, {F::I32, "axis"}}},
      {"Power", {}},
      {"QRF", {}},
      {"Quantize",
       {{F::Placeholder, ""}, {F::I32, "group_size"}, {F::I32, "bits"}, {F::I32, "mode"},
        {F::Bool, "dequantize"}}},
      {"QuantizedMatmul",
       {{F::I32, "group_size"}, {F::I32, "bits"}, {F::I32, "mode"}, {F::Bool, "transpose"}}},
      {"RMSNorm", {{F::Placeholder, ""}, {F::F32, "eps"}}},
      {"RMSNormVJP", {{F::Placeholder, ""}, {F::F32, "eps"}}},
      {"RandomBits", {{F::Shape, "shape"}, {F::I32, "width"}}},
      {"Real", {}},
      // reduce_type: And 0, Or 1, Sum 2, Prod 3, Min 4, Max 5
      {"Reduce", {{F::I32, "reduce_type"}, {F::VecI32, "axes"}}},
      {"Remainder", {}},
      {"Reshape", {{F::Shape, "shape"}}},
      {"RoPE",
       {{F::Placeholder, ""}, {F::I32, "dims"}, {F::Bool, "traditional"}, {F::F32, "base"},
        {F::F32, "scale"}, {F::Bool, "forward"}}},
      {"Round", {}},
      {"SVD", {{F::Bool, "compute_uv"}}},
      {"ScaledDotProductAttention",
       {{F::Placeholder, ""}, {F::F32, "scale"}, {F::Bool, "do_causal"}, {F::Bool, "has_sinks"},
        {F::Bool, "output_logsumexp"}, {F::Bool, "force_fused"}}},
      {"Scan", {{F::I32, "reduce_type"}, {F::I32, "axis"}, {F::Bool, "reverse"}, {F::Bool, "inclusive"}}},
      {"Scatter", {{F::I32, "reduce_type"}, {F::VecI32, "axes"}}},
      {"ScatterAxis", {{F::I32, "reduce_type"}, {F::I32, "axis"}}},
      {"SearchSorted", {{F::Bool, "right"}}},
      {"Select", {}},
      {"Sigmoid", {}},
      {"Sign", {}},
      {"Sin", {}},
      {"Sinh", {}},
      {"Slice", {{F::Shape, "start"}, {F::Shape, "end"}, {F::Shape, "strides"}}},
      {"SliceUpdate",
       {{F::I32, "reduce_type"}, {F::Shape, "start"}, {F::Shape, "end"}, {F::Shape, "strides"}}},
      {"Softmax", {{F::Bool, "precise"}}},
      {"Sort", {{F::I32, "axis"}}},
      {"Split", {{F::Shape, "indices"}, {F::I32, "axis"}}},
      {"Sqrt", {{F::Bool, "reciprocal"}}},  // Rsqrt
      {"Square", {}},
      {"Squeeze", {{F::VecI32, "axes"}}},
      {"StopGradient", {}},
      {"Subtract", {}},
      {"Tan", {}},
      {"Tanh", {}},
      {"Transpose", {{F::VecI32, "axes"}}},
      {"Unflatten", {{F::I32, "axis"}, {F::Shape, "shape"}}},
      {"View", {{F::Dtype, "dtype"}}},
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
