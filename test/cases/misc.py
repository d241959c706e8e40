"""The remaining primitives: ErfInv, BitwiseBinary, NumberOfElements, Hadamard, View,
BroadcastAxes, GatherMM, BlockMaskedMM, RandomBits: native/lower/misc.cpp."""
import numpy as np
import mlx.core as mx

from .case import F16_TOL, Case, const, randbool, randint, randn, uniform
from .mlxfn_writer import CPU, Trace, enc_i32, enc_shape, write_mlxfn

CASES = []


def add(name, fn, inputs, covers, **kw):
    CASES.append(Case(name=f"misc_{name}", fn=fn, inputs=inputs, covers=covers, **kw))


def typed(values, dtype):
    """An array of any MLX integer dtype (case.py's helpers cover a few)."""
    return mx.array(np.asarray(values)).astype(dtype)


def shapeless(fn):
    """A write_file that records `fn` as a shapeless export (where MLX records
    NumberOfElements and BroadcastAxes)."""
    def write(path, inputs):
        mx.export_function(path, lambda *a: fn(*a), *inputs, shapeless=True)
    return write


def add_shapeless(name, fn, inputs, covers, **kw):
    add(name, fn, inputs, covers, write_file=shapeless(fn), **kw)


def signed_uniform(shape, seed, low, high):
    """|v| in [low, high) with random signs."""
    rs = np.random.RandomState(seed)
    v = rs.uniform(low, high, shape) * np.where(rs.uniform(size=shape) < 0.5, -1.0, 1.0)
    return const(v)


# ErfInv: MLX's float32 approximation, both polynomial branches (|x| > ~0.9989 is the tail).
add("erfinv_f32", mx.erfinv, [uniform((6, 7), 901, -0.99, 0.99)], ["ErfInv"])
add("erfinv_f32_tail", mx.erfinv, [signed_uniform((5, 8), 902, 0.999, 0.99999)], ["ErfInv"])
add("erfinv_f32_mixed", lambda x: mx.erfinv(x) * 2.0,
    [const([[-0.9999, -0.5, -1e-3, 0.0], [1e-6, 0.3, 0.9985, 0.99995]])], ["ErfInv"])
add("erfinv_f16", mx.erfinv, [uniform((4, 9), 903, -0.98, 0.98, "float16")], ["ErfInv"], **F16_TOL)
add("erfinv_f16_tail", mx.erfinv, [const([-0.999, -0.9985, 0.999, 0.9995], "float16")], ["ErfInv"],
    atol=2e-2, rtol=2e-2)

# BitwiseBinary: And 0, Or 1, Xor 2, LeftShift 3, RightShift 4.
i32a = randint((4, 6), 911, -1000, 1000)
i32b = randint((4, 6), 912, -1000, 1000)
u32a = typed(np.random.RandomState(913).randint(0, 2**32, (3, 5), dtype=np.uint64), mx.uint32)
u32b = typed(np.random.RandomState(914).randint(0, 2**32, (3, 5), dtype=np.uint64), mx.uint32)
u8a = typed(np.random.RandomState(915).randint(0, 256, (5, 4)), mx.uint8)
u8b = typed(np.random.RandomState(916).randint(0, 256, (5, 4)), mx.uint8)
add("and_i32", mx.bitwise_and, [i32a, i32b], ["BitwiseBinary"])
add("or_i32", mx.bitwise_or, [i32a, i32b], ["BitwiseBinary"])
add("xor_i32", mx.bitwise_xor, [i32a, i32b], ["BitwiseBinary"])
add("and_u32_operator", lambda a, b: a & b, [u32a, u32b], ["BitwiseBinary"])
add("or_u8_operator", lambda a, b: a | b, [u8a, u8b], ["BitwiseBinary"])
add("xor_u8_operator", lambda a, b: a ^ b, [u8a, u8b], ["BitwiseBinary"])
add("xor_i64_broadcast", lambda a, b: a ^ b,
    [typed([[-5, 7, 2**40 + 3]], mx.int64), typed([[1], [-1], [2**35]], mx.int64)], ["BitwiseBinary"])
