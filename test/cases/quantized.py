"""Quantized matmuls and (de)quantization: QuantizedMatmul, GatherQMM and Quantize:
native/lower/quantized.cpp.

Weights are quantized with MLX's own quantizer and captured as constants (the usual
export), or passed as inputs. Each affine transpose=True matmul also runs with the
"ort" target (com.microsoft.MatMulNBits where it applies, else the standard lowering).
"""

import mlx.core as mx
import mlx.nn as nn
import numpy as np

from .case import F16_TOL, Case, const, randint, randn, uniform
from .mlxfn_writer import GPU, Trace, enc_bool, enc_i32, write_mlxfn

CASES = []

# MLX's quantized output against ONNX Runtime in float32.
TOL = dict(atol=1e-4, rtol=1e-3)
# Half precision: MLX rounds the dequantized weight and the products to float16.
HALF_TOL = dict(atol=5e-3, rtol=5e-3)
ORT = {"target": "ort"}


def add(name, fn, inputs, covers, options=None, **tol):
    CASES.append(Case(name=f"quantized_{name}", fn=fn, inputs=inputs, covers=covers,
                      options=options or {}, **(tol or TOL)))


def quantized(shape, seed, group_size=64, bits=4, mode="affine", dtype="float32", values=None):
    """MLX's quantization of a random weight, evaluated (so it is captured as constants)."""
    w = values if values is not None else randn(shape, seed, dtype)
    if mode == "affine":
        q = mx.quantize(w, group_size=group_size, bits=bits)
    else:
        q = mx.quantize(w, mode=mode)
    mx.eval(q)
    return tuple(q)


def qmm(q, transpose=True, group_size=64, bits=4, mode="affine"):
    """x -> quantized_matmul(x, q) with the weight captured as constants."""
    biases = q[2] if mode == "affine" else None
    kw = dict(group_size=group_size, bits=bits) if mode == "affine" else {}
    return lambda x: mx.quantized_matmul(x, q[0], q[1], biases, transpose=transpose, mode=mode, **kw)


def add_qmm(name, x, shape, group_size, bits, transpose=True, ort=True, seed=0, **tol):
    q = quantized(shape, seed, group_size, bits)
    fn = qmm(q, transpose, group_size, bits)
    add(name, fn, [x], ["QuantizedMatmul"], **tol)
    if ort:
        add(f"{name}_ort", fn, [x], ["QuantizedMatmul"], ORT, **tol)


# ---- QuantizedMatmul, affine, transpose=True (x @ W.T, W [N, K]) ----------------------
add_qmm("qmm_g32_b4", randn((4, 64), 701), (32, 64), 32, 4, seed=702)
add_qmm("qmm_g64_b4", randn((3, 128), 703), (16, 128), 64, 4, seed=704)
add_qmm("qmm_g128_b4", randn((2, 256), 705), (8, 256), 128, 4, seed=706)
add_qmm("qmm_g64_b2", randn((3, 128), 707), (16, 128), 64, 2, seed=708)
add_qmm("qmm_g32_b2", randn((5, 64), 709), (24, 64), 32, 2, seed=710)
add_qmm("qmm_g128_b8", randn((2, 256), 711), (8, 256), 128, 8, seed=712)
add_qmm("qmm_g32_b8", randn((1, 64), 713), (16, 64), 32, 8, seed=714)
# 3/5/6 bits: codes straddle uint32 words (the ort target falls back to the standard lowering).
add_qmm("qmm_g64_b3", randn((3, 128), 715), (16, 128), 64, 3, seed=716)
add_qmm("qmm_g32_b5", randn((3, 64), 717), (16, 64), 32, 5, seed=718)
add_qmm("qmm_g128_b6", randn((2, 256), 719), (8, 256), 128, 6, seed=720)
add_qmm("qmm_g32_b6", randn((3, 96), 721), (8, 96), 32, 6, seed=722)
# Batched x against a matrix w (a linear layer over a sequence); a vector x.
add_qmm("qmm_x3d", randn((2, 3, 64), 723), (16, 64), 32, 4, seed=724)
add_qmm("qmm_x1d", randn((64,), 725), (16, 64), 64, 4, seed=726)
# Groups all of one sign: the MatMulNBits zero point is out of range, corrected by a GEMM.
_positive = quantized(None, 0, 32, 4, values=uniform((16, 64), 727, 0.1, 1.0))
add("qmm_positive_groups", qmm(_positive, True, 32, 4), [randn((3, 64), 728)], ["QuantizedMatmul"])
add("qmm_positive_groups_ort", qmm(_positive, True, 32, 4), [randn((3, 64), 728)], ["QuantizedMatmul"], ORT)
_negative = quantized(None, 0, 64, 8, values=uniform((8, 128), 729, -1.0, -0.1))
add("qmm_negative_groups_b8_ort", qmm(_negative, True, 64, 8), [randn((3, 128), 730)], ["QuantizedMatmul"],
    ORT)
