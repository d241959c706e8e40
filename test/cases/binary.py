"""Elementwise functions of two operands, comparisons, logical ops and Select:
native/lower/binary.cpp."""
import math

import mlx.core as mx

from .case import (F16_TOL, Case, const, nonzero, nonzero_int, randbool, randint, randn,
                   uniform)

CASES = []


def add(name, fn, inputs, covers, **tol):
    CASES.append(Case(name=f"binary_{name}", fn=fn, inputs=inputs, covers=covers, **tol))


# Add / Subtract / Multiply / Divide
add("add_f32", mx.add, [randn((2, 3, 4), 101), randn((2, 3, 4), 102)], ["Add"])
add("add_f32_broadcast_ranks", mx.add, [randn((3, 1, 4), 103), randn((4,), 104)], ["Add"])
add("add_f32_broadcast_both", mx.add, [randn((2, 1, 5), 105), randn((1, 4, 1), 106)], ["Add"])
add("add_f32_scalar_matrix", mx.add, [const(2.5), randn((3, 4), 107)], ["Add"])
add("add_f32_scalars", mx.add, [const(1.25), const(-3.5)], ["Add"])
add("add_i32", mx.add, [randint((4, 5), 108, -100, 100), randint((4, 5), 109, -100, 100)], ["Add"])
add("add_f16", mx.add, [randn((4, 8), 110, "float16"), randn((4, 8), 111, "float16")], ["Add"],
    **F16_TOL)
add("add_i32_f32_promote", mx.add, [randint((3, 4), 112, -10, 10), randn((3, 4), 113)],
    ["AsType", "Add"])
add("add_python_scalar", lambda x: x + 3.0, [randn((3, 4), 114)], ["Add"])
add("subtract_f32", mx.subtract, [randn((2, 3, 4), 115), randn((3, 4), 116)], ["Subtract"])
add("subtract_i32", mx.subtract, [randint((4, 5), 117, -100, 100), randint((5,), 118, -100, 100)],
    ["Subtract"])
add("multiply_f32", mx.multiply, [randn((2, 3, 4), 119), randn((2, 1, 4), 120)], ["Multiply"])
add("multiply_i32", mx.multiply, [randint((4, 5), 121, -30, 30), randint((4, 5), 122, -30, 30)],
    ["Multiply"])
add("multiply_f16", mx.multiply, [randn((4, 8), 123, "float16"), randn((8,), 124, "float16")],
    ["Multiply"], **F16_TOL)
add("divide_f32", mx.divide, [randn((2, 3, 4), 125), nonzero((2, 3, 4), 126)], ["Divide"])
add("divide_f32_broadcast", mx.divide, [randn((3, 4), 127), nonzero((4,), 128)], ["Divide"])
add("divide_f16", mx.divide, [randn((4, 8), 129, "float16"), nonzero((4, 8), 130, dtype="float16")],
    ["Divide"], **F16_TOL)
add("divide_i32_to_float", mx.divide,
    [randint((4, 5), 131, -100, 100), nonzero_int((4, 5), 132, -9, 10)], ["AsType", "Divide"])

# Maximum / Minimum / Power
add("maximum_f32", mx.maximum, [randn((2, 3, 4), 133), randn((2, 3, 4), 134)], ["Maximum"])
add("maximum_i32_broadcast", mx.maximum, [randint((4, 5), 135, -50, 50), randint((1, 5), 136, -50, 50)],
    ["Maximum"])
add("maximum_f16", mx.maximum, [randn((4, 8), 137, "float16"), randn((4, 8), 138, "float16")],
    ["Maximum"], **F16_TOL)
add("minimum_f32", mx.minimum, [randn((3, 1, 4), 139), randn((5, 1), 140)], ["Minimum"])
add("minimum_i32", mx.minimum, [randint((4, 5), 141, -50, 50), randint((4, 5), 142, -50, 50)],
    ["Minimum"])
add("relu_scalar_max", lambda x: mx.maximum(x, 0.0), [randn((3, 4), 143)], ["Maximum"])
add("power_f32", mx.power, [uniform((3, 4), 144, 0.1, 3.0), uniform((3, 4), 145, -2.0, 3.0)],
    ["Power"])
add("power_f32_scalar_exponent", lambda x: x ** 3.0, [randn((3, 4), 146)], ["Power"])
add("power_i32", mx.power, [randint((3, 4), 147, -5, 6), randint((3, 4), 148, 0, 5)], ["Power"])
add("power_f16", mx.power, [uniform((4, 8), 149, 0.5, 2.0, "float16"), uniform((4, 8), 150, -1.0, 2.0, "float16")],
    ["Power"], **F16_TOL)

