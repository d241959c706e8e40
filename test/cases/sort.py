"""Sort, ArgSort, Partition, ArgPartition and SearchSorted: native/lower/sort.cpp.

MLX only promises that a partition puts the kth element in place with smaller ones before
and larger ones after, so partition cases compare order-independent results: the sorted
first k+1 elements, the sorted rest, and the kth element."""
import numpy as np
import mlx.core as mx

from .case import F16_TOL, Case, const, randint, randn

CASES = []


def add(name, fn, inputs, covers, **kw):
    CASES.append(Case(name=f"sort_{name}", fn=fn, inputs=inputs, covers=covers, **kw))


def distinct(shape, seed, dtype="float32", step=0.25):
    """A shuffled grid of distinct values (exact in float16 for small sizes): no ties."""
    n = int(np.prod(shape))
    perm = np.random.RandomState(seed).permutation(n)
    return const(((perm - n // 2) * step).reshape(shape), dtype)


x2 = randn((4, 9), 701)
x3 = randn((3, 5, 6), 702)

# Sort
add("sort_last_axis", lambda x: mx.sort(x), [x2], ["Sort"])
add("sort_axis0", lambda x: mx.sort(x, axis=0), [x2], ["Sort"])
add("sort_3d_axis1", lambda x: mx.sort(x, axis=1), [x3], ["Sort"])
add("sort_3d_axis_neg3", lambda x: mx.sort(x, axis=-3), [x3], ["Sort"])
add("sort_flat", lambda x: mx.sort(x, axis=None), [x3], ["Sort"])
add("sort_1d_long", lambda x: mx.sort(x), [randn((1000,), 703)], ["Sort"])
add("sort_f16", lambda x: mx.sort(x, axis=1), [distinct((4, 16), 704, "float16")], ["Sort"], **F16_TOL)
add("sort_i32_ties", lambda x: mx.sort(x, axis=-1), [randint((5, 12), 705, -6, 6)], ["Sort"])
add("sort_u32", lambda x: mx.sort(x, axis=0), [randint((7, 3), 706, 0, 4000000000, "uint32")], ["Sort"])
add("sort_bool", lambda x: mx.sort(x > 0, axis=-1), [x2], ["Greater", "Sort"])
add("sort_nan_inf", lambda x: mx.sort(x, axis=-1),
    [const([[np.nan, 2.0, np.inf, -np.inf, 0.5, np.nan, -1.0],
            [3.0, np.inf, -2.0, np.nan, np.inf, 1.0, -np.inf]])], ["Sort"])
add("sort_opset23", lambda x: mx.sort(x), [x2], ["Sort"], options={"opset": 23})

# ArgSort
add("argsort_last_axis", lambda x: mx.argsort(x), [x2], ["ArgSort"])
add("argsort_axis0", lambda x: mx.argsort(x, axis=0), [x2], ["ArgSort"])
add("argsort_3d_axis1", lambda x: mx.argsort(x, axis=1), [x3], ["ArgSort"])
add("argsort_flat", lambda x: mx.argsort(x, axis=None), [x3], ["ArgSort"])
add("argsort_f16", lambda x: mx.argsort(x, axis=-1), [distinct((3, 20), 707, "float16")], ["ArgSort"])
# Ties keep their original order (MLX's sort is stable, TopK breaks ties by index).
add("argsort_i32_stable", lambda x: mx.argsort(x, axis=1), [randint((6, 10), 708, -3, 3)], ["ArgSort"])
add("argsort_bool_stable", lambda x: mx.argsort(x < 0, axis=0), [x3], ["Less", "ArgSort"])
add("argsort_u32", lambda x: mx.argsort(x), [randint((4, 6), 709, 0, 4000000000, "uint32")], ["ArgSort"])
add("argsort_nan_inf", lambda x: mx.argsort(x, axis=0),
    [const([[np.nan, 1.0], [np.inf, np.nan], [-1.0, np.inf], [np.nan, -np.inf], [np.inf, 2.0]])],
    ["ArgSort"])
add("argsort_gather_back", lambda x: mx.take_along_axis(x, mx.argsort(x, axis=1), axis=1), [x3],
    ["ArgSort", "GatherAxis"])


# Partition: order-independent views of the result.
def parts(p, k, axis):
    p = mx.moveaxis(p, axis, -1)
    return [mx.sort(p[..., :k + 1], axis=-1), mx.sort(p[..., k + 1:], axis=-1), p[..., k]]


def partition_case(name, x, k, axis=-1, **kw):
    kk = k % x.shape[axis]
    add(name, lambda x: parts(mx.partition(x, k, axis=axis), kk, axis), [x], ["Partition", "Sort"], **kw)


partition_case("partition_last_axis", x2, 3)
partition_case("partition_axis0", randn((8, 5), 710), 2, axis=0)
partition_case("partition_3d_axis1", x3, 1, axis=1)
partition_case("partition_kth0", x2, 0)
partition_case("partition_kth_last", x2, 8)
partition_case("partition_kth_negative", x2, -3)
partition_case("partition_i32", randint((4, 30), 711, -1000, 1000), 11)
partition_case("partition_f16", distinct((3, 24), 712, "float16"), 5, **F16_TOL)
add("partition_flat", lambda x: parts(mx.partition(x, 17, axis=None), 17, 0), [x3], ["Partition", "Sort"])


# ArgPartition: the values the indices pick, order-independently, and the kth index
# (unique: no ties).
def arg_parts(x, k, axis):
    idx = mx.argpartition(x, k, axis=axis)
    kk = k % x.shape[axis]
    picked = mx.take_along_axis(x, idx, axis=axis)
    return parts(picked, kk, axis) + [mx.moveaxis(idx, axis, -1)[..., kk]]


add("argpartition_last_axis", lambda x: arg_parts(x, 4, -1), [x2], ["ArgPartition", "GatherAxis", "Sort"])
add("argpartition_axis0", lambda x: arg_parts(x, 5, 0), [randn((8, 3), 713)],
    ["ArgPartition", "GatherAxis", "Sort"])
add("argpartition_3d_axis2", lambda x: arg_parts(x, 2, 2), [x3], ["ArgPartition", "GatherAxis", "Sort"])
add("argpartition_kth_negative", lambda x: arg_parts(x, -1, 1), [x2], ["ArgPartition", "GatherAxis", "Sort"])
add("argpartition_i32", lambda x: arg_parts(x, 7, -1), [distinct((5, 15), 714, "int32", step=3)],
    ["ArgPartition", "GatherAxis", "Sort"])
add("argpartition_f16", lambda x: arg_parts(x, 3, -1), [distinct((2, 12), 715, "float16")],
    ["ArgPartition", "GatherAxis", "Sort"])

# SearchSorted
seq = const(np.sort(np.random.RandomState(716).standard_normal(40)).astype(np.float32))
seq_ties = const([-2.0, -1.0, -1.0, 0.0, 0.5, 0.5, 0.5, 3.0])
queries = const([[-5.0, -1.0, 0.5], [0.25, 3.0, 9.0], [-2.0, 0.0, 0.75]])
add("searchsorted_left", lambda a, v: mx.searchsorted(a, v), [seq, randn((5, 7), 717, scale=1.5)],
    ["SearchSorted"])
add("searchsorted_right", lambda a, v: mx.searchsorted(a, v, side="right"),
    [seq, randn((5, 7), 718, scale=1.5)], ["SearchSorted"])
add("searchsorted_ties_left", lambda a, v: mx.searchsorted(a, v), [seq_ties, queries], ["SearchSorted"])
add("searchsorted_ties_right", lambda a, v: mx.searchsorted(a, v, side="right"), [seq_ties, queries],
    ["SearchSorted"])
add("searchsorted_scalar_value", lambda a, v: mx.searchsorted(a, v, side="right"), [seq_ties, const(0.5)],
    ["SearchSorted"])
add("searchsorted_i32", lambda a, v: mx.searchsorted(a, v),
    [const([-7, -3, 0, 0, 2, 9, 15], "int32"), randint((4, 6), 719, -10, 18)], ["SearchSorted"])
add("searchsorted_i32_right", lambda a, v: mx.searchsorted(a, v, side="right"),
    [const([-7, -3, 0, 0, 2, 9, 15], "int32"), randint((4, 6), 720, -10, 18)], ["SearchSorted"])
add("searchsorted_f16", lambda a, v: mx.searchsorted(a, v),
    [const([-1.5, -0.5, 0.0, 0.25, 1.0, 2.0], "float16"), const([[-2.0, 0.0, 0.3], [1.0, 2.5, -0.5]], "float16")],
    ["SearchSorted"])
add("searchsorted_promote", lambda a, v: mx.searchsorted(a, v),
    [const([-3, -1, 0, 4, 8], "int32"), randn((3, 4), 721, scale=4.0)], ["AsType", "SearchSorted"])
add("searchsorted_nan_left", lambda a, v: mx.searchsorted(a, v),
    [const([-1.0, 0.0, 2.0, np.inf, np.nan, np.nan]), const([np.nan, -np.inf, np.inf, 1.0, 5.0])],
    ["SearchSorted"])
add("searchsorted_nan_right", lambda a, v: mx.searchsorted(a, v, side="right"),
    [const([-1.0, 0.0, 2.0, np.inf, np.nan, np.nan]), const([np.nan, -np.inf, np.inf, 1.0, 5.0])],
    ["SearchSorted"])
add("searchsorted_const_sequence", lambda v: mx.searchsorted(mx.array([0.0, 1.0, 2.0, 4.0]), v),
    [randn((6,), 722, scale=2.0)], ["SearchSorted"])