add("qmm_negative_groups_b8", qmm(_negative, True, 64, 8), [randn((3, 128), 730)], ["QuantizedMatmul"])
# A vocabulary-sized 8-bit head (tied embeddings): two 4-bit planes, many blocks per row.
add_qmm("qmm_head_g32_b8", randn((2, 1, 256), 815), (512, 256), 32, 8, seed=816)
# An odd number of rows: two rows' codes no longer share each byte of the [K, N] layout.
add_qmm("qmm_odd_rows_b4", randn((3, 64), 817), (33, 64), 32, 4, seed=818)
add_qmm("qmm_odd_rows_b8", randn((3, 64), 819), (17, 64), 32, 8, seed=820)

# ---- transpose=False (x @ W, W [K, N] quantized along N) ---------------------------
add_qmm("qmm_nt_g32_b4", randn((3, 48), 731), (48, 64), 32, 4, transpose=False, seed=732)
add_qmm("qmm_nt_g64_b8", randn((2, 16), 733), (16, 128), 64, 8, transpose=False, seed=734)
add_qmm("qmm_nt_g32_b3", randn((3, 24), 735), (24, 64), 32, 3, transpose=False, seed=736)
add_qmm("qmm_nt_g128_b2", randn((2, 8), 737), (8, 128), 128, 2, transpose=False, seed=738)

# ---- Batched w ------------------------------------------------------------------------
_w3 = quantized((2, 16, 64), 739, 32, 4)
add("qmm_batched", qmm(_w3, True, 32, 4), [randn((2, 3, 64), 740)], ["QuantizedMatmul"])
add("qmm_batched_broadcast", qmm(_w3, True, 32, 4), [randn((3, 1, 2, 64), 741)], ["QuantizedMatmul"])
add("qmm_batched_ort", qmm(_w3, True, 32, 4), [randn((2, 3, 64), 740)], ["QuantizedMatmul"], ORT)
# A matrix x meets only the first matrix of a batched w (MLX broadcasts only batched x).
add("qmm_batched_w_matrix_x", qmm(_w3, True, 32, 4), [randn((3, 64), 742)], ["QuantizedMatmul"])
_w3nt = quantized((2, 32, 64), 743, 64, 2)
add("qmm_batched_nt", qmm(_w3nt, False, 64, 2), [randn((2, 3, 32), 744)], ["QuantizedMatmul"])

# ---- Weights as inputs (not constants) ------------------------------------------------
_wq, _s, _b = quantized((16, 64), 745, 32, 4)
_qmm_inputs = lambda x, w, s, b: mx.quantized_matmul(x, w, s, b, transpose=True, group_size=32, bits=4)
add("qmm_weight_inputs", _qmm_inputs, [randn((3, 64), 746), _wq, _s, _b], ["QuantizedMatmul"])
add("qmm_weight_inputs_ort", _qmm_inputs, [randn((3, 64), 746), _wq, _s, _b], ["QuantizedMatmul"], ORT)
_wq5, _s5, _b5 = quantized((32, 64), 747, 64, 5)
add("qmm_weight_inputs_nt_b5",
    lambda x, w, s, b: mx.quantized_matmul(x, w, s, b, transpose=False, group_size=64, bits=5),
    [randn((3, 32), 748), _wq5, _s5, _b5], ["QuantizedMatmul"])

# ---- Dtypes ---------------------------------------------------------------------------
# float16 weights and activations (float16 scales: the zero points need the correction).
_h = quantized((16, 64), 749, 32, 4, dtype="float16")
_xh = randn((3, 64), 750, "float16", scale=0.25)
add("qmm_f16", qmm(_h, True, 32, 4), [_xh], ["QuantizedMatmul"], **HALF_TOL)
add("qmm_f16_ort", qmm(_h, True, 32, 4), [_xh], ["QuantizedMatmul"], ORT, **HALF_TOL)
_h8 = quantized((16, 128), 751, 64, 8, dtype="float16")
add("qmm_f16_b8_ort", qmm(_h8, True, 64, 8), [randn((2, 128), 752, "float16", scale=0.25)],
    ["QuantizedMatmul"], ORT, **HALF_TOL)
