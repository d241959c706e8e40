#pragma once
// MLX 0.32 gives each thread its own streams, and an imported function binds to the
// streams of the thread that first ran MLX. All MLX work of this package therefore runs
// on one long-lived thread, one task at a time.
#include <functional>

namespace mlx_onnx {

// Runs `task` on the MLX thread and waits for it; exceptions are rethrown here.
void run_on_mlx_thread(const std::function<void()>& task);

// MLX's import_function binds a file's streams to the first existing stream of the
// device, whichever thread made it. Called before any other MLX use (at addon load), this
// makes that first stream one that any thread may use (the MLX thread, serialized), while
// JavaScript threads that build arrays get their own.
void claim_first_mlx_stream();

}  // namespace mlx_onnx
