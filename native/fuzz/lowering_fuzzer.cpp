// libFuzzer target: the whole conversion of arbitrary bytes — read, prune, lower every
// trace to an ONNX model (not written). Anything must end in a model or an error, never
// a crash, undefined behaviour or any exception but the converter's own error.
#include <cstddef>
#include <cstdint>

#include "capture/mlxfn_reader.h"
#include "graph/error.h"
#include "lower/lower_graph.h"
#include "passes/optimize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    mlx_onnx::MlxfnFile file = mlx_onnx::parse_mlxfn({data, size}, nullptr, "fuzz input");
    for (auto& graph : file.traces) {
      mlx_onnx::passes::optimize_graph(graph);
      (void)mlx_onnx::lower::lower_graph(graph, {});
    }
  } catch (const mlx_onnx::Error&) {
  }
  return 0;
}