add("qmm_f16_b8", qmm(_h8, True, 64, 8), [randn((2, 128), 752, "float16", scale=0.25)],
    ["QuantizedMatmul"], **HALF_TOL)
add("qmm_f16_nt_b6", qmm(quantized((32, 64), 753, 64, 6, dtype="float16"), False, 64, 6),
    [randn((2, 32), 754, "float16", scale=0.25)], ["QuantizedMatmul"], **HALF_TOL)
# float16 x with float32 scales: promoted to float32 (an AsType before the matmul).
add("qmm_f16_x_f32_scales", qmm(quantized((16, 64), 755, 32, 4), True, 32, 4),
    [randn((3, 64), 756, "float16")], ["AsType", "QuantizedMatmul"])
add("qmm_f16_x_f32_scales_ort", qmm(quantized((16, 64), 755, 32, 4), True, 32, 4),
    [randn((3, 64), 756, "float16")], ["AsType", "QuantizedMatmul"], ORT)

# ---- Opsets ---------------------------------------------------------------------------
# Before opset 21 (no blocked DequantizeLinear) 4- and 8-bit words are unpacked in the graph.
add("qmm_opset18", qmm(quantized((16, 64), 757, 32, 4), True, 32, 4), [randn((3, 64), 758)],
    ["QuantizedMatmul"], {"opset": 18})
add("qmm_nt_b8_opset18", qmm(quantized((16, 128), 813, 64, 8), False, 64, 8), [randn((2, 16), 814)],
    ["QuantizedMatmul"], {"opset": 18})
add("qmm_f16_opset20", qmm(_h, True, 32, 4), [_xh], ["QuantizedMatmul"], {"opset": 20}, **HALF_TOL)
add("qmm_opset23_ort", qmm(quantized((16, 128), 759, 64, 2), True, 64, 2), [randn((3, 128), 760)],
    ["QuantizedMatmul"], {"opset": 23, "target": "ort"})

# ---- mxfp4 / mxfp8 / nvfp4 ------------------------------------------------------------
for _mode, _seed in (("mxfp4", 761), ("mxfp8", 763), ("nvfp4", 765)):
    _q = quantized((16, 64), _seed, mode=_mode)
    add(f"qmm_{_mode}", qmm(_q, True, mode=_mode), [randn((3, 64), _seed + 1)], ["QuantizedMatmul"])
    add(f"qmm_{_mode}_ort", qmm(_q, True, mode=_mode), [randn((3, 64), _seed + 1)], ["QuantizedMatmul"], ORT)
    add(f"qmm_{_mode}_nt", qmm(_q, False, mode=_mode), [randn((2, 16), _seed + 2)], ["QuantizedMatmul"])

# ---- nn.QuantizedLinear ---------------------------------------------------------------
def quantized_model(layers, seed, **kw):
    mx.random.seed(seed)
    model = nn.Sequential(*layers)
    nn.quantize(model, **kw)
    mx.eval(model.parameters())
    return model


_mlp = quantized_model([nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16)], 767, group_size=32, bits=4)
add("linear_mlp", _mlp, [randn((4, 64), 768)], ["QuantizedMatmul"])
add("linear_mlp_ort", _mlp, [randn((4, 64), 768)], ["QuantizedMatmul"], ORT)
_mlp8 = quantized_model([nn.Linear(128, 32, bias=False), nn.GELU(), nn.Linear(32, 8)], 769,
                        group_size=32, bits=8)
add("linear_b8_seq", _mlp8, [randn((2, 3, 128), 770)], ["QuantizedMatmul"])
add("linear_b8_seq_ort", _mlp8, [randn((2, 3, 128), 770)], ["QuantizedMatmul"], ORT)
_mlp3 = quantized_model([nn.Linear(64, 32)], 771, group_size=64, bits=3)
add("linear_b3_ort", _mlp3, [randn((3, 64), 772)], ["QuantizedMatmul"], ORT)
_mlp_mx = quantized_model([nn.Linear(64, 16)], 773, mode="mxfp4")
add("linear_mxfp4", _mlp_mx, [randn((3, 64), 774)], ["QuantizedMatmul"])

