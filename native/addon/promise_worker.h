#pragma once
// Runs native work off the JavaScript thread and settles a Promise with its result.
// Every C++ exception becomes a JS Error with a stable `code`.
#include <napi.h>

#include <functional>
#include <optional>
#include <string>

#include "graph/error.h"

namespace mlx_onnx::addon {

Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message);

template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<Result()>;
  using ToJs = std::function<Napi::Value(Napi::Env, Result&)>;

  static Napi::Promise start(Napi::Env env, Work work, ToJs to_js) {
    auto* worker = new PromiseWorker(env, std::move(work), std::move(to_js));
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

 protected:
  void Execute() override {
    try {
      result_.emplace(work_());
    } catch (const Error& e) {
      code_ = error_code_name(e.code());
      message_ = e.what();
    } catch (const std::exception& e) {
      code_ = "ERR_INTERNAL";
      message_ = e.what();
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!result_) return deferred_.Reject(make_error(env, code_, message_).Value());
    try {
      deferred_.Resolve(to_js_(env, *result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  PromiseWorker(Napi::Env env, Work work, ToJs to_js)
      : Napi::AsyncWorker(env, "mlx-onnx"), deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)), to_js_(std::move(to_js)) {}

  Napi::Promise::Deferred deferred_;
  Work work_;
  ToJs to_js_;
  std::optional<Result> result_;
  std::string code_, message_;
};

}  // namespace mlx_onnx::addon
