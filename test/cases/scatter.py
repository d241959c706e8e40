"""Writes into arrays: Scatter (x[idx] = u, x.at[idx].add/...), ScatterAxis
(put_along_axis), SliceUpdate (x[a:b] = u, x.at[a:b].add/...), DynamicSlice,
DynamicSliceUpdate (mx.slice / mx.slice_update) and MaskedScatter (x[mask] = v):
native/lower/scatter.cpp."""
import numpy as np
import mlx.core as mx

from .case import F16_TOL, Case, const, randbool, randint, randn, uniform

CASES = []


def add(name, fn, inputs, covers, **kw):
    CASES.append(Case(name=f"scatter_{name}", fn=fn, inputs=inputs, covers=covers, **kw))


def idx(values, dtype="uint32"):
    return const(values, dtype)


def setitem(key):
    """x[key] = u on a copy of x (the copy is an Add)."""
    def fn(x, *rest):
        y = x + 0
        *keys, u = rest
        y[key(*keys)] = u
        return y
    return fn


def vjp_of(f):
    """The gradient of f(x) for cotangent g: scatter_add and scatter_add_axis, which
    Python does not expose, are the gradients of gathers."""
    return lambda x, *rest: mx.vjp(lambda y: f(y, *rest[:-1]), [x], [rest[-1]])[1][0]


m = randn((6, 5), 701)
x3 = randn((4, 5, 6), 702)

# Scatter: x.at[idx].op(u), x[idx] = u
add("add_axis0_duplicates", lambda x, i, u: x.at[i].add(u), [m, idx([0, 2, 2, 5]), randn((4, 5), 703)],
    ["Scatter"])
add("add_scalar_update", lambda x, i: x.at[i].add(1.5), [m, idx([1, 4, 1])], ["Scatter"])
add("add_two_axes", lambda x, i, j, u: x.at[i, j].add(u),
    [x3, idx([0, 3, 3]), idx([1, 4, 4]), randn((3, 6), 704)], ["Scatter"])
add("add_2d_indices", lambda x, i, u: x.at[i].add(u), [m, idx([[0, 1], [1, 5]]), randn((2, 2, 5), 705)],
    ["Scatter"])
add("subtract", lambda x, i, u: x.at[i].subtract(u), [m, idx([3, 0]), randn((2, 5), 706)], ["Scatter"])
add("multiply", lambda x, i, u: x.at[i].multiply(u), [m, idx([2, 4, 2]), uniform((3, 5), 707, 0.5, 2.0)],
    ["Scatter"])
add("maximum", lambda x, i, u: x.at[i].maximum(u), [x3, idx([1, 3]), randn((2, 5, 6), 708)], ["Scatter"])
add("minimum_two_axes", lambda x, i, j, u: x.at[i, j].minimum(u),
    [x3, idx([2, 0, 2]), idx([1, 1, 1]), randn((3, 6), 709)], ["Scatter"])
add("set_axis0", setitem(lambda i: i), [m, idx([4, 1, 0]), randn((3, 5), 710)], ["Add", "Scatter"])
add("set_two_axes", setitem(lambda i, j: (i, j)), [x3, idx([0, 3, 1]), idx([4, 4, 0]), randn((3, 6), 711)],
    ["Add", "Scatter"])
add("set_axis1_all_rows", setitem(lambda i: (slice(None), i)), [x3, idx([3, 0]), randn((4, 2, 6), 712)],
    ["Add", "Scatter"])
add("set_array_then_slice", setitem(lambda i: (i, slice(1, 4))), [x3, idx([2, 0]), randn((2, 3, 6), 713)],
    ["Add", "Scatter"])
add("add_array_then_slice_two", lambda x, i, u: x.at[i, 1:3, 2:5].add(u),
    [x3, idx([1, 1, 3]), randn((3, 2, 3), 714)], ["Scatter"])
add("add_negative_int32", lambda x, i, u: x.at[i].add(u), [m, idx([-1, 0, -6, 2], "int32"), randn((4, 5), 715)],
    ["Scatter"])