add("and_or_xor_bool", lambda a, b: [mx.bitwise_and(a, b), mx.bitwise_or(a, b), mx.bitwise_xor(a, b)],
    [randbool((3, 4), 917), randbool((3, 4), 918)], ["BitwiseBinary"])
add("and_i16_const", lambda a: a & mx.array(0x0F0F, mx.int16),
    [typed([[-1, 4660, -30000], [255, 0, 32767]], mx.int16)], ["BitwiseBinary"])

shift_i32 = randint((4, 6), 919, 0, 31)
add("left_shift_i32", lambda a, b: a << b, [randint((4, 6), 920, -70000, 70000), shift_i32],
    ["BitwiseBinary"])
add("right_shift_i32", lambda a, b: a >> b, [randint((4, 6), 921, -2**31, 2**31 - 1), shift_i32],
    ["BitwiseBinary"])
add("right_shift_i32_negative", lambda a: mx.right_shift(a, 3),
    [const([-1, -2, -7, -8, -9, -2**31, 2**31 - 1, 5, 0], "int32")], ["BitwiseBinary"])
add("left_shift_u32", mx.left_shift,
    [u32a, typed(np.random.RandomState(922).randint(0, 32, (3, 5)), mx.uint32)], ["BitwiseBinary"])
add("right_shift_u32", mx.right_shift,
    [u32a, typed(np.random.RandomState(923).randint(0, 32, (3, 5)), mx.uint32)], ["BitwiseBinary"])
add("left_shift_u8_overflow", lambda a, b: a << b,
    [u8a, typed(np.random.RandomState(924).randint(0, 8, (5, 4)), mx.uint8)], ["BitwiseBinary"])
add("right_shift_u8", lambda a, b: a >> b,
    [u8a, typed(np.random.RandomState(925).randint(0, 8, (5, 4)), mx.uint8)], ["BitwiseBinary"])
add("shifts_i8", lambda a, b: [a << b, a >> b],
    [typed([[-128, -77, -1, 0], [1, 63, 100, 127]], mx.int8), typed([[0, 1, 3, 7], [2, 5, 6, 1]], mx.int8)],
    ["BitwiseBinary"])
add("shifts_u16", lambda a, b: [a << b, a >> b],
    [typed([[65535, 40000, 1, 0], [12345, 32768, 7, 999]], mx.uint16),
     typed([[0, 1, 15, 4], [9, 3, 12, 8]], mx.uint16)], ["BitwiseBinary"])
add("shifts_i16", lambda a, b: [a << b, a >> b],
    [typed([[-32768, -300, -1, 0], [1, 2047, 32767, -5]], mx.int16),
     typed([[0, 1, 15, 4], [9, 3, 12, 8]], mx.int16)], ["BitwiseBinary"])
add("shifts_i64", lambda a, b: [a << b, a >> b],
    [typed([[-(2**62), -12345, -1, 3], [2**40 + 17, 99, 0, 7]], mx.int64),
     typed([[1, 5, 63, 60], [20, 2, 9, 61]], mx.int64)], ["BitwiseBinary"])
add("shift_bool", lambda a, b: [a << b, a >> b], [randbool((2, 5), 926), randbool((2, 5), 927)],
    ["BitwiseBinary"])

# NumberOfElements: recorded by shapeless exports of mean and var.
x34 = randn((3, 4, 5), 931)
add_shapeless("mean_axis_shapeless", lambda x: mx.mean(x, axis=1), [x34], ["NumberOfElements"])
add_shapeless("mean_all_shapeless", lambda x: mx.mean(x), [x34], ["NumberOfElements"])
add_shapeless("mean_axes_keepdims_shapeless", lambda x: mx.mean(x, axis=(0, 2), keepdims=True), [x34],
              ["NumberOfElements"])
add_shapeless("mean_f16_shapeless", lambda x: mx.mean(x, axis=-1), [randn((6, 7), 932, "float16")],
              ["NumberOfElements"], **F16_TOL)
add_shapeless("mean_i32_shapeless", lambda x: mx.mean(x, axis=0), [randint((7, 3), 933, -50, 50)],
              ["NumberOfElements"])
