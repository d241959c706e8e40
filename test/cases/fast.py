"""MLX's fused fast:: primitives as recorded on a GPU stream (RMSNorm, LayerNorm, RoPE,
ScaledDotProductAttention): native/lower/fast.cpp.

No GPU is available here, so each file is written by mlxfn_writer with the fused node as
MLX's fast.cpp builds it on a GPU stream (its operands, casts and state); MLX cannot run
such a file on the CPU (mlx_verifiable=False). The reference is the same computation
through mx.fast on the CPU, where MLX evaluates its fallback.

Each primitive is converted three ways: the decomposition (default, opset 18), standard
fused operators (opset 23: RMSNormalization, RotaryEmbedding, Attention) and ONNX
Runtime's operators (target "ort": LayerNormalization, com.microsoft RotaryEmbedding and
MultiHeadAttention).
"""
import math

import numpy as np
import mlx.core as mx

from .case import F16_TOL, Case, const, randbool, randn, uniform
from .mlxfn_writer import (CPU, Trace, enc_dtype, enc_shape, layer_norm_state, rms_norm_state,
                           rope_state, sdpa_state, write_mlxfn)

CASES = []

STD23 = {"opset": 23}
ORT = {"target": "ort"}
ORT23 = {"target": "ort", "opset": 23}
PATHS = [("", {}), ("_op23", STD23), ("_ort", ORT)]
META = '{"writer": "test/cases/mlxfn_writer.py", "device": "gpu"}'


def add(name, fn, inputs, covers, write_file, mlx_verifiable=False, **kw):
    CASES.append(Case(name=f"fast_{name}", fn=fn, inputs=inputs, covers=covers,
                      write_file=write_file, mlx_verifiable=mlx_verifiable, **kw))


# The writer itself, checked by MLX: a CPU-stream file of exp(x) * c, which MLX C++ runs.
_wc = randn((3, 4), 0)


def _write_cpu_exp(path, _):
    t = Trace(device=CPU)
    x = t.input((3, 4), mx.float32)
    e = t.node("Exp", [x], b"", (3, 4), mx.float32)
    t.outputs = [t.node("Multiply", [e, t.constant(_wc)], b"", (3, 4), mx.float32)]
    write_mlxfn(path, [t], metadata=META)


add("writer_cpu_stream_exp", lambda x: mx.exp(x) * _wc, [randn((3, 4), 1)], ["Exp", "Multiply"],
    _write_cpu_exp, mlx_verifiable=True)


def _shapeless(fn):
    """A write_file recording `fn` on the CPU stream as a shapeless export."""
    return lambda path, inputs: mx.export_function(path, fn, *inputs, shapeless=True)


def _astype(t, i, src, dst, shape):
    """An AsType node, as MLX records astype when the dtype changes."""
    return i if src == dst else t.node("AsType", [i], enc_dtype(dst), shape, dst)


def _operand(t, a, as_input):
    """A function input or a constant (a captured weight) of `a`."""
    return t.input(a.shape, a.dtype) if as_input else t.constant(a)


# --- RMSNorm: operands (astype(x, out), astype(w, out) or array(1, out)); state eps ------

def rms_case(name, x, w=None, w_input=False, eps=1e-5, **kw):
    out = mx.float32 if (w is not None and mx.float32 in (x.dtype, w.dtype)) else x.dtype

    def fn(x, *rest):
        return mx.fast.rms_norm(x, rest[0] if rest else w, eps)

    def write(path, inputs):
        t = Trace()
        xi = t.input(x.shape, x.dtype)
        wi = _operand(t, w, w_input) if w is not None else t.constant(mx.array(1, dtype=out))
        xi = _astype(t, xi, x.dtype, out, x.shape)
        if w is not None:
            wi = _astype(t, wi, w.dtype, out, w.shape)
        t.outputs = [t.node("RMSNorm", [xi, wi], rms_norm_state(eps), x.shape, out)]
        write_mlxfn(path, [t], metadata=META)

    covers = ["RMSNorm"] + (["AsType"] if x.dtype != out or (w is not None and w.dtype != out) else [])
    add(name, fn, [x] + ([w] if w_input else []), covers, write, **kw)


