#include "lower/registry.h"

#include <array>
#include <utility>

namespace mlx_onnx::lower {

const Rule* find_rule(std::string_view primitive) {
  for (auto family : {unary_rules(), binary_rules(), reduce_rules(), shape_rules(), index_rules(),
                      linalg_rules(), creation_rules(), conv_rules(), sort_rules(), scan_rules(),
                      scatter_rules(), fast_rules(), quantized_rules(), pad_rules(), strided_rules(),
                      random_rules(), view_rules()}) {
    for (const Rule& rule : family) {
      if (rule.primitive == primitive) return &rule;
    }
  }
  return nullptr;
}

std::string_view unsupported_reason(std::string_view primitive) {
  static const std::array<std::pair<std::string_view, std::string_view>, 14> reasons = {{
      {"FFT", "ONNX's DFT differs in layout and complex support; not planned"},
      {"QRF", "linear-algebra factorization: no ONNX operator"},
      {"SVD", "linear-algebra factorization: no ONNX operator"},
      {"Eig", "linear-algebra factorization: no ONNX operator"},
      {"Eigh", "linear-algebra factorization: no ONNX operator"},
      {"Cholesky", "linear-algebra factorization: no ONNX operator"},
      {"Inverse", "matrix inverse: no standard ONNX operator"},
      {"CustomKernel", "a Metal/CUDA kernel's source cannot run in ONNX"},
      {"LayerNormVJP", "gradient primitive: export inference functions"},
      {"RMSNormVJP", "gradient primitive: export inference functions"},
      {"Depends", "a scheduling dependency used by distributed and custom code"},
      {"Real", "complex numbers: ONNX Runtime has no complex kernels"},
      {"Imag", "complex numbers: ONNX Runtime has no complex kernels"},
      {"Conjugate", "complex numbers: ONNX Runtime has no complex kernels"},
  }};
  for (const auto& [name, reason] : reasons) {
    if (name == primitive) return reason;
  }
  return {};
}

}  // namespace mlx_onnx::lower