add_shapeless("var_ddof_shapeless", lambda x: mx.var(x, axis=-1, ddof=1), [x34], ["NumberOfElements"])

# Hadamard: Sylvester sizes 2^k (in blocks of 64), and m * 2^k for MLX's m = 12, 20, 28.
add("hadamard_16", mx.hadamard_transform, [randn((3, 16), 941)], ["Hadamard"])
add("hadamard_2", mx.hadamard_transform, [randn((5, 2), 942)], ["Hadamard"])
add("hadamard_64_scale", lambda x: mx.hadamard_transform(x, scale=0.25), [randn((2, 3, 64), 943)],
    ["Hadamard"])
add("hadamard_256", mx.hadamard_transform, [randn((4, 256), 944)], ["Hadamard"])
add("hadamard_1024_unscaled", lambda x: mx.hadamard_transform(x, scale=1.0), [randn((2, 1024), 945)],
    ["Hadamard"], atol=1e-4)
add("hadamard_12", mx.hadamard_transform, [randn((4, 12), 946)], ["Hadamard"])
add("hadamard_20x4", mx.hadamard_transform, [randn((3, 80), 947)], ["Hadamard"])
add("hadamard_28x2", lambda x: mx.hadamard_transform(x, scale=0.5), [randn((2, 56), 948)], ["Hadamard"])
add("hadamard_12x128", mx.hadamard_transform, [randn((2, 1536), 949)], ["Hadamard"])
add("hadamard_1d", mx.hadamard_transform, [randn((32,), 950)], ["Hadamard"])
add("hadamard_f16", mx.hadamard_transform, [randn((4, 32), 951, "float16")], ["Hadamard"], **F16_TOL)
add("hadamard_i32", mx.hadamard_transform, [randint((3, 8), 952, -9, 9)], ["Hadamard"])

# View: integer and bool bit-casts, and views of constants.
add("view_i32_u32", lambda x: x.view(mx.uint32), [randint((3, 4), 961, -2**31, 2**31 - 1)], ["View"])
add("view_u32_i32", lambda x: x.view(mx.int32), [u32a], ["View"])
add("view_i32_u8", lambda x: x.view(mx.uint8), [randint((2, 3), 962, -2**31, 2**31 - 1)], ["View"])
add("view_u8_i32", lambda x: x.view(mx.int32), [typed(np.random.RandomState(963).randint(0, 256, (3, 8)),
                                                      mx.uint8)], ["View"])
add("view_i16_i8", lambda x: x.view(mx.int8), [typed([[-32768, -300, 258], [1, 32767, -1]], mx.int16)],
    ["View"])
add("view_i8_u16", lambda x: x.view(mx.uint16), [typed([[-128, 5, -1, 0], [127, -2, 33, 44]], mx.int8)],
    ["View"])
add("view_u32_u16", lambda x: x.view(mx.uint16), [u32a], ["View"])
add("view_i64_i32", lambda x: x.view(mx.int32), [typed([[-(2**62) + 5, 2**40 + 17, -1]], mx.int64)], ["View"])
add("view_u8_u64", lambda x: x.view(mx.uint64),
    [typed(np.random.RandomState(964).randint(0, 256, (2, 16)), mx.uint8)], ["View"])
add("view_bool_u8", lambda x: x.view(mx.uint8), [randbool((3, 5), 965)], ["View"])
add("view_bool_i32", lambda x: x.view(mx.int32), [randbool((2, 8), 966)], ["View"])
add("view_u8_bool", lambda x: x.view(mx.bool_), [typed([[0, 1, 1, 0], [1, 0, 0, 1]], mx.uint8)], ["View"])
_bits = mx.array([1.5, -2.0, 0.1, 3.0e38], dtype=mx.float32)
add("view_const_f32_i32", lambda x: x + _bits.view(mx.int32), [randint((2, 4), 967, -9, 9)], ["View"])
_halves = mx.array([[1.0, -0.5], [65504.0, 1e-3]], dtype=mx.float16)
add("view_const_f16_u8", lambda x: x ^ _halves.view(mx.uint8), [typed(np.arange(8).reshape(2, 4), mx.uint8)],
    ["View"])

