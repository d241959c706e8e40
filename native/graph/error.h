#pragma once
// The one exception type of the converter. Its code reaches JavaScript unchanged as
// `error.code`, so codes are part of the public API (see README, "Errors").
#include <stdexcept>
#include <string>

namespace mlx_onnx {

enum class ErrorCode { InvalidInput, UnsupportedOp, Io, Verify, InvalidArgument, Aborted };

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(ErrorCode code, const std::string& message) {
  throw Error(code, message);
}

}  // namespace mlx_onnx
