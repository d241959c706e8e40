#pragma once
// The serialized state of every MLX 0.32.4 primitive, field by field, in the order of
// its `state()` (which is also its constructor's order). The `.mlxfn` tape has no
// length prefix for a state, so a reader must know every primitive's layout to get past
// it, even one the converter cannot lower.
#include <span>
#include <string_view>
#include <vector>

namespace mlx_onnx {

enum class StateField {
  Placeholder,  // the fallback function of fast:: primitives: 0 bytes, no attribute
  Bool,
  I32,
  U64,
  F32,
  F64,
  Dtype,
  Shape,       // u64 n, n × i32
  Strides,     // u64 n, n × i64
  VecI32,      // u64 n, n × i32
  VecU64,      // u64 n, n × u64
  Str,         // u64 n, n bytes
  OptF32,      // bool, then f32 when true
  I32x3,       // three i32 (CustomKernel grid / threadgroup)
  BoolTriples, // u64 n, n × (bool, bool, bool)
  Variants,    // u64 n, n × (i32 tag, value)
};

// One field of a state: how it is written, and MLX's name for it ("" for a placeholder),
// by which lowering rules read it (Node::attr).
struct StateFieldSpec {
  StateField type;
  std::string_view name;
};

struct PrimitiveState {
  std::string_view name;
  std::vector<StateFieldSpec> fields;
};

// nullptr when MLX 0.32.4 has no primitive of that name.
const PrimitiveState* find_primitive_state(std::string_view name);
std::span<const PrimitiveState> all_primitive_states();

}  // namespace mlx_onnx