# BroadcastAxes: shapeless exports of batched matmuls.
add_shapeless("broadcast_axes_matmul_3d_2d", lambda a, b: a @ b, [randn((2, 3, 4), 971), randn((4, 5), 972)],
              ["BroadcastAxes"])
add_shapeless("broadcast_axes_matmul_4d", lambda a, b: mx.matmul(a, b),
              [randn((2, 1, 3, 4), 973), randn((5, 4, 6), 974)], ["BroadcastAxes"])

# Broadcast in shapeless exports: each operand of a broadcasting op follows the others' shapes;
# lowering reads the unbroadcast operands where ONNX's own broadcasting gives the same result
# (passes/implicit_broadcast), including both sides growing, three operands, and a chain.
add_shapeless("broadcast_add_trailing", lambda a, b: a + b, [randn((3, 4, 5), 975), randn((5,), 976)], ["Broadcast"])
add_shapeless("broadcast_both_sides", lambda a, b: [a * b, a - b], [randn((3, 1, 5), 977), randn((4, 1), 978)],
              ["Broadcast"])
add_shapeless("broadcast_select", lambda c, a, b: mx.where(c, a, b),
              [randbool((2, 1, 4), 979), randn((3, 1), 980), randn((4,), 981)], ["Broadcast"])
add_shapeless("broadcast_chain_compare", lambda a, b, c: mx.logical_and((a + b) > c, b < 0.5),
              [randn((2, 3, 1), 982), randn((1, 4), 983), randn((3, 4), 984)], ["Broadcast"])
add_shapeless("broadcast_maximum_i64", lambda a, b: mx.maximum(a, b),
              [typed([[5], [-3]], mx.int64), typed([[1, 7, -9]], mx.int64)], ["Broadcast"])

# GatherMM (mixture-of-experts style products).
experts = randn((4, 8, 6), 981)
add("gather_mm_rhs", lambda x, w, i: mx.gather_mm(x, w, rhs_indices=i),
    [randn((5, 1, 8), 982), experts, const([[2], [0], [3], [3], [1]], "uint32")], ["GatherMM"])
add("gather_mm_rhs_sorted", lambda x, w, i: mx.gather_mm(x, w, rhs_indices=i, sorted_indices=True),
    [randn((6, 1, 8), 983), experts, const([0, 0, 1, 2, 3, 3], "uint32")], ["GatherMM"])
add("gather_mm_both", lambda a, b, i, j: mx.gather_mm(a, b, i, j),
    [randn((3, 2, 5, 8), 984), experts, const([[0, 5], [2, 2], [4, 1]], "uint32"),
     const([[1, 3], [0, 2], [3, 3]], "uint32")], ["GatherMM"])
add("gather_mm_lhs_int32", lambda a, b, i: mx.gather_mm(a, b, lhs_indices=i),
    [randn((4, 3, 8), 985), randn((8, 2), 986), const([3, 1, 1, 0, 2], "int32")], ["GatherMM"])
add("gather_mm_broadcast_indices", lambda a, b, i, j: mx.gather_mm(a, b, i, j),
    [randn((2, 3, 8), 987), experts, const([[0], [1]], "uint32"), const([[0, 1, 2, 3]], "uint32")],
    ["GatherMM"])

# BlockMaskedMM (block size 32 or 64; partial last blocks).
A = randn((40, 48), 991)
B = randn((48, 36), 992)
add("block_masked_mm_out_bool", lambda a, b, m: mx.block_masked_mm(a, b, 32, mask_out=m),
    [A, B, const([[True, False], [False, True]], "bool")], ["BlockMaskedMM"])
add("block_masked_mm_operands_bool", lambda a, b, l, r: mx.block_masked_mm(a, b, 32, mask_lhs=l, mask_rhs=r),
    [A, B, const([[True, False], [True, True]], "bool"), const([[False, True], [True, True]], "bool")],
    ["BlockMaskedMM"])
