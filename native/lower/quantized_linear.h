#pragma once
// x · deq(W)ᵀ for a constant 2-D affine-quantized weight (QuantizedLinear, a tied
// QuantizedEmbedding's head), in the layouts ONNX Runtime runs without rebuilding the
// weight on every run: com.microsoft.MatMulNBits (Target::Ort), or a blocked
// DequantizeLinear over [K, N] feeding MatMul, which ONNX Runtime fuses into MatMulNBits.
#include <string>

#include "lower/context.h"

namespace mlx_onnx::lower {

// Writes `output` = x · deq(w)ᵀ in float32 for QuantizedMatmul(x, w, scales, biases) with
// transpose=true; `x` is operand 0 in float32. False (nothing written) when the weight does
// not qualify: not a constant 2-D weight with constant scales and biases, or bits the
// target's layout lacks (Ort: 2, 4, 8; Standard: 4, 8 from opset 21 on).
bool lower_constant_quantized_linear(Context& ctx, const Node& node, int64_t group_size, int64_t bits,
                                     const std::string& x, const std::string& output);

}  // namespace mlx_onnx::lower