# Gradients of gathers: scatter_add on a non-leading axis (moved to the front), and on
# three axes (x[i, :, j] indexes the middle axis with an arange).
add("add_axis1_from_take_vjp", vjp_of(lambda x, i: mx.take(x, i, axis=1)),
    [x3, idx([4, 0, 4]), randn((4, 3, 6), 724)], ["Scatter"])
add("add_three_axes_from_vjp", vjp_of(lambda x, i, j: x[i, :, j]),
    [x3, idx([1, 3, 1]), idx([5, 0, 5]), randn((3, 5), 725)], ["Scatter"])
add("add_int32_data", lambda x, i, u: x.at[i].add(u),
    [randint((6, 3), 716, -50, 50), idx([5, 5, 0]), randint((3, 3), 717, -9, 9)], ["Scatter"])
add("max_int32_data", lambda x, i, u: x.at[i].maximum(u),
    [randint((6, 3), 718, -50, 50), idx([1, 2]), randint((2, 3), 719, -50, 50)], ["Scatter"])
add("add_f16", lambda x, i, u: x.at[i].add(u),
    [randn((6, 5), 720, "float16"), idx([0, 3, 3]), randn((3, 5), 721, "float16")], ["Scatter"], **F16_TOL)
add("set_f16", setitem(lambda i: i), [randn((6, 5), 722, "float16"), idx([5, 2]), randn((2, 5), 723, "float16")],
    ["Add", "Scatter"], **F16_TOL)

# ScatterAxis: put_along_axis
rs = np.random.RandomState(730)
perm_rows = np.stack([rs.permutation(6)[:3] for _ in range(5)], axis=1)  # unique per column
add("put_along_axis0", lambda x, i, u: mx.put_along_axis(x, i, u, axis=0),
    [m, idx(perm_rows), randn((3, 5), 731)], ["ScatterAxis"])
add("put_along_axis1", lambda x, i, u: mx.put_along_axis(x, i, u, axis=1),
    [m, idx(np.stack([rs.permutation(5)[:2] for _ in range(6)])), randn((6, 2), 732)], ["ScatterAxis"])
add("put_along_last_3d_int32_idx", lambda x, i, u: mx.put_along_axis(x, i, u, axis=-1),
    [x3, idx(np.stack([[rs.permutation(6)[:1] for _ in range(5)] for _ in range(4)]), "int32"),
     randn((4, 5, 1), 733)], ["ScatterAxis"])
add("put_along_axis_scalar_value", lambda x, i: mx.put_along_axis(x, i, mx.array(7.0), axis=1),
    [m, idx(rs.randint(0, 5, (6, 1)))], ["ScatterAxis"])
add("put_along_axis_i32_data", lambda x, i, u: mx.put_along_axis(x, i, u, axis=1),
    [randint((4, 5), 734, -9, 9), idx(np.stack([rs.permutation(5)[:3] for _ in range(4)])),
     randint((4, 3), 735, -99, 99)], ["ScatterAxis"])
add("put_along_axis_f16", lambda x, i, u: mx.put_along_axis(x, i, u, axis=0),
    [randn((6, 5), 736, "float16"), idx(perm_rows), randn((3, 5), 737, "float16")], ["ScatterAxis"], **F16_TOL)



add("add_axis_from_take_along_vjp", vjp_of(lambda x, i: mx.take_along_axis(x, i, axis=1)),
    [m, idx(rs.randint(0, 5, (6, 4))), randn((6, 4), 738)], ["ScatterAxis"])

# SliceUpdate: x[slices] = u, x.at[slices].op(u)
add("slice_set_rows", setitem(lambda: slice(1, 3)), [m, randn((2, 5), 740)], ["Add", "SliceUpdate"])
add("slice_set_strided", setitem(lambda: (slice(1, 3), slice(None, None, 2))), [x3, randn((2, 3, 6), 741)],
    ["Add", "SliceUpdate"])
