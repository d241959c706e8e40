"""Scan (cumsum, cumprod, cummax, cummin, logcumsumexp; reverse, inclusive):
native/lower/scan.cpp.

MLX 0.32.4 cannot export logcumsumexp (its Scan names itself "CumLogAddExp", registered
for export as "CumLogaddexp"), so those cases write the file themselves: a cummax export
with the recorded reduce type changed to LogAddExp (4), which MLX loads and evaluates."""
import struct

import numpy as np
import mlx.core as mx

from .case import F16_TOL, Case, const, randbool, randint, randn, uniform

CASES = []


def add(name, fn, inputs, covers=("Scan",), **kw):
    CASES.append(Case(name=f"scan_{name}", fn=fn, inputs=inputs, covers=list(covers), **kw))


x2 = randn((4, 9), 801)
x3 = randn((3, 5, 6), 802)
near1 = uniform((3, 5, 6), 803, 0.6, 1.5)

# cumsum: ONNX CumSum
add("cumsum_last_axis", lambda x: mx.cumsum(x, axis=-1), [x2])
add("cumsum_axis0", lambda x: mx.cumsum(x, axis=0), [x2])
add("cumsum_3d_axis1_reverse", lambda x: mx.cumsum(x, axis=1, reverse=True), [x3])
add("cumsum_exclusive", lambda x: mx.cumsum(x, axis=2, inclusive=False), [x3])
add("cumsum_reverse_exclusive", lambda x: mx.cumsum(x, axis=0, reverse=True, inclusive=False), [x3])
add("cumsum_flat", lambda x: mx.cumsum(x), [x3])
add("cumsum_i32", lambda x: mx.cumsum(x, axis=1, reverse=True), [randint((4, 20), 804, -1000, 1000)])
add("cumsum_u32_exclusive", lambda x: mx.cumsum(x, axis=-1, inclusive=False),
    [randint((3, 8), 805, 0, 100000, "uint32")])
add("cumsum_bool", lambda x: mx.cumsum(x, axis=1), [randbool((5, 7), 806)])
add("cumsum_f16", lambda x: mx.cumsum(x, axis=-1), [randn((4, 12), 807, "float16")], **F16_TOL)
add("cumsum_int8_wraps", lambda x: mx.cumsum(x.astype(mx.int8), axis=-1),
    [randint((3, 16), 808, -120, 120)], ["AsType", "Scan"])
add("cumsum_opset23", lambda x: mx.cumsum(x, axis=1, reverse=True, inclusive=False), [x2],
    options={"opset": 23})

# cumprod: log-step with Mul
add("cumprod_last_axis", lambda x: mx.cumprod(x, axis=-1), [near1])
add("cumprod_axis0_reverse", lambda x: mx.cumprod(x, axis=0, reverse=True), [near1])
add("cumprod_exclusive", lambda x: mx.cumprod(x, axis=1, inclusive=False), [near1])
add("cumprod_reverse_exclusive", lambda x: mx.cumprod(x, axis=2, reverse=True, inclusive=False), [near1])
add("cumprod_long", lambda x: mx.cumprod(x, axis=1), [uniform((2, 100), 809, 0.9, 1.1)])
add("cumprod_i32", lambda x: mx.cumprod(x, axis=-1), [randint((4, 12), 810, -3, 4)])
add("cumprod_i32_reverse_exclusive", lambda x: mx.cumprod(x, axis=0, reverse=True, inclusive=False),
    [randint((9, 4), 811, -3, 4)])
add("cumprod_f16", lambda x: mx.cumprod(x, axis=-1), [uniform((4, 10), 812, 0.7, 1.3, "float16")], **F16_TOL)
add("cumprod_flat", lambda x: mx.cumprod(x), [uniform((2, 3, 4), 813, 0.8, 1.2)])

# cummax / cummin: log-step with Max / Min (exact)
add("cummax_last_axis", lambda x: mx.cummax(x, axis=-1), [x2])
add("cummax_axis0_reverse", lambda x: mx.cummax(x, axis=0, reverse=True), [x3])
add("cummax_exclusive", lambda x: mx.cummax(x, axis=1, inclusive=False), [x3])
add("cummax_reverse_exclusive", lambda x: mx.cummax(x, axis=2, reverse=True, inclusive=False), [x3])
add("cummax_long", lambda x: mx.cummax(x, axis=-1), [randn((3, 257), 814)])
add("cummax_single", lambda x: mx.cummax(x, axis=1), [randn((4, 1), 815)])
add("cummax_i32", lambda x: mx.cummax(x, axis=1, reverse=True), [randint((4, 15), 816, -500, 500)])
add("cummax_i32_exclusive", lambda x: mx.cummax(x, axis=-1, inclusive=False), [randint((3, 7), 817, -50, 50)])
add("cummax_u32_exclusive", lambda x: mx.cummax(x, axis=0, inclusive=False),
    [randint((6, 3), 818, 0, 4000000000, "uint32")])
