#include "reference/mlx_thread.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <thread>

#include "mlx/mlx.h"

namespace mlx_onnx {
namespace {

class MlxThread {
 public:
  MlxThread() : thread_([this] { loop(); }) { thread_.detach(); }

  void run(const std::function<void()>& task) {
    std::packaged_task<void()> job(task);
    auto done = job.get_future();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(job));
    }
    ready_.notify_one();
    done.get();
  }

 private:
  // Detached and never joined: it lives as long as the process (the addon cannot be
  // unloaded while MLX's own thread-local state refers to it).
  void loop() {
    for (;;) {
      std::packaged_task<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<void()>> queue_;
  std::thread thread_;
};

}  // namespace

void run_on_mlx_thread(const std::function<void()>& task) {
  static MlxThread* thread = new MlxThread();  // intentionally never destroyed
  thread->run(task);
}

void claim_first_mlx_stream() { mlx::core::new_thread_unsafe_stream(mlx::core::Device::cpu); }

}  // namespace mlx_onnx