# Comparisons. Integer-valued floats so that equal elements occur.
_ca = randint((3, 4), 151, -3, 4).astype(mx.float32)
_cb = randint((3, 4), 152, -3, 4).astype(mx.float32)
mx.eval(_ca, _cb)
for op, prim in [(mx.equal, "Equal"), (mx.not_equal, "NotEqual"), (mx.less, "Less"),
                 (mx.less_equal, "LessEqual"), (mx.greater, "Greater"),
                 (mx.greater_equal, "GreaterEqual")]:
    add(f"{op.__name__}_f32", op, [_ca, _cb], [prim])
    add(f"{op.__name__}_i32_broadcast", op,
        [randint((2, 3, 4), 153, -3, 4), randint((4,), 154, -3, 4)], [prim])
add("equal_f16", mx.equal, [_ca.astype(mx.float16), _cb.astype(mx.float16)], ["Equal"])
add("less_f32_scalar", lambda x: x < 0.5, [randn((3, 4), 155)], ["Less"])
add("not_equal_bool", mx.not_equal, [randbool((3, 4), 156), randbool((3, 4), 157)], ["NotEqual"])
add("comparisons_all_f32",
    lambda a, b: [a == b, a != b, a < b, a <= b, a > b, a >= b], [_ca, _cb],
    ["Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"])

# Equal with equal_nan (MLX's array_equal(..., equal_nan=True) records Equal with the flag set).
_nan = float("nan")
_na = const([[1.0, _nan, 3.0], [_nan, 5.0, 6.0]])
add("array_equal_nan_true", lambda a, b: mx.array_equal(a, b, equal_nan=True),
    [_na, const([[1.0, _nan, 3.0], [_nan, 5.0, 6.0]])], ["Equal", "Reduce"])
add("array_equal_nan_mismatch", lambda a, b: mx.array_equal(a, b, equal_nan=True),
    [_na, const([[1.0, _nan, 3.0], [4.0, 5.0, 6.0]])], ["Equal", "Reduce"])
add("array_equal_no_nan_flag", lambda a, b: mx.array_equal(a, b),
    [_na, const([[1.0, _nan, 3.0], [_nan, 5.0, 6.0]])], ["Equal", "Reduce"])
add("array_equal_i32", lambda a, b: mx.array_equal(a, b, equal_nan=True),
    [randint((3, 4), 158, 0, 3), randint((3, 4), 158, 0, 3)], ["Equal", "Reduce"])

# Logical ops
add("logical_and_bool", mx.logical_and, [randbool((3, 4), 159), randbool((3, 4), 160)], ["LogicalAnd"])
add("logical_or_bool_broadcast", mx.logical_or, [randbool((2, 3, 4), 161), randbool((4,), 162)],
    ["LogicalOr"])
add("logical_ops_from_compare", lambda a, b: mx.logical_or(mx.logical_and(a > 0, b > 0), a > b),
    [randn((3, 4), 163), randn((3, 4), 164)], ["Greater", "LogicalAnd", "LogicalOr"])

# Remainder (sign of the divisor), FloorDivide, DivMod, with negative operands
_rem_a = const([7.0, -7.0, 7.0, -7.0, 5.5, -5.5, 6.0, -6.0, 0.0, 2.25])
_rem_b = const([3.0, 3.0, -3.0, -3.0, 2.0, 2.0, -3.0, 3.0, 4.0, -0.5])
_rem_ai = const([7, -7, 7, -7, 6, -6, 0, 13, -13, 1], "int32")
_rem_bi = const([3, 3, -3, -3, 3, -3, 5, 4, 4, -7], "int32")
add("remainder_f32_signs", mx.remainder, [_rem_a, _rem_b], ["Remainder"])
add("remainder_f32_random", mx.remainder, [randn((3, 4), 165, scale=10.0), nonzero((3, 4), 166)],
    ["Remainder"], atol=1e-4)
add("remainder_f32_scalar_divisor", lambda x: x % 2.5, [randn((3, 4), 167, scale=10.0)], ["Remainder"],
    atol=1e-4)
add("remainder_i32_signs", mx.remainder, [_rem_ai, _rem_bi], ["Remainder"])
add("remainder_i32_broadcast", mx.remainder,
    [randint((3, 4), 168, -50, 50), nonzero_int((4,), 169, -7, 8)], ["Remainder"])