for suffix, opts in PATHS + [("_ort23", ORT23)]:
    rms_case(f"rms_norm_f32{suffix}", randn((4, 16), 1), randn((16,), 2), options=opts)
rms_case("rms_norm_f32_3d_weight_input", randn((2, 3, 32), 3), randn((32,), 4), w_input=True)
rms_case("rms_norm_f32_no_weight", randn((3, 24), 5), eps=1e-3)
rms_case("rms_norm_f32_no_weight_op23", randn((3, 24), 5), eps=1e-3, options=STD23)
rms_case("rms_norm_f32_eps_large", randn((2, 2, 8), 6, scale=0.05), randn((8,), 7), eps=0.1)
rms_case("rms_norm_f32_eps_large_op23", randn((2, 2, 8), 6, scale=0.05), randn((8,), 7), eps=0.1,
         options=STD23)
rms_case("rms_norm_f32_1d", randn((64,), 8, scale=3.0), randn((64,), 9))

# Recorded on the CPU stream, where MLX writes its fallback's primitives: the RMSNorm pass
# fuses them back, so the file lowers like a GPU recording (fixed and shapeless exports).
_FUSED_RMS = {"": {"Pow": 1, "ReduceMean": 1, "Add": 1, "Sqrt": 1, "Div": 1, "Mul": 1},
              "_op23": {"RMSNormalization": 1}}
for _suffix, _ops in _FUSED_RMS.items():
    _rms = lambda x, w: mx.fast.rms_norm(x, w, 1e-5)
    add(f"rms_norm_cpu_fallback_fused{_suffix}", _rms, [randn((2, 5, 32), 15), randn((32,), 16)],
        ["Square", "Reduce", "Sqrt"], None, mlx_verifiable=True, options=dict(PATHS)[_suffix], onnx_ops=_ops)
    add(f"rms_norm_cpu_fallback_fused_shapeless{_suffix}", _rms, [randn((2, 5, 32), 17), randn((32,), 18)],
        ["NumberOfElements", "Square", "Sqrt"], _shapeless(_rms), mlx_verifiable=True,
        options=dict(PATHS)[_suffix], onnx_ops=_ops)
for suffix, opts in PATHS:
    rms_case(f"rms_norm_f16{suffix}", randn((4, 32), 10, "float16"), randn((32,), 11, "float16"),
             options=opts, **F16_TOL)
rms_case("rms_norm_f16_no_weight", randn((2, 3, 16), 12, "float16"), **F16_TOL)
rms_case("rms_norm_f16_x_f32_weight", randn((4, 16), 13, "float16"), randn((16,), 14))
rms_case("rms_norm_f16_x_f32_weight_op23", randn((4, 16), 13, "float16"), randn((16,), 14),
         options=STD23)


# --- LayerNorm: operands (x, w or array(1), b or array(0)), all cast to out; state eps ----

def ln_case(name, x, w=None, b=None, inputs=False, eps=1e-5, **kw):
    out = x.dtype
    for a in (w, b):
        if a is not None and a.dtype == mx.float32:
            out = mx.float32

    def fn(x, *rest):
        if not inputs:
            return mx.fast.layer_norm(x, w, b, eps)
        rest = list(rest)
        ww = rest.pop(0) if w is not None else None
        bb = rest.pop(0) if b is not None else None
        return mx.fast.layer_norm(x, ww, bb, eps)

    def write(path, _):
        t = Trace()
        xi = t.input(x.shape, x.dtype)
        wi = _operand(t, w, inputs) if w is not None else t.constant(mx.array(1, dtype=out))
        bi = _operand(t, b, inputs) if b is not None else t.constant(mx.array(0, dtype=out))
        xi = _astype(t, xi, x.dtype, out, x.shape)
        wi = _astype(t, wi, w.dtype, out, w.shape) if w is not None else wi
        bi = _astype(t, bi, b.dtype, out, b.shape) if b is not None else bi
        t.outputs = [t.node("LayerNorm", [xi, wi, bi], layer_norm_state(eps), x.shape, out)]
        write_mlxfn(path, [t], metadata=META)

    extra = [a for a in (w, b) if a is not None] if inputs else []
    add(name, fn, [x] + extra, ["LayerNorm"], write, **kw)


