#pragma once
// Cooperative cancellation: long work checks a flag that another thread may raise (the
// caller's AbortSignal), and stops with ERR_ABORTED at the next check.
#include <atomic>
#include <cstdint>

#include "graph/error.h"

namespace mlx_onnx {

class Cancel {
 public:
  Cancel() = default;
  // `flag` is shared memory that stays valid for the duration of the work.
  explicit Cancel(const std::atomic<int32_t>* flag) : flag_(flag) {}

  bool requested() const { return flag_ != nullptr && flag_->load(std::memory_order_relaxed) != 0; }
  void check() const {
    if (requested()) fail(ErrorCode::Aborted, "the conversion was aborted; nothing was written");
  }

 private:
  const std::atomic<int32_t>* flag_ = nullptr;
};

}  // namespace mlx_onnx
