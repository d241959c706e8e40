#include "graph/error.h"

namespace mlx_onnx {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidInput: return "ERR_INVALID_INPUT";
    case ErrorCode::UnsupportedOp: return "ERR_UNSUPPORTED_OP";
    case ErrorCode::Io: return "ERR_IO";
    case ErrorCode::Verify: return "ERR_VERIFY";
    case ErrorCode::InvalidArgument: return "ERR_INVALID_ARGUMENT";
    case ErrorCode::Aborted: return "ERR_ABORTED";
  }
  return "ERR_INTERNAL";
}

}  // namespace mlx_onnx
