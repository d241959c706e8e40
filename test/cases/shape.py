"""Layout: reshape, flatten, transpose, broadcast, slicing, joining and splitting:
native/lower/shape.cpp."""
import mlx.core as mx

from .case import Case, const, randbool, randint, randn

CASES = []


def add(name, fn, inputs, covers, **tol):
    CASES.append(Case(name=f"shape_{name}", fn=fn, inputs=inputs, covers=covers, **tol))


x3 = randn((2, 3, 4), 401)
x4 = randn((2, 3, 4, 5), 402)
v10 = randn((10,), 403)
m68 = randn((6, 8), 404)

# Reshape / Flatten / Unflatten
add("reshape_3d_to_2d", lambda x: mx.reshape(x, (6, 4)), [x3], ["Reshape"])
add("reshape_infer_dim", lambda x: x.reshape(4, -1), [x3], ["Reshape"])
add("reshape_to_scalar", lambda x: mx.reshape(x, ()), [const([2.5])], ["Reshape"])
add("reshape_scalar_to_1d", lambda x: mx.reshape(x, (1, 1)), [const(1.5)], ["Reshape"])
add("reshape_i32", lambda x: mx.reshape(x, (3, 2, 2)), [randint((4, 3), 405, -9, 9)], ["Reshape"])
add("reshape_bool", lambda x: mx.reshape(x, (12,)), [randbool((3, 4), 406)], ["Reshape"])
add("reshape_after_transpose", lambda x: mx.reshape(mx.transpose(x, (1, 0, 2)), (3, 8)), [x3],
    ["Transpose", "Reshape"])
add("flatten_all", mx.flatten, [x3], ["Flatten"])
add("flatten_middle", lambda x: mx.flatten(x, 1, 2), [x4], ["Flatten"])
add("flatten_tail", lambda x: mx.flatten(x, start_axis=-2), [x4], ["Flatten"])
add("unflatten_axis0", lambda x: mx.unflatten(x, 0, (2, 5)), [v10], ["Unflatten"])
add("unflatten_last_infer", lambda x: mx.unflatten(x, -1, (2, -1)), [m68], ["Unflatten"])
add("flatten_unflatten", lambda x: mx.unflatten(mx.flatten(x, 1, 2), 1, (4, 3)), [x4],
    ["Flatten", "Unflatten"])

# Transpose
add("transpose_2d", mx.transpose, [m68], ["Transpose"])
add("transpose_3d_default", mx.transpose, [x3], ["Transpose"])
add("transpose_4d_perm", lambda x: mx.transpose(x, (0, 2, 1, 3)), [x4], ["Transpose"])
add("swapaxes", lambda x: mx.swapaxes(x, 0, 2), [x3], ["Transpose"])
add("moveaxis_i32", lambda x: mx.moveaxis(x, 0, -1), [randint((2, 3, 4), 407, -9, 9)], ["Transpose"])

# ExpandDims / Squeeze
add("expand_dims_front", lambda x: mx.expand_dims(x, 0), [m68], ["ExpandDims"])
add("expand_dims_multi", lambda x: mx.expand_dims(x, (0, 2)), [m68], ["ExpandDims"])
add("expand_dims_last", lambda x: x[..., None], [x3], ["ExpandDims"])
add("expand_dims_scalar", lambda x: mx.expand_dims(x, 0), [const(3.0)], ["ExpandDims"])
add("squeeze_axis", lambda x: mx.squeeze(x, 1), [randn((3, 1, 4), 408)], ["Squeeze"])
add("squeeze_all", mx.squeeze, [randn((1, 3, 1, 4, 1), 409)], ["Squeeze"])
add("squeeze_to_scalar", mx.squeeze, [randn((1, 1), 410)], ["Squeeze"])

# Broadcast
add("broadcast_to_rank_up", lambda x: mx.broadcast_to(x, (2, 3, 4)), [randn((3, 1), 411)], ["Broadcast"])
add("broadcast_to_scalar", lambda x: mx.broadcast_to(x, (2, 5)), [const(7.0)], ["Broadcast"])
add("broadcast_to_i32", lambda x: mx.broadcast_to(x, (4, 5)), [randint((5,), 412, -9, 9)], ["Broadcast"])
add("broadcast_to_bool", lambda x: mx.broadcast_to(x, (3, 2, 4)), [randbool((1, 4), 413)], ["Broadcast"])
add("broadcast_arrays", lambda a, b: list(mx.broadcast_arrays(a, b)), [randn((3, 1), 414), randn((4,), 415)],
    ["Broadcast"])

# Concatenate
add("concatenate_axis0", lambda a, b: mx.concatenate([a, b], axis=0), [randn((2, 4), 416), randn((3, 4), 417)],
    ["Concatenate"])
add("concatenate_axis1_three", lambda a, b, c: mx.concatenate([a, b, c], axis=1),
    [randn((2, 1, 4), 418), randn((2, 3, 4), 419), randn((2, 2, 4), 420)], ["Concatenate"])
add("concatenate_last_i32", lambda a, b: mx.concatenate([a, b], axis=-1),
    [randint((3, 2), 421, -9, 9), randint((3, 5), 422, -9, 9)], ["Concatenate"])
add("concatenate_same_input", lambda a: mx.concatenate([a, a * 2.0, a], axis=0), [randn((2, 3), 423)],
    ["Concatenate"])
add("stack", lambda a, b: mx.stack([a, b], axis=1), [randn((3, 4), 424), randn((3, 4), 425)],
    ["ExpandDims", "Concatenate"])

# Split
add("split_equal", lambda x: mx.split(x, 2, axis=0), [m68], ["Split"])
add("split_equal_last", lambda x: mx.split(x, 4, axis=-1), [x3], ["Split"])
add("split_indices", lambda x: mx.split(x, [3, 7]), [v10], ["Split"])
add("split_indices_axis1", lambda x: mx.split(x, [1, 2], axis=1), [x3], ["Split"])
add("split_i32", lambda x: mx.split(x, 3, axis=1), [randint((2, 6), 426, -9, 9)], ["Split"])

# Slice
add("slice_step2", lambda x: x[1:5:2], [v10], ["Slice"])
add("slice_reverse", lambda x: x[::-1], [v10], ["Slice"])
add("slice_reverse_step2", lambda x: x[::-2], [v10], ["Slice"])
add("slice_negative_range", lambda x: x[7:2:-2], [v10], ["Slice"])
add("slice_reverse_to_start", lambda x: x[5::-1], [v10], ["Slice"])
add("slice_negative_indices", lambda x: x[-4:-1], [v10], ["Slice"])
add("slice_2d", lambda x: x[1:4, 2:7:3], [m68], ["Slice"])
add("slice_2d_reverse_rows", lambda x: x[::-1, 1:], [m68], ["Slice"])
add("slice_3d_last_axis", lambda x: x[..., 1:3], [x3], ["Slice"])
add("slice_4d_mixed", lambda x: x[:, ::-1, 1:, ::2], [x4], ["Slice"])
add("slice_i32", lambda x: x[1:, ::-1], [randint((4, 5), 427, -9, 9)], ["Slice"])
add("take_int_index", lambda x: mx.take(x, 2, axis=0), [m68], ["Slice", "Squeeze"])
add("slice_halves_concat", lambda x: mx.concatenate([x[:, 4:], x[:, :4]], axis=1), [m68],
    ["Slice", "Concatenate"])