_lx = randn((4, 16), 20, scale=2.0) + 0.5
for suffix, opts in PATHS + [("_ort23", ORT23)]:
    ln_case(f"layer_norm_f32{suffix}", _lx, randn((16,), 21), randn((16,), 22), options=opts)
    ln_case(f"layer_norm_f32_no_affine{suffix}", randn((3, 2, 24), 23), eps=1e-3, options=opts)
    ln_case(f"layer_norm_f32_weight_only{suffix}", randn((2, 32), 24), randn((32,), 25),
            options=opts)
ln_case("layer_norm_f32_bias_only", randn((2, 32), 26), b=randn((32,), 27))
ln_case("layer_norm_f32_bias_only_ort", randn((2, 32), 26), b=randn((32,), 27), options=ORT)
ln_case("layer_norm_f32_inputs", randn((2, 3, 8), 28), randn((8,), 29), randn((8,), 30),
        inputs=True, eps=0.5)
ln_case("layer_norm_f32_inputs_ort", randn((2, 3, 8), 28), randn((8,), 29), randn((8,), 30),
        inputs=True, eps=0.5, options=ORT)
for suffix, opts in PATHS:
    ln_case(f"layer_norm_f16{suffix}", randn((4, 32), 31, "float16"), randn((32,), 32, "float16"),
            randn((32,), 33, "float16"), options=opts, **F16_TOL)
ln_case("layer_norm_f16_no_affine", randn((2, 64), 34, "float16"), **F16_TOL)
ln_case("layer_norm_f16_no_affine_ort", randn((2, 64), 34, "float16"), options=ORT, **F16_TOL)

# Recorded on the CPU stream (MLX's fallback primitives), fused back by the norms pass.
_FUSED_LN = {"": {"ReduceMean": 2, "Sub": 1, "Pow": 1, "Add": 2, "Sqrt": 1, "Div": 1, "Mul": 1},
             "_ort": {"LayerNormalization": 1}}
for _suffix, _ops in _FUSED_LN.items():
    _ln = lambda x, w, b: mx.fast.layer_norm(x, w, b, 1e-5)
    add(f"layer_norm_cpu_fallback_fused{_suffix}", _ln, [randn((2, 5, 32), 35, scale=2.0), randn((32,), 36),
        randn((32,), 37)], ["Subtract", "Square", "Sqrt"], None, mlx_verifiable=True, options=dict(PATHS)[_suffix],
        onnx_ops=_ops)
    add(f"layer_norm_cpu_fallback_fused_shapeless{_suffix}", _ln, [randn((2, 5, 32), 38), randn((32,), 39),
        randn((32,), 40)], ["NumberOfElements", "Subtract", "Sqrt"], _shapeless(_ln), mlx_verifiable=True,
        options=dict(PATHS)[_suffix], onnx_ops=_ops)


# --- RoPE: operands (x, offset as int32[, freqs as float32]);
#     state dims, traditional, base, scale, forward ----------------------------------------