add("slice_set_int_row", setitem(lambda: 2), [m, randn((5,), 742)], ["Add", "SliceUpdate"])
add("slice_set_inner", setitem(lambda: (slice(None), slice(None), slice(2, 5))), [x3, randn((4, 5, 3), 743)],
    ["Add", "SliceUpdate"])
add("slice_set_reversed", setitem(lambda: slice(None, None, -1)), [m, randn((6, 5), 744)],
    ["Add", "SliceUpdate"])
add("slice_set_negative_stride", setitem(lambda: (slice(None), slice(4, 0, -2))), [m, randn((6, 2), 745)],
    ["Add", "SliceUpdate"])
add("slice_set_broadcast_scalar", setitem(lambda: (slice(1, None), slice(0, 2), slice(3, 4))), [x3, mx.array(9.0)],
    ["Add", "SliceUpdate"])
add("slice_add", lambda x, u: x.at[1:3, ::2].add(u), [x3, randn((2, 3, 6), 746)], ["SliceUpdate"])
add("slice_add_int_index", lambda x, u: x.at[1].add(u), [x3, randn((5, 6), 747)], ["SliceUpdate"])
add("slice_subtract", lambda x, u: x.at[:, 3:].subtract(u), [m, randn((6, 2), 748)], ["SliceUpdate"])
add("slice_multiply", lambda x, u: x.at[::3, 1:4].multiply(u), [m, uniform((2, 3), 749, 0.5, 2.0)],
    ["SliceUpdate"])
add("slice_maximum", lambda x: x.at[:, :, 1:5:2].maximum(0.0), [x3], ["SliceUpdate"])
add("slice_minimum", lambda x, u: x.at[2:, -2:].minimum(u), [m, randn((4, 2), 750)], ["SliceUpdate"])
add("slice_set_int32", setitem(lambda: (slice(0, 2), 1)), [randint((3, 4), 751, -9, 9), randint((2,), 752, 50, 60)],
    ["Add", "SliceUpdate"])
add("slice_add_f16", lambda x, u: x.at[1:4].add(u), [randn((6, 5), 753, "float16"), randn((3, 5), 754, "float16")],
    ["SliceUpdate"], **F16_TOL)
add("slice_set_f16", setitem(lambda: (slice(None), slice(1, 3))),
    [randn((4, 5, 6), 755, "float16"), randn((4, 2, 6), 756, "float16")], ["Add", "SliceUpdate"], **F16_TOL)

# A write along one axis, every other axis whole, is joined around the update (no ScatterND):
# phi3's x.at[..., :rot].multiply(scale), a copy into the middle, a maximum.
add("slice_multiply_head_part", lambda x, s: x.at[..., :4].multiply(s),
    [randn((2, 3, 5, 8), 755), uniform((4,), 756, 0.5, 2.0)], ["SliceUpdate"],
    onnx_ops={"Expand": 1, "Slice": 2, "Mul": 1, "Concat": 1})
add("slice_set_middle_rows", setitem(lambda: slice(2, 4)), [m, randn((2, 5), 757)], ["SliceUpdate"],
    onnx_ops={"Add": 1, "Slice": 2, "Concat": 1})
add("slice_maximum_middle_columns", lambda x, u: x.at[:, 1:3].maximum(u), [m, randn((6, 2), 758)], ["SliceUpdate"],
    onnx_ops={"Slice": 3, "Max": 1, "Concat": 1})

# DynamicSlice: mx.slice with a start array
add("dynamic_slice_axis1", lambda x, s: mx.slice(x, s, [1], (4, 2, 6)), [x3, idx([2], "int32")],
    ["DynamicSlice"])
add("dynamic_slice_two_axes", lambda x, s: mx.slice(x, s, [0, 2], (2, 5, 3)), [x3, idx([1, 3])],
    ["DynamicSlice"])