# ---- GatherQMM ------------------------------------------------------------------------
def gqmm(q, transpose=True, group_size=64, bits=4, mode="affine", lhs=False):
    biases = q[2] if mode == "affine" else None
    kw = dict(group_size=group_size, bits=bits) if mode == "affine" else {}
    if lhs:
        return lambda x, li, ri: mx.gather_qmm(x, q[0], q[1], biases, lhs_indices=li, rhs_indices=ri,
                                               transpose=transpose, mode=mode, **kw)
    return lambda x, ri: mx.gather_qmm(x, q[0], q[1], biases, rhs_indices=ri, transpose=transpose,
                                       mode=mode, **kw)


def idx(values):
    return const(values, "uint32")


_experts = quantized((4, 16, 64), 775, 32, 4)
add("gather_qmm_rhs", gqmm(_experts, True, 32, 4), [randn((5, 1, 64), 776), idx([3, 0, 2, 2, 1])],
    ["GatherQMM"])
add("gather_qmm_rhs_ort", gqmm(_experts, True, 32, 4), [randn((5, 1, 64), 776), idx([3, 0, 2, 2, 1])],
    ["GatherQMM"], ORT)
add("gather_qmm_lhs_rhs", gqmm(_experts, True, 32, 4, lhs=True),
    [randn((3, 2, 64), 777), idx([[0, 2], [1, 1]]), idx([[3, 0], [0, 2]])], ["GatherQMM"])
# mlx-lm's SwitchGLU: x [T, 1, 1, K] and top-k expert ids [T, k].
add("gather_qmm_moe_topk", gqmm(_experts, True, 32, 4), [randn((3, 1, 1, 64), 778), idx([[1, 3], [0, 1], [2, 2]])],
    ["GatherQMM"])
_experts_nt = quantized((3, 32, 64), 779, 64, 8)
add("gather_qmm_nt_b8", gqmm(_experts_nt, False, 64, 8), [randn((4, 2, 32), 780), idx([2, 0, 1, 2])],
    ["GatherQMM"])
_experts3 = quantized((3, 16, 128), 781, 128, 3)
add("gather_qmm_b3", gqmm(_experts3, True, 128, 3), [randn((2, 1, 128), 782), idx([1, 2])], ["GatherQMM"])
_experts_h = quantized((3, 16, 64), 783, 32, 4, dtype="float16")
add("gather_qmm_opset18", gqmm(_experts, True, 32, 4), [randn((5, 1, 64), 776), idx([3, 0, 2, 2, 1])],
    ["GatherQMM"], {"opset": 18})
add("gather_qmm_f16", gqmm(_experts_h, True, 32, 4), [randn((2, 3, 64), 784, "float16", scale=0.25), idx([2, 0])],
    ["GatherQMM"], **HALF_TOL)
_experts_mx = quantized((3, 16, 64), 785, mode="mxfp8")
add("gather_qmm_mxfp8", gqmm(_experts_mx, True, mode="mxfp8"), [randn((2, 1, 64), 786), idx([1, 2])],
    ["GatherQMM"])

# ---- Quantize (mx.quantize: affine quantization) ------------------------------------
def quantize_fn(group_size, bits):
    return lambda w: list(mx.quantize(w, group_size=group_size, bits=bits))


for _g, _bits, _seed in ((32, 2, 787), (64, 3, 788), (128, 4, 789), (32, 5, 790), (64, 6, 791), (64, 8, 792)):
    add(f"quantize_g{_g}_b{_bits}", quantize_fn(_g, _bits), [randn((4, 256), _seed)], ["Quantize"])
add("quantize_f16", quantize_fn(64, 4), [randn((2, 3, 128), 793, "float16")], ["Quantize"], **F16_TOL)
add("quantize_positive_b4", quantize_fn(32, 4), [uniform((4, 64), 794, 0.5, 2.0)], ["Quantize"])
add("quantize_roundtrip",
    lambda w: mx.dequantize(*mx.quantize(w, group_size=32, bits=4), group_size=32, bits=4),
    [randn((8, 64), 795)], ["Quantize"])


# ---- Quantize with dequantize=True --------------------------------------------------
# mx.dequantize records a Quantize node only on a GPU stream (on the CPU it records its
# decomposition), so these files are written by hand: the inputs and one Quantize node on
# stream (0, gpu, 0). MLX on the CPU cannot run them; fn (CPU mx.dequantize) gives the
# reference outputs.
_MODES = {"affine": 0, "mxfp4": 1, "mxfp8": 2, "nvfp4": 3}