def rope_case(name, x, dims, traditional=False, base=10000.0, scale=1.0, offset=0, freqs=None,
              freqs_input=False, forward=True, **kw):
    """`offset`: an int (a 0-d int32 constant) or an mx.array (an input)."""
    offset_input = isinstance(offset, mx.array)

    def rope(y, off, fr):
        return mx.fast.rope(y, dims, traditional=traditional, base=None if fr is not None else base,
                            scale=scale, offset=off, freqs=fr)

    def fn(x, *rest):
        rest = list(rest)
        off = rest.pop(0) if offset_input else offset
        fr = rest.pop(0) if freqs_input else freqs
        if forward:
            return rope(x, off, fr)
        # forward=False is RoPE's transpose (its VJP): the inverse rotation.
        return mx.vjp(lambda y: rope(y, off, fr), [mx.zeros_like(x)], [x])[1][0]

    def write(path, _):
        t = Trace()
        xi = t.input(x.shape, x.dtype)
        if offset_input:
            oi = t.input(offset.shape, offset.dtype)
            oi = _astype(t, oi, offset.dtype, mx.int32, offset.shape) if offset.dtype.size != 4 else oi
        else:
            oi = t.constant(mx.array(offset, dtype=mx.int32))
        operands = [xi, oi]
        if freqs is not None:
            fi = _operand(t, freqs, freqs_input)
            operands.append(_astype(t, fi, freqs.dtype, mx.float32, freqs.shape))
        state = rope_state(dims, traditional, 1.0 if freqs is not None else base, scale, forward)
        t.outputs = [t.node("RoPE", operands, state, x.shape, x.dtype)]
        write_mlxfn(path, [t], metadata=META)

    inputs = [x] + ([offset] if offset_input else []) + ([freqs] if freqs_input else [])
    add(name, fn, inputs, ["RoPE"], write, **kw)


_rx = randn((1, 2, 6, 16), 40)
_rx3 = randn((2, 5, 8), 41)
_freqs = uniform((4,), 42, 0.5, 20.0)
_off_b = const([3, 7], "int32")
for suffix, opts in PATHS + [("_ort23", ORT23)]:
    rope_case(f"rope_f32{suffix}", _rx, 16, options=opts)
    rope_case(f"rope_f32_traditional{suffix}", _rx, 16, traditional=True, options=opts)
    rope_case(f"rope_f32_partial_dims{suffix}", randn((2, 2, 4, 16), 43), 8, offset=5,
              options=opts)
    rope_case(f"rope_f32_partial_traditional{suffix}", randn((1, 3, 5, 12), 44), 4,
              traditional=True, base=500.0, scale=0.5, offset=2, options=opts)
    rope_case(f"rope_f32_rank3{suffix}", _rx3, 8, offset=const(4, "int32"), options=opts)
    rope_case(f"rope_f32_batch_offsets{suffix}", _rx3, 6, offset=_off_b, options=opts)
    rope_case(f"rope_f32_freqs{suffix}", randn((1, 2, 4, 8), 45), 8, freqs=_freqs, options=opts)
    rope_case(f"rope_f32_inverse{suffix}", _rx, 12, scale=2.0, offset=3, forward=False,
              options=opts)
rope_case("rope_f32_rank5", randn((2, 2, 2, 3, 8), 46), 8, offset=1)
rope_case("rope_f32_rank5_op23", randn((2, 2, 2, 3, 8), 46), 8, offset=1, options=STD23)
rope_case("rope_f32_rank5_batch_offsets_ort", randn((2, 2, 2, 3, 8), 46), 8, traditional=True,
          offset=const([0, 9], "int32"), options=ORT)
rope_case("rope_f32_offset_uint32", _rx, 16, offset=const(11, "uint32"))
rope_case("rope_f32_freqs_input_traditional", randn((2, 1, 3, 8), 47), 8, traditional=True,
          freqs=_freqs, freqs_input=True, offset=const([1, 2], "int32"))
rope_case("rope_f32_freqs_input_traditional_ort", randn((2, 1, 3, 8), 47), 8, traditional=True,
          freqs=_freqs, freqs_input=True, offset=const([1, 2], "int32"), options=ORT)
rope_case("rope_f32_inverse_traditional_batch", _rx3, 8, traditional=True, offset=_off_b,
          forward=False)