# int64 beyond the int32 range.
add("cummax_i64", lambda x: mx.cummax((x.astype(mx.int64) - 2000000000) * 3, axis=0),
    [randint((6, 3), 826, 0, 4000000000, "uint32")], ["AsType", "Subtract", "Multiply", "Scan"])
add("cummin_i64_reverse_exclusive",
    lambda x: mx.cummin((x.astype(mx.int64) - 2000000000) * 3, axis=1, reverse=True, inclusive=False),
    [randint((3, 7), 827, 0, 4000000000, "uint32")], ["AsType", "Subtract", "Multiply", "Scan"])
add("cumprod_i64", lambda x: mx.cumprod(x.astype(mx.int64) * 1000, axis=-1),
    [randint((3, 5), 828, -9, 9)], ["AsType", "Multiply", "Scan"])
add("cumsum_i64", lambda x: mx.cumsum(x.astype(mx.int64) * 1000000, axis=-1, reverse=True),
    [randint((3, 9), 829, 0, 4000000000, "uint32")], ["AsType", "Multiply", "Scan"])
add("cummax_f16", lambda x: mx.cummax(x, axis=-1, inclusive=False), [randn((4, 10), 819, "float16")])
add("cummax_nan", lambda x: mx.cummax(x, axis=-1),
    [const([[1.0, np.nan, 3.0, 0.5, 4.0], [-1.0, 2.0, 0.0, np.nan, 5.0]])])
add("cummax_flat", lambda x: mx.cummax(x), [x3])
add("cummin_last_axis", lambda x: mx.cummin(x, axis=-1), [x2])
add("cummin_axis1_reverse", lambda x: mx.cummin(x, axis=1, reverse=True), [x3])
add("cummin_exclusive", lambda x: mx.cummin(x, axis=0, inclusive=False), [x3])
add("cummin_reverse_exclusive", lambda x: mx.cummin(x, axis=-1, reverse=True, inclusive=False), [x2])
add("cummin_i32_exclusive", lambda x: mx.cummin(x, axis=0, inclusive=False), [randint((6, 5), 820, -99, 99)])
add("cummin_u32_exclusive", lambda x: mx.cummin(x, axis=-1, reverse=True, inclusive=False),
    [randint((3, 6), 821, 0, 4000000000, "uint32")])
add("cummin_int8_exclusive", lambda x: mx.cummin(x.astype(mx.int8), axis=-1, inclusive=False),
    [randint((3, 6), 822, -100, 100)], ["AsType", "Scan"])
add("cummin_f16", lambda x: mx.cummin(x, axis=0, reverse=True), [randn((6, 5), 823, "float16")])
add("cummin_nan_reverse_exclusive", lambda x: mx.cummin(x, axis=-1, reverse=True, inclusive=False),
    [const([[1.0, np.nan, 3.0, 0.5, 4.0], [-1.0, 2.0, 0.0, np.nan, 5.0]])])
add("cummin_bool", lambda x: mx.cummin(x > 0, axis=1), [x2], ["Greater", "Scan"])


# logcumsumexp: files written from a cummax export with the reduce type patched.
def logcumsumexp_writer(axis, reverse, inclusive):
    def write(path, inputs):
        mx.export_function(path, lambda x: [mx.cummax(x, axis=axis, reverse=reverse, inclusive=inclusive)],
                           *inputs)
        data = bytearray(open(path, "rb").read())
        tag = struct.pack("<Q", 4) + b"Scan"
        at = data.find(tag)
        if at < 0 or data.find(tag, at + 1) >= 0:
            raise RuntimeError("expected exactly one Scan node")
        at += len(tag)
        if struct.unpack_from("<i", data, at)[0] != 0:
            raise RuntimeError("expected a Max scan")
        struct.pack_into("<i", data, at, 4)
        open(path, "wb").write(bytes(data))
    return write


def add_logcumsumexp(name, x, axis, reverse=False, inclusive=True, **kw):
    add(name, lambda x: mx.logcumsumexp(x, axis=axis, reverse=reverse, inclusive=inclusive), [x],
        write_file=logcumsumexp_writer(axis, reverse, inclusive), **kw)


add_logcumsumexp("logcumsumexp_last_axis", x2, -1)
add_logcumsumexp("logcumsumexp_axis0_reverse", x3, 0, reverse=True)
add_logcumsumexp("logcumsumexp_exclusive", x3, 1, inclusive=False)
add_logcumsumexp("logcumsumexp_reverse_exclusive", x3, 2, reverse=True, inclusive=False)
add_logcumsumexp("logcumsumexp_long", randn((2, 100), 824, scale=3.0), 1)
add_logcumsumexp("logcumsumexp_inf", const([[-np.inf, -np.inf, 1.0, -np.inf, 2.0], [0.5, np.inf, -1.0, 3.0, -np.inf]]), 1)
add_logcumsumexp("logcumsumexp_f16", randn((3, 8), 825, "float16"), -1, **F16_TOL)