add("dynamic_slice_cuts_other_axis", lambda x, s: mx.slice(x, s, [0], (3, 2)), [m, idx([2], "int32")],
    ["DynamicSlice"])
add("dynamic_slice_scalar_start", lambda x, s: mx.slice(x, s, [1], (6, 3)), [m, mx.array(1, dtype=mx.int32)],
    ["DynamicSlice"])
add("dynamic_slice_int32_data", lambda x, s: mx.slice(x, s, [0, 1], (2, 2)), [randint((6, 5), 760, -9, 9),
                                                                             idx([3, 2])], ["DynamicSlice"])
add("dynamic_slice_f16", lambda x, s: mx.slice(x, s, [2], (4, 5, 4)), [randn((4, 5, 6), 761, "float16"),
                                                                      idx([1], "int32")], ["DynamicSlice"])

# DynamicSliceUpdate: mx.slice_update with a start array (the KV-cache write)
cache = randn((2, 3, 8, 4), 770)
add("dynamic_update_kv_cache", lambda c, u, s: mx.slice_update(c, u, s, [2]),
    [cache, randn((2, 3, 1, 4), 771), idx([5], "int32")], ["DynamicSliceUpdate"])
add("dynamic_update_kv_block", lambda c, u, s: mx.slice_update(c, u, s, [2]),
    [cache, randn((2, 3, 3, 4), 772), idx([4])], ["DynamicSliceUpdate"])
add("dynamic_update_two_axes", lambda x, u, s: mx.slice_update(x, u, s, [0, 2]),
    [x3, randn((2, 5, 3), 773), idx([1, 2], "int32")], ["DynamicSliceUpdate"])
add("dynamic_update_partial_other_axis", lambda x, u, s: mx.slice_update(x, u, s, [0]),
    [m, randn((2, 3), 774), idx([3], "int32")], ["DynamicSliceUpdate"])
add("dynamic_update_last_axis", lambda x, u, s: mx.slice_update(x, u, s, [-1]),
    [x3, randn((4, 5, 2), 775), idx([4], "int32")], ["DynamicSliceUpdate"])
add("dynamic_update_f16", lambda c, u, s: mx.slice_update(c, u, s, [2]),
    [randn((2, 3, 8, 4), 776, "float16"), randn((2, 3, 1, 4), 777, "float16"), idx([7], "int32")],
    ["DynamicSliceUpdate"], **F16_TOL)
add("dynamic_update_int32", lambda x, u, s: mx.slice_update(x, u, s, [1]),
    [randint((3, 6), 778, -9, 9), randint((3, 2), 779, 50, 60), idx([2], "int32")], ["DynamicSliceUpdate"])

# MaskedScatter: x[mask] = v
mask2 = randbool((6, 5), 780)
add("masked_full_mask", setitem(lambda k: k), [m, mask2, randn((30,), 781)], ["Add", "MaskedScatter"])
add("masked_exact_count", setitem(lambda k: k),
    [m, mask2, randn((int(np.array(mask2).sum()),), 782)], ["Add", "MaskedScatter"])
add("masked_rows", setitem(lambda k: k), [x3, randbool((4, 5), 783), randn((20, 6), 784)],
    ["Add", "MaskedScatter"])
add("masked_scalar_value", setitem(lambda k: k), [x3, randbool((4, 5, 6), 785), mx.array(-3.0)],
    ["Add", "MaskedScatter"])
add("masked_int32", setitem(lambda k: k), [randint((5, 4), 786, -9, 9), randbool((5, 4), 787),
                                           randint((20,), 788, 50, 99)], ["Add", "MaskedScatter"])
add("masked_f16", setitem(lambda k: k), [randn((6, 5), 789, "float16"), mask2, randn((30,), 790, "float16")],
    ["Add", "MaskedScatter"], **F16_TOL)


def masked_where_positive(x, v):
    y = x + 0
    y[x > 0] = v
    return y


add("masked_from_comparison", masked_where_positive, [m, randn((30,), 791)], ["Add", "Greater", "MaskedScatter"])