for suffix, opts in PATHS:
    rope_case(f"rope_f16{suffix}", randn((1, 2, 6, 16), 48, "float16"), 16, offset=7,
              options=opts, **F16_TOL)
    rope_case(f"rope_f16_traditional_partial{suffix}", randn((2, 3, 8), 49, "float16"), 4,
              traditional=True, offset=_off_b, options=opts, **F16_TOL)


# --- ScaledDotProductAttention: operands (q, k, v[, mask broadcast to (B, Hq, Lq, Lk)]
#     [, sinks]); state scale, do_causal, has_sinks, output_logsumexp, force_fused ------------

def sdpa_case(name, q, k, v, scale=None, mask=None, sinks=None, mask_input=True, force_fused=False,
              **kw):
    """`mask`: None, "causal", or an mx.array (bool or additive)."""
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    out = q.dtype
    causal = isinstance(mask, str)
    arr_mask = mask is not None and not causal
    extra = ([mask] if arr_mask and mask_input else []) + ([sinks] if sinks is not None else [])

    def fn(q, k, v, *rest):
        rest = list(rest)
        m = mask if not (arr_mask and mask_input) else rest.pop(0)
        s = rest.pop(0) if sinks is not None else None
        return mx.fast.scaled_dot_product_attention(q, k, v, scale=scale, mask=m, sinks=s)

    def write(path, _):
        t = Trace()
        operands = [t.input(a.shape, a.dtype) for a in (q, k, v)]
        if arr_mask:
            mi = _operand(t, mask, mask_input)
            if mask.dtype != mx.bool_:
                mi = _astype(t, mi, mask.dtype, out, mask.shape)
            full = (q.shape[0], q.shape[1], q.shape[2], k.shape[2])
            if tuple(mask.shape) != full:
                mi = t.node("Broadcast", [mi], enc_shape(full), full,
                            mx.bool_ if mask.dtype == mx.bool_ else out)
            operands.append(mi)
        if sinks is not None:
            operands.append(t.input(sinks.shape, sinks.dtype))
        state = sdpa_state(scale, do_causal=causal, has_sinks=sinks is not None,
                           force_fused=force_fused)
        shape = (q.shape[0], q.shape[1], q.shape[2], v.shape[3])
        t.outputs = [t.node("ScaledDotProductAttention", operands, state, shape, out)]
        write_mlxfn(path, [t], metadata=META)

    covers = ["ScaledDotProductAttention"]
    if arr_mask and tuple(mask.shape) != (q.shape[0], q.shape[1], q.shape[2], k.shape[2]):
        covers.append("Broadcast")
    tol = F16_TOL if out == mx.float16 else {}
    add(name, fn, [q, k, v] + extra, covers, write, **tol, **kw)


def qkv(b, hq, hkv, lq, lk, d, dv, seed, dtype="float32"):
    return (randn((b, hq, lq, d), seed, dtype), randn((b, hkv, lk, d), seed + 1, dtype),
            randn((b, hkv, lk, dv), seed + 2, dtype))


_q, _k, _v = qkv(1, 2, 2, 5, 5, 8, 8, 60)
_gq, _gk, _gv = qkv(2, 4, 2, 3, 6, 8, 4, 63)
_cq, _ck, _cv = qkv(1, 2, 2, 3, 7, 16, 16, 66)
_bool_mask = randbool((1, 1, 5, 5), 69, p=0.7) | mx.eye(5, dtype=mx.bool_)  # no empty row
_add_mask = randn((5, 5), 70)
_gmask = randbool((2, 4, 3, 6), 71, p=0.6) | (mx.arange(6) == 0)
_sinks2 = randn((2,), 72)
_sinks4 = randn((4,), 73)
for suffix, opts in PATHS + [("_ort23", ORT23)]:
    sdpa_case(f"sdpa_f32{suffix}", _q, _k, _v, options=opts)
    sdpa_case(f"sdpa_f32_causal{suffix}", _q, _k, _v, mask="causal", options=opts)
    sdpa_case(f"sdpa_f32_causal_shorter_queries{suffix}", _cq, _ck, _cv, mask="causal",
              scale=0.3, options=opts)
    sdpa_case(f"sdpa_f32_bool_mask{suffix}", _q, _k, _v, mask=_bool_mask, options=opts)
    sdpa_case(f"sdpa_f32_additive_mask{suffix}", _q, _k, _v, mask=_add_mask, mask_input=False,
              options=opts)
    sdpa_case(f"sdpa_f32_gqa{suffix}", _gq, _gk, _gv, options=opts)
    sdpa_case(f"sdpa_f32_gqa_bool_mask{suffix}", _gq, _gk, _gv, mask=_gmask, options=opts)
    sdpa_case(f"sdpa_f32_sinks{suffix}", _q, _k, _v, sinks=_sinks2, options=opts)
