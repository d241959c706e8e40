// libFuzzer target: the safetensors header check on arbitrary bytes (taken as a whole
// file). Any input must end in a checked header or an mlx_onnx::Error, never a crash,
// an out-of-bounds read or a hang.
#include <cstddef>
#include <cstdint>

#include "capture/safetensors_header.h"
#include "graph/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)mlx_onnx::check_safetensors_header({data, size}, size, "fuzz input");
  } catch (const mlx_onnx::Error&) {
  }
  return 0;
}