def dequantize_file(group_size, bits, mode, out_shape, out_dtype):
    def write(path, inputs):
        trace = Trace(device=GPU)
        operands = [trace.input(a.shape, a.dtype) for a in inputs]
        state = enc_i32(group_size) + enc_i32(bits) + enc_i32(_MODES[mode]) + enc_bool(True)
        trace.outputs.append(trace.node("Quantize", operands, state, out_shape, out_dtype))
        write_mlxfn(path, [trace])
    return write


def add_dequantize(name, q, group_size, bits, mode="affine", dtype=mx.float32, extra=(), **tol):
    inputs = list(q) + list(extra)
    if mode == "affine":
        fn = lambda w, s, b: mx.dequantize(w, s, b, group_size=group_size, bits=bits)
    elif extra:
        fn = lambda w, s, g: mx.dequantize(w, s, mode=mode, global_scale=g, dtype=dtype)
    else:
        fn = lambda w, s: mx.dequantize(w, s, mode=mode, dtype=dtype)
    out = fn(*inputs)
    CASES.append(Case(name=f"quantized_{name}", fn=fn, inputs=inputs, covers=["Quantize"],
                      write_file=dequantize_file(group_size, bits, mode, out.shape, out.dtype),
                      mlx_verifiable=False, **(tol or TOL)))


add_dequantize("dequantize_gpu_b4", quantized((8, 128), 796, 64, 4), 64, 4)
add_dequantize("dequantize_gpu_b2", quantized((2, 4, 64), 797, 32, 2), 32, 2)
add_dequantize("dequantize_gpu_b3", quantized((4, 128), 798, 128, 3), 128, 3)
add_dequantize("dequantize_gpu_b5", quantized((4, 64), 799, 32, 5), 32, 5)
add_dequantize("dequantize_gpu_b6", quantized((4, 128), 800, 64, 6), 64, 6)
add_dequantize("dequantize_gpu_b8", quantized((4, 64), 801, 32, 8), 32, 8)
add_dequantize("dequantize_gpu_f16", quantized((4, 64), 802, 32, 4, dtype="float16"), 32, 4, **F16_TOL)
add_dequantize("dequantize_gpu_mxfp4", quantized((4, 64), 803, mode="mxfp4"), 32, 4, "mxfp4")
add_dequantize("dequantize_gpu_mxfp8", quantized((4, 64), 804, mode="mxfp8"), 32, 8, "mxfp8")
add_dequantize("dequantize_gpu_nvfp4", quantized((4, 64), 805, mode="nvfp4"), 16, 4, "nvfp4")
add_dequantize("dequantize_gpu_nvfp4_global_scale", quantized((4, 64), 806, mode="nvfp4"), 16, 4, "nvfp4",
               extra=[const(0.75)])
add_dequantize("dequantize_gpu_mxfp4_f16", quantized((4, 64), 807, mode="mxfp4"), 32, 4, "mxfp4",
               dtype=mx.float16, **F16_TOL)

# On the CPU, mx.dequantize records its decomposition (shifts, masks, Multiply, Add).
_dq = quantized((8, 64), 808, 32, 4)
add("dequantize_cpu_matmul", lambda x: x @ mx.dequantize(*_dq, group_size=32, bits=4).T, [randn((3, 64), 809)],
    ["BitwiseBinary", "Matmul"])

# ---- bfloat16 models (bfloat16 stays inside the function) ---------------------------
_bf = quantized((16, 64), 810, 32, 4, dtype="float32")
_bf = tuple(a.astype(mx.bfloat16) if a.dtype == mx.float32 else a for a in _bf)
mx.eval(_bf)
_bf_qmm = lambda x: qmm(_bf, True, 32, 4)(x.astype(mx.bfloat16)).astype(mx.float32)
add("qmm_bf16", _bf_qmm, [randn((3, 64), 811, scale=0.1)], ["AsType", "QuantizedMatmul"], atol=2e-2, rtol=2e-2)
add("qmm_bf16_ort", _bf_qmm, [randn((3, 64), 811, scale=0.1)], ["AsType", "QuantizedMatmul"], ORT,
    atol=2e-2, rtol=2e-2)
# bfloat16 scales with float32 activations: promoted to float32 by AsType nodes, which
# MatMulNBits' zero points see through.
add("qmm_bf16_scales_f32_x_ort", qmm(_bf, True, 32, 4), [randn((3, 64), 812)], ["AsType", "QuantizedMatmul"],
    ORT)