sdpa_case("sdpa_f32_gqa_causal_sinks", _gq, _gk, _gv, mask="causal", sinks=_sinks4)
sdpa_case("sdpa_f32_gqa_causal", *qkv(1, 6, 2, 4, 4, 16, 16, 74), mask="causal")
sdpa_case("sdpa_f32_gqa_causal_op23", *qkv(1, 6, 2, 4, 4, 16, 16, 74), mask="causal",
          options=STD23)
sdpa_case("sdpa_f32_gqa_causal_ort", *qkv(1, 6, 2, 4, 4, 16, 16, 74), mask="causal", options=ORT)
sdpa_case("sdpa_f32_head_dim_64", *qkv(1, 2, 1, 8, 8, 64, 64, 77), scale=0.125, force_fused=True)
sdpa_case("sdpa_f32_head_dim_64_ort", *qkv(1, 2, 1, 8, 8, 64, 64, 77), scale=0.125, options=ORT)
sdpa_case("sdpa_f32_single_query_additive", *qkv(2, 2, 2, 1, 9, 8, 8, 80),
          mask=randn((2, 1, 1, 9), 83))
sdpa_case("sdpa_f32_single_query_additive_op23", *qkv(2, 2, 2, 1, 9, 8, 8, 80),
          mask=randn((2, 1, 1, 9), 83), options=STD23)
# A row whose keys are all masked: MLX gives the mean of the values (lowest finite score).
_empty_row = mx.array(np.tril(np.ones((4, 4), dtype=bool), -1))
for suffix, opts in PATHS:
    sdpa_case(f"sdpa_f32_masked_row{suffix}", *qkv(1, 1, 1, 4, 4, 8, 8, 84), mask=_empty_row,
              mask_input=False, options=opts)
    sdpa_case(f"sdpa_f16{suffix}", *qkv(1, 2, 2, 4, 6, 16, 16, 87, "float16"), options=opts)
    sdpa_case(f"sdpa_f16_causal_gqa{suffix}", *qkv(1, 4, 2, 6, 6, 8, 8, 90, "float16"),
              mask="causal", options=opts)
    sdpa_case(f"sdpa_f16_additive_mask{suffix}", *qkv(1, 2, 2, 3, 5, 8, 8, 93, "float16"),
              mask=randn((1, 2, 3, 5), 96, "float16"), options=opts)
sdpa_case("sdpa_f16_sinks_bool_mask", *qkv(1, 2, 2, 5, 5, 8, 8, 97, "float16"),
          mask=_bool_mask, sinks=randn((2,), 100, "float16"))

