#pragma once
// MLX 0.32 gives each thread its own streams, and an imported function binds to the
// streams of the thread that first ran MLX. All MLX work of this package therefore runs
// on one long-lived thread, one task at a time.
#include <functional>

namespace mlx_onnx {

// Runs `task` on the MLX thread and waits for it; exceptions are rethrown here.
void run_on_mlx_thread(const std::function<void()>& task);

}  // namespace mlx_onnx