add("block_masked_mm_all_float", lambda a, b, o, l, r: mx.block_masked_mm(a, b, 32, o, l, r),
    [A, B, const([[0.5, 1.0], [2.0, 0.0]]), const([[1.0, -1.0], [0.25, 3.0]]),
     const([[2.0, 1.0], [0.0, 0.5]])], ["BlockMaskedMM"], atol=1e-4)
add("block_masked_mm_lhs_only_64", lambda a, b, l: mx.block_masked_mm(a, b, 64, mask_lhs=l),
    [randn((70, 40), 993), randn((40, 20), 994), const([[True], [False]], "bool")], ["BlockMaskedMM"])
add("block_masked_mm_batched", lambda a, b, o: mx.block_masked_mm(a, b, 32, mask_out=o),
    [randn((2, 33, 16), 995), randn((16, 40), 996), const([[[True, False], [True, True]],
                                                           [[False, True], [True, False]]], "bool")],
    ["BlockMaskedMM"])

# RandomBits: threefry2x32 on the key; odd and even word counts. Python reaches only
# width 4 (split, uniform, normal, bernoulli); widths 2 and 1 are written by hand and
# checked against the width-4 words of the same count (the bytes of those words).
key = mx.random.key(1234)
key2 = mx.random.key(2**40 + 77)
add("random_split", lambda k: mx.random.split(k, 3), [key], ["RandomBits"])
add("random_split_pair", lambda k: mx.random.split(k), [key2], ["RandomBits"])
add("random_uniform", lambda k: mx.random.uniform(-2.0, 3.0, (4, 5), key=k), [key2], ["RandomBits"])
add("random_uniform_odd_words", lambda k: mx.random.uniform(shape=(7,), key=k), [key], ["RandomBits"])
add("random_uniform_one_word", lambda k: mx.random.uniform(shape=(1,), key=k), [key2], ["RandomBits"])
add("random_bernoulli", lambda k: mx.random.bernoulli(0.3, (3, 7), key=k), [key], ["RandomBits"])
add("random_normal", lambda k: mx.random.normal((3, 6), key=k), [key], ["RandomBits", "ErfInv"])
add("random_key_batch", lambda ks: mx.vmap(lambda k: mx.random.uniform(shape=(5,), key=k))(ks),
    [mx.random.split(key, 3)], ["RandomBits"])


def narrow_bits(shape, width, dtype):
    """RandomBits of `width` (1 or 2) bytes for one key input, written by hand."""
    def write(path, inputs):
        t = Trace(device=CPU)
        k = t.input((2,), mx.uint32)
        t.outputs = [t.node("RandomBits", [k], enc_shape(shape) + enc_i32(width), shape, dtype)]
        write_mlxfn(path, [t])
    return write


def bytes_of_words(shape, width, dtype):
    count = int(np.prod(shape))
    words = (count * width + 3) // 4
    assert words % 2 == 0  # the words of split(key, words // 2)
    return lambda k: mx.random.split(k, words // 2).reshape(-1).view(dtype)[:count].reshape(shape)


for name, shape, width, dtype in [("u16", (5, 3), 2, mx.uint16), ("u8", (3, 5), 1, mx.uint8),
                                  ("u8_even", (2, 8), 1, mx.uint8)]:
    add(f"random_bits_{name}", bytes_of_words(shape, width, dtype), [key2], ["RandomBits"],
        write_file=narrow_bits(shape, width, dtype))

# The newest opset.
add("random_normal_opset23", lambda k: mx.random.normal((2, 5), key=k), [key2], ["RandomBits", "ErfInv"],
    options={"opset": 23})
add("shifts_i32_opset23", lambda a, b: [a << b, a >> b],
    [randint((3, 4), 928, -999, 999), randint((3, 4), 929, 0, 9)], ["BitwiseBinary"], options={"opset": 23})
add_shapeless("mean_broadcast_matmul_opset23", lambda a, b: mx.mean(a @ b, axis=-1),
              [randn((2, 3, 4), 975), randn((4, 5), 976)], ["NumberOfElements", "BroadcastAxes"],
              options={"opset": 23})