# Recorded on the CPU stream (MLX's fallback primitives), fused back by the attention pass:
# one Attention at opset 23 for either target; masks reach it as given (no broadcast), but
# for a row axis of 1, which is expanded to the queries (read at run time when shapeless).
_ATT23 = {"Attention": 1}
_sdpa_cpu = [
    ("additive_mask", lambda q, k, v, m: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.3, mask=m),
     [*qkv(2, 2, 2, 3, 5, 8, 8, 110), randn((2, 1, 3, 5), 113)], ["Add", "Softmax"], _ATT23),
    ("gqa_bool_mask", lambda q, k, v, m: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.25, mask=m),
     [*qkv(1, 6, 2, 4, 7, 16, 16, 114), randbool((1, 1, 4, 7), 117, p=0.6) | (mx.arange(7) == 0)],
     ["Select", "Unflatten", "ExpandDims", "Flatten"], {"Where": 1, "Attention": 1}),
    ("gqa_causal", lambda q, k, v: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.25, mask="causal"),
     list(qkv(1, 4, 2, 5, 5, 8, 8, 118)), ["Arange", "GreaterEqual", "Select"], _ATT23),
    # One mask row for all queries (padding): ONNX Runtime needs it expanded to the queries.
    ("padding_mask", lambda q, k, v, m: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.3, mask=m),
     [*qkv(2, 2, 2, 6, 6, 8, 8, 126), mx.array([[[[True] * 6]], [[[False, False] + [True] * 4]]])],
     ["Select", "Softmax"], {"Where": 1, "Expand": 1, "Attention": 1},
     {"Where": 1, "Shape": 1, "Concat": 1, "Expand": 1, "Attention": 1}),
    ("gqa_no_mask", lambda q, k, v: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.125),
     list(qkv(2, 9, 3, 1, 6, 64, 64, 121)), ["Matmul", "Softmax"], _ATT23),
]
for _name, _fn, _inputs, _covers, _ops23, *_shapeless_ops in _sdpa_cpu:
    for _suffix, _opts, _ops in [("", {}, None), ("_op23", STD23, _ops23), ("_ort", ORT, None),
                                 ("_ort23", ORT23, _ops23)]:
        add(f"sdpa_cpu_fallback_fused_{_name}{_suffix}", _fn, _inputs, _covers, None, mlx_verifiable=True,
            options=_opts, onnx_ops=_ops)
    add(f"sdpa_cpu_fallback_fused_{_name}_shapeless_op23", _fn, _inputs, _covers, _shapeless(_fn),
        mlx_verifiable=True, options=STD23, onnx_ops=(_shapeless_ops or [_ops23])[0])
# A boolean mask in half precision stays decomposed: rows with every key masked (here the
# first query of the second entry) average the values in MLX, which a float16 bias cannot do.
_masked_row = mx.array([[[[True] * 5] * 3], [[[False] * 5] + [[True] * 5] * 2]])
add("sdpa_cpu_fallback_f16_bool_mask_op23", lambda q, k, v, m: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.25, mask=m),
    [*qkv(2, 4, 2, 3, 5, 16, 16, 127, "float16"), _masked_row], ["Select", "Softmax"], None, mlx_verifiable=True,
    options=STD23, **F16_TOL)
add("sdpa_cpu_fallback_fused_f16_op23", lambda q, k, v: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.25),
    list(qkv(1, 4, 2, 3, 6, 16, 16, 124, "float16")), ["Matmul", "Softmax"], None, mlx_verifiable=True,
    options=STD23, onnx_ops=_ATT23, **F16_TOL)


# --- Rotary embeddings written as MLX's RoPE fallback writes them (halves a and b, then
#     concat(a·cos − b·sin, a·sin + b·cos)), fused by the rotary pass: one RotaryEmbedding at
#     opset 23, MLX's decomposition below it. The split form is export-model's decoders'. ----

def _rotate_halves(x, c, s):
    a, b = mx.split(x, 2, axis=-1)
    return mx.concatenate([a * c - b * s, a * s + b * c], axis=-1)


def _angles(shape, seed):
    theta = uniform(shape, seed, 0.0, 6.0)
    return [mx.cos(theta), mx.sin(theta)]


