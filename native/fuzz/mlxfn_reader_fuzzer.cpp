// libFuzzer target: the .mlxfn reader on arbitrary bytes. Any input must end in a parsed
// file or an mlx_onnx::Error, never a crash, an out-of-bounds read or a hang.
#include <cstddef>
#include <cstdint>

#include "capture/mlxfn_reader.h"
#include "graph/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    mlx_onnx::MlxfnFile file = mlx_onnx::parse_mlxfn({data, size}, nullptr, "fuzz input");
    for (const auto& graph : file.traces) (void)graph.op_histogram();
  } catch (const mlx_onnx::Error&) {
  }
  return 0;
}
