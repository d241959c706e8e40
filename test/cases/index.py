"""Indexing: Gather (take, fancy indexing, embedding lookup) and GatherAxis
(take_along_axis): native/lower/index.cpp."""
import numpy as np
import mlx.core as mx

from .case import Case, const, randint, randn

CASES = []


def add(name, fn, inputs, covers, **tol):
    CASES.append(Case(name=f"index_{name}", fn=fn, inputs=inputs, covers=covers, **tol))


def idx(values, dtype="uint32"):
    return const(values, dtype)


x3 = randn((4, 5, 6), 501)
m = randn((6, 7), 502)

# take
add("take_axis0", lambda x, i: mx.take(x, i, axis=0), [m, idx([3, 0, 5, 3])], ["Gather"])
add("take_axis1", lambda x, i: mx.take(x, i, axis=1), [x3, idx([4, 1])], ["Gather"])
add("take_axis1_2d_indices", lambda x, i: mx.take(x, i, axis=1), [x3, idx([[0, 4], [2, 2], [1, 3]])],
    ["Gather"])
add("take_last_axis", lambda x, i: mx.take(x, i, axis=-1), [x3, idx([5, 0, 2])], ["Gather"])
add("take_scalar_index", lambda x, i: mx.take(x, i, axis=0), [m, idx(4)], ["Gather"])
add("take_scalar_index_axis1", lambda x, i: mx.take(x, i, axis=1), [x3, idx(2)], ["Gather"])
add("take_flat", lambda x, i: mx.take(x, i), [m, idx([0, 41, 17, 8])], ["Gather"])
add("take_int32_indices", lambda x, i: mx.take(x, i, axis=0), [m, idx([1, 5, 2], "int32")], ["Gather"])
add("take_i32_source", lambda x, i: mx.take(x, i, axis=0), [randint((5, 3), 503, -99, 99), idx([4, 4, 0])],
    ["Gather"])
add("take_const_indices", lambda x: mx.take(x, mx.array([2, 0], dtype=mx.uint32), axis=1), [x3],
    ["Gather"])

# Indexing with arrays
add("getitem_array_axis0", lambda x, i: x[i], [x3, idx([3, 1])], ["Gather"])
add("getitem_scalar_array", lambda x, i: x[i], [m, idx(5)], ["Gather"])
add("getitem_int_row", lambda x: x[1], [m], ["Gather"])
add("fancy_two_axes", lambda x, i, j: x[i, j], [x3, idx([0, 3, 2]), idx([4, 1, 1])], ["Gather"])
add("fancy_two_axes_2d_indices", lambda x, i, j: x[i, j],
    [x3, idx([[0, 1], [3, 2]]), idx([[4, 0], [1, 2]])], ["Gather"])
add("fancy_axes_0_2", lambda x, i, j: x[i, :, j], [x3, idx([1, 2, 3]), idx([5, 0, 4])], ["Gather"])
add("fancy_all_axes", lambda x, i, j, k: x[i, j, k], [x3, idx([0, 3]), idx([4, 1]), idx([5, 2])],
    ["Gather"])
add("fancy_broadcast_indices", lambda x, i, j: x[i, j], [m, idx([[0], [3], [5]]), idx([1, 6])], ["Gather"])
add("fancy_slice_then_index", lambda x, i: x[:, i], [m, idx([6, 0, 3])], ["Gather"])

# Embedding lookup
_weight = randn((20, 8), 504)
add("embedding_lookup", lambda w, ids: w[ids], [_weight, idx([[1, 5, 19, 0], [7, 7, 3, 12]])], ["Gather"])
add("embedding_const_weight", lambda ids: _weight[ids], [idx([2, 11, 19])], ["Gather"])
add("embedding_int32_ids", lambda w, ids: w[ids], [_weight, idx([[4, 0, 9]], "int32")], ["Gather"])

# take_along_axis (GatherAxis)
rs = np.random.RandomState(505)
add("take_along_axis0", lambda x, i: mx.take_along_axis(x, i, axis=0),
    [m, idx(rs.randint(0, 6, (3, 7)))], ["GatherAxis"])
add("take_along_axis1", lambda x, i: mx.take_along_axis(x, i, axis=1),
    [m, idx(rs.randint(0, 7, (6, 4)))], ["GatherAxis"])
add("take_along_last_3d", lambda x, i: mx.take_along_axis(x, i, axis=-1),
    [x3, idx(rs.randint(0, 6, (4, 5, 2)))], ["GatherAxis"])
add("take_along_axis_broadcast_index", lambda x, i: mx.take_along_axis(x, i, axis=1),
    [x3, idx(rs.randint(0, 5, (1, 3, 6)))], ["GatherAxis"])
add("take_along_axis_int32", lambda x, i: mx.take_along_axis(x, i, axis=1),
    [randint((4, 5), 506, -9, 9), idx(rs.randint(0, 5, (4, 5)), "int32")], ["GatherAxis"])
add("take_along_argmax", lambda x: mx.take_along_axis(x, mx.argmax(x, axis=1, keepdims=True), axis=1),
    [m], ["ArgReduce", "GatherAxis"])