_ROT23 = {"Reshape": 2, "RotaryEmbedding": 1}
_ROT = {"Split": 1, "Mul": 4, "Sub": 1, "Add": 1, "Concat": 1}
# Below opset 23, float32 whole heads: x·[cos, cos] + (x·P)·[sin, sin], P taking (a, b) to (−b, a).
_ROT_SWAP = {"Concat": 2, "MatMul": 1, "Mul": 2, "Add": 1}
_rot_inputs = [randn((2, 3, 5, 16), 130), *_angles((2, 1, 5, 8), 131)]
for _suffix, _opts, _ops in [("", {}, _ROT_SWAP), ("_op23", STD23, _ROT23), ("_ort", ORT, _ROT_SWAP), ("_ort23", ORT23, _ROT23)]:
    add(f"rotary_split_halves{_suffix}", _rotate_halves, _rot_inputs, ["Split", "Concatenate"], None,
        options=_opts, onnx_ops=_ops)
# Shapeless, with the angles' head axis made in the function (as the decoders do): an input's
# axis of 1 may vary, so it would not do.
_rotate_by = lambda x, t: _rotate_halves(x, mx.expand_dims(mx.cos(t), 1), mx.expand_dims(mx.sin(t), 1))
add("rotary_split_halves_shapeless_op23", _rotate_by, [randn((2, 3, 5, 16), 130), uniform((2, 5, 8), 131, 0.0, 6.0)],
    ["Split", "Concatenate"], _shapeless(_rotate_by), options=STD23,
    onnx_ops={"Cos": 1, "Sin": 1, "Unsqueeze": 2, "Reshape": 2, "RotaryEmbedding": 1})
# One row of angles for every batch entry: the table is broadcast to the batch.
add("rotary_split_halves_shared_angles_op23", _rotate_halves, [randn((3, 2, 4, 8), 132), *_angles((4, 4), 133)],
    ["Split", "Concatenate"], None, options=STD23, onnx_ops={"Reshape": 2, "Expand": 2, "RotaryEmbedding": 1})
add("rotary_split_halves_rank3_op23", _rotate_halves, [randn((2, 6, 8), 134), *_angles((2, 6, 4), 135)],
    ["Split", "Concatenate"], None, options=STD23,
    onnx_ops={"Reshape": 2, "Unsqueeze": 1, "RotaryEmbedding": 1, "Squeeze": 1})
add("rotary_split_halves_f16_op23", _rotate_halves,
    [randn((1, 2, 3, 8), 136, "float16"), *[a.astype(mx.float16) for a in _angles((1, 1, 3, 4), 137)]],
    ["Split", "Concatenate"], None, options=STD23, onnx_ops=_ROT23, **F16_TOL)
# Partial rotation (Phi-3): a three-way split, the third part passed through.
def _rotate_partial(x, c, s):
    a, b, rest = mx.split(x, [4, 8], axis=-1)
    return mx.concatenate([a * c - b * s, a * s + b * c, rest], axis=-1)


for _suffix, _opts, _ops in [("", {}, _ROT), ("_op23", STD23, _ROT23)]:
    add(f"rotary_split_partial{_suffix}", _rotate_partial, [randn((2, 2, 5, 16), 141), *_angles((2, 1, 5, 4), 142)],
        ["Split", "Concatenate"], None, options=_opts, onnx_ops=_ops)
# A head axis in the angles (other than 1) has no RotaryEmbedding form: the swap form.
add("rotary_split_halves_per_head_angles_op23", _rotate_halves, [randn((1, 2, 3, 8), 138), *_angles((1, 2, 3, 4), 139)],
    ["Split", "Concatenate"], None, options=STD23, onnx_ops=_ROT_SWAP)
# mx.fast.rope recorded on the CPU stream: slices of the halves, the rest passed through.
for _suffix, _opts in PATHS:
    _rope_fb = lambda x, o: mx.fast.rope(x, 8, traditional=False, base=10000.0, scale=1.0, offset=o)
    add(f"rope_cpu_fallback_fused_partial{_suffix}", _rope_fb, [randn((2, 2, 5, 12), 140), const(3, "int32")],
        ["Slice", "Concatenate", "Cos", "Sin"], None, options=_opts)