add("remainder_f16", mx.remainder,
    [uniform((4, 8), 170, -8.0, 8.0, "float16"), nonzero((4, 8), 171, 1.0, 3.0, "float16")],
    ["Remainder"], atol=1e-2, rtol=2e-3)
add("floor_divide_f32", mx.floor_divide, [_rem_a, _rem_b], ["FloorDivide"])
add("floor_divide_f32_random", mx.floor_divide, [randn((3, 4), 172, scale=10.0), nonzero((3, 4), 173)],
    ["FloorDivide"])
add("floor_divide_i32", mx.floor_divide, [_rem_ai, _rem_bi], ["FloorDivide"])
add("floor_divide_i32_broadcast", lambda a, b: a // b,
    [randint((3, 4), 174, -50, 50), nonzero_int((4,), 175, -7, 8)], ["FloorDivide"])
add("divmod_f32", lambda a, b: mx.divmod(a, b), [_rem_a, _rem_b], ["DivMod"])
add("divmod_f32_random", lambda a, b: mx.divmod(a, b),
    [randn((2, 3, 4), 176, scale=10.0), nonzero((3, 4), 177)], ["DivMod"], atol=1e-4)
add("divmod_i32", lambda a, b: mx.divmod(a, b), [_rem_ai, _rem_bi], ["DivMod"])
add("divmod_f16", lambda a, b: mx.divmod(a, b),
    [uniform((4, 8), 178, -8.0, 8.0, "float16"), nonzero((4, 8), 179, 1.0, 3.0, "float16")],
    ["DivMod"], atol=1e-2, rtol=2e-3)

# LogAddExp
add("logaddexp_f32", mx.logaddexp, [randn((2, 3, 4), 180, scale=3.0), randn((2, 3, 4), 181, scale=3.0)],
    ["LogAddExp"])
add("logaddexp_f32_broadcast_far", mx.logaddexp,
    [randn((3, 4), 182, scale=30.0), randn((4,), 183, scale=30.0)], ["LogAddExp"], atol=1e-4)
add("logaddexp_f16", mx.logaddexp, [randn((4, 8), 184, "float16"), randn((4, 8), 185, "float16")],
    ["LogAddExp"], **F16_TOL)

# ArcTan2: every quadrant and the axes
_ys, _xs = [], []
for y in (1.0, -1.0, 2.5, -0.3):
    for x in (1.0, -1.0, 0.4, -3.0):
        _ys.append(y)
        _xs.append(x)
add("arctan2_quadrants", mx.arctan2, [const(_ys), const(_xs)], ["ArcTan2"])
add("arctan2_axes", mx.arctan2, [const([0.0, 0.0, 2.0, -2.0, 0.0]), const([1.0, -1.0, 0.0, 0.0, 0.0])],
    ["ArcTan2"])
add("arctan2_random_broadcast", mx.arctan2, [randn((3, 4), 186), nonzero((4,), 187)], ["ArcTan2"])
add("arctan2_f16", mx.arctan2, [randn((4, 8), 188, "float16"), nonzero((4, 8), 189, dtype="float16")],
    ["ArcTan2"], **F16_TOL)

# Select (mx.where)
add("where_f32", mx.where, [randbool((3, 4), 190), randn((3, 4), 191), randn((3, 4), 192)], ["Select"])
add("where_broadcast", mx.where, [randbool((4,), 193), randn((2, 3, 4), 194), randn((3, 1), 195)],
    ["Select"])
add("where_i32", mx.where, [randbool((3, 4), 196), randint((3, 4), 197, -9, 9), randint((3, 4), 198, -9, 9)],
    ["Select"])
add("where_scalar_branch", lambda x: mx.where(x > 0, x, 0.0), [randn((3, 4), 199)], ["Greater", "Select"])
add("where_f16", mx.where, [randbool((4, 8), 200), randn((4, 8), 201, "float16"), randn((4, 8), 202, "float16")],
    ["Select"], **F16_TOL)

# 64-bit extremes past the int32 range (ONNX Runtime's Max/Min keep only 32 bits there).
_big = mx.array([3707515765, -5000000000, 7, 1 << 40], dtype=mx.int64)
_small = mx.array([1000, 12, -(1 << 41), 1 << 40], dtype=mx.int64)
CASES += [
    Case("binary_maximum_int64_wide", lambda a, b: mx.maximum(a, b), [_big, _small], covers=["Maximum"]),
    Case("binary_minimum_int64_wide", lambda a, b: mx.minimum(a, b), [_big, _small], covers=["Minimum"]),
]
