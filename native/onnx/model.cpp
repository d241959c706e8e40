#include "onnx/model.h"

#include <cstring>

namespace mlx_onnx::onnx {

Tensor owned_tensor(std::string name, ElemType type, std::vector<int64_t> dims,
                    const void* bytes, size_t nbytes) {
  auto buffer = std::make_shared<std::vector<uint8_t>>(nbytes);
  if (nbytes > 0) std::memcpy(buffer->data(), bytes, nbytes);
  Tensor t;
  t.name = std::move(name);
  t.type = type;
  t.dims = std::move(dims);
  t.data = buffer->data();
  t.nbytes = nbytes;
  t.owner = buffer;
  t.inline_only = true;
  return t;
}

}  // namespace mlx_onnx::onnx
