"""Reductions, ArgReduce, Softmax and LogSumExp: native/lower/reduce.cpp."""
import numpy as np
import mlx.core as mx

from .case import F16_TOL, Case, const, randbool, randint, randn, uniform

CASES = []


def add(name, fn, inputs, covers, **tol):
    CASES.append(Case(name=f"reduce_{name}", fn=fn, inputs=inputs, covers=covers, **tol))


def distinct(shape, seed, dtype="float32"):
    """A permutation of 0..n-1 (shifted and scaled): no ties for arg reductions."""
    n = int(np.prod(shape))
    v = np.random.RandomState(seed).permutation(n).reshape(shape)
    if dtype == "int32":
        return const(v - n // 2, "int32")
    return const((v - n / 2) * 0.37, dtype)


x3 = randn((2, 3, 4), 301)

# Reduce: sum / prod / min / max / all / any
add("sum_axis1", lambda x: mx.sum(x, axis=1), [x3], ["Reduce"])
add("sum_axes02", lambda x: mx.sum(x, axis=(0, 2)), [x3], ["Reduce"])
add("sum_keepdims", lambda x: mx.sum(x, axis=-1, keepdims=True), [x3], ["Reduce"])
add("sum_all", mx.sum, [x3], ["Reduce"])
add("sum_all_keepdims", lambda x: mx.sum(x, keepdims=True), [x3], ["Reduce"])
add("sum_i32", lambda x: mx.sum(x, axis=0), [randint((5, 6), 302, -100, 100)], ["Reduce"])
add("sum_f16", lambda x: mx.sum(x, axis=1), [randn((4, 16), 303, "float16")], ["Reduce"],
    atol=1e-2, rtol=2e-3)
add("sum_bool_count", lambda x: mx.sum(x, axis=1), [randbool((4, 9), 304)], ["Reduce"])
add("sum_4d", lambda x: mx.sum(x, axis=(1, 3)), [randn((2, 3, 4, 5), 305)], ["Reduce"])
add("prod_axis1", lambda x: mx.prod(x, axis=1), [uniform((3, 5, 2), 306, 0.5, 1.5)], ["Reduce"])
add("prod_all_keepdims", lambda x: mx.prod(x, keepdims=True), [uniform((2, 6), 307, 0.6, 1.4)], ["Reduce"])
add("prod_i32", lambda x: mx.prod(x, axis=-1), [randint((4, 4), 308, -4, 5)], ["Reduce"])
add("min_axis0", lambda x: mx.min(x, axis=0), [x3], ["Reduce"])
add("min_axes_keepdims", lambda x: mx.min(x, axis=(1, 2), keepdims=True), [x3], ["Reduce"])
add("min_i32", lambda x: mx.min(x, axis=1), [randint((4, 7), 309, -100, 100)], ["Reduce"])
add("max_axis2", lambda x: mx.max(x, axis=2), [x3], ["Reduce"])
add("max_all", mx.max, [x3], ["Reduce"])
add("max_i32_keepdims", lambda x: mx.max(x, axis=0, keepdims=True), [randint((4, 7), 310, -100, 100)],
    ["Reduce"])
add("max_f16", lambda x: mx.max(x, axis=-1), [randn((4, 8), 311, "float16")], ["Reduce"], **F16_TOL)
add("all_axis1", lambda x: mx.all(x, axis=1), [randbool((4, 3), 312, p=0.8)], ["Reduce"])
add("all_everything", mx.all, [randbool((2, 3, 4), 313, p=0.95)], ["Reduce"])
add("any_axes", lambda x: mx.any(x, axis=(0, 2)), [randbool((3, 4, 5), 314, p=0.05)], ["Reduce"])
add("any_keepdims", lambda x: mx.any(x, axis=-1, keepdims=True), [randbool((4, 3), 315, p=0.2)],
    ["Reduce"])
add("any_from_compare_f32", lambda x: mx.any(x > 1.0, axis=1), [randn((5, 6), 316)],
    ["Greater", "Reduce"])
add("all_i32", lambda x: mx.all(x, axis=0), [randint((3, 5), 317, 0, 3)], ["Reduce"])
add("mean_axis", lambda x: mx.mean(x, axis=-1), [x3], ["Reduce"])
add("var_axis", lambda x: mx.var(x, axis=0), [randn((6, 5), 318)], ["Reduce"])

# ArgReduce
add("argmax_axis1", lambda x: mx.argmax(x, axis=1), [distinct((4, 6), 319)], ["ArgReduce"])
add("argmin_axis0", lambda x: mx.argmin(x, axis=0), [distinct((4, 6), 320)], ["ArgReduce"])
add("argmax_last_keepdims", lambda x: mx.argmax(x, axis=-1, keepdims=True), [distinct((2, 3, 5), 321)],
    ["ArgReduce"])
add("argmin_3d_axis1", lambda x: mx.argmin(x, axis=1), [distinct((2, 3, 5), 322)], ["ArgReduce"])
add("argmax_flat", mx.argmax, [distinct((3, 5), 323)], ["ArgReduce"])
add("argmax_i32", lambda x: mx.argmax(x, axis=1), [distinct((4, 6), 324, "int32")], ["ArgReduce"])
add("argmin_f16", lambda x: mx.argmin(x, axis=-1), [distinct((4, 6), 325, "float16")], ["ArgReduce"])
add("argmax_1d", lambda x: mx.argmax(x, axis=0), [distinct((9,), 326)], ["ArgReduce"])

# Softmax
add("softmax_last", lambda x: mx.softmax(x, axis=-1), [randn((2, 3, 8), 327, scale=3.0)], ["Softmax"])
add("softmax_1d", lambda x: mx.softmax(x, axis=-1), [randn((10,), 328)], ["Softmax"])
add("softmax_4d", lambda x: mx.softmax(x, axis=-1), [randn((2, 2, 4, 4), 329, scale=2.0)], ["Softmax"])
add("softmax_f16_precise", lambda x: mx.softmax(x, axis=-1, precise=True),
    [randn((4, 8), 330, "float16", scale=3.0)], ["Softmax"], **F16_TOL)
add("softmax_f16", lambda x: mx.softmax(x, axis=-1), [randn((4, 8), 331, "float16", scale=3.0)],
    ["Softmax"], **F16_TOL)
add("softmax_large_values", lambda x: mx.softmax(x, axis=-1), [randn((3, 6), 332, scale=40.0)],
    ["Softmax"])

# LogSumExp
add("logsumexp_last", lambda x: mx.logsumexp(x, axis=-1), [randn((2, 3, 8), 333, scale=3.0)],
    ["LogSumExp"])
add("logsumexp_keepdims", lambda x: mx.logsumexp(x, axis=-1, keepdims=True), [randn((4, 8), 334)],
    ["LogSumExp"])
add("logsumexp_large_values", lambda x: mx.logsumexp(x, axis=-1), [randn((3, 6), 335, scale=50.0)],
    ["LogSumExp"], atol=1e-4)
add("logsumexp_f16", lambda x: mx.logsumexp(x, axis=-1), [randn((4, 8), 336, "float16")], ["LogSumExp"],
    **F16_TOL)
# Over a non-last axis or all axes MLX records the decomposition, not LogSumExp.
add("logsumexp_axis0", lambda x: mx.logsumexp(x, axis=0), [randn((5, 3), 337)],
    ["Reduce", "Exp", "Log", "Select"])
add("logsumexp_all", mx.logsumexp, [randn((3, 4), 338)], ["Reduce", "Exp", "Log", "Select"])

# 64-bit values past the int32 range.
_wide = mx.array([[3707515765, -5000000000, 7], [1 << 40, 12, -(1 << 41)]], dtype=mx.int64)
CASES += [
    Case("reduce_max_int64_wide", lambda x: mx.max(x, axis=1), [_wide], covers=["Reduce"]),
    Case("reduce_min_int64_wide", lambda x: mx.min(x, axis=0), [_wide], covers=["Reduce"]),
    Case("reduce_argmax_int64_wide", lambda x: mx.argmax(x, axis=1), [_wide], covers=["ArgReduce"]),
]
