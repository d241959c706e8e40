"""A small writer of `.mlxfn` files (MLX 0.32.4 layout), byte by byte.

For files MLX cannot record here: the fused fast:: nodes (RMSNorm, LayerNorm, RoPE,
ScaledDotProductAttention) that MLX records only on a GPU stream. The layout follows
/work/shared/MLXFN-FORMAT.md and docs/mlxfn-format-notes.md: a header (version, trace
count, shapeless flag, metadata), then per trace the keyword names, input ids and
descriptors, output ids and a tape of input, constant and primitive entries. A primitive's
state has no length prefix: pass its exact bytes (see the enc_* helpers).

    t = Trace()
    x = t.input((2, 8), mx.float32)
    w = t.constant(weight)                       # an evaluated mx.array (or numpy array)
    y = t.node("RMSNorm", [x, w], enc_f32(1e-5), (2, 8), mx.float32)
    t.outputs = [y]
    write_mlxfn(path, [t], metadata='{"k": "v"}')

Checked against MLX by `cd test && python -m cases.mlxfn_writer` (CPU-stream files with two
traces, a shared constant, a multi-output node and state, loaded with mx.import_function)
and by the case fast_writer_cpu_stream_exp (verified by MLX C++).
"""
import struct

import numpy as np
import mlx.core as mx

VERSION = "0.32.4"
CPU, GPU = 0, 1

# dtype -> (code, item size), as in MLX's Dtype.
_DTYPES = {
    mx.bool_: (0, 1), mx.uint8: (1, 1), mx.uint16: (2, 2), mx.uint32: (3, 4),
    mx.uint64: (4, 8), mx.int8: (5, 1), mx.int16: (6, 2), mx.int32: (7, 4), mx.int64: (8, 8),
    mx.float16: (9, 2), mx.float32: (10, 4), mx.float64: (11, 8), mx.bfloat16: (12, 2),
    mx.complex64: (13, 8),
}


def enc_u64(v):
    return struct.pack("<Q", v)


def enc_i32(v):
    return struct.pack("<i", v)


def enc_f32(v):
    return struct.pack("<f", v)


def enc_bool(v):
    return b"\x01" if v else b"\x00"


def enc_str(s):
    b = s.encode() if isinstance(s, str) else bytes(s)
    return enc_u64(len(b)) + b


def enc_shape(shape):
    return enc_u64(len(shape)) + b"".join(enc_i32(d) for d in shape)


def enc_dtype(dtype):
    code, size = _DTYPES[dtype]
    return enc_i32(code) + bytes([size])


def enc_desc(shape, dtype):
    return enc_shape(shape) + enc_dtype(dtype)


class Trace:
    """One trace: inputs, constants and primitive nodes in topological order."""

    def __init__(self, device=GPU, stream_index=0):
        self.stream = enc_i32(stream_index) + enc_i32(device) + enc_i32(0)
        self.inputs = []  # (id, shape, dtype)
        self.kwarg_keys = []
        self.outputs = []  # ids
        self._tape = []  # bytes of each entry

    # Ids are unique across traces: MLX keeps one table of constants per file.
    _next = 0x5000

    def _id(self):
        Trace._next += 0x40
        return Trace._next

    def input(self, shape, dtype, keyword=None):
        """A function input (positional inputs first, then keyword ones in sorted order)."""
        i = self._id()
        self.inputs.append((i, tuple(shape), dtype))
        if keyword is not None:
            self.kwarg_keys.append(keyword)
        self._tape.append(enc_u64(i) + enc_bool(False) + enc_bool(False))
        return i

    def constant(self, array):
        """An evaluated array stored in the file (row-major payload)."""
        a = array if isinstance(array, mx.array) else mx.array(array)
        payload = np.array(a.astype(mx.float32) if a.dtype == mx.bfloat16 else a)
        if a.dtype == mx.bfloat16:
            payload = (payload.view(np.uint32) >> 16).astype(np.uint16)
        i = self._id()
        self._tape.append(enc_u64(i) + enc_bool(False) + enc_bool(True) + enc_desc(a.shape, a.dtype)
                          + np.ascontiguousarray(payload).tobytes())
        return i

    def node(self, name, operands, state, shape, dtype):
        """A primitive with one output; `state` is its exact state bytes."""
        i = self._id()
        self._tape.append(enc_u64(i) + enc_bool(True) + enc_u64(len(operands))
                          + b"".join(enc_u64(o) for o in operands) + self.stream + enc_str(name)
                          + state + enc_u64(0) + enc_desc(shape, dtype))
        return i

    def multi_node(self, name, operands, state, shapes, dtypes):
        """A primitive with several outputs; returns their ids."""
        ids = [self._id() for _ in shapes]
        self._tape.append(enc_u64(ids[0]) + enc_bool(True) + enc_u64(len(operands))
                          + b"".join(enc_u64(o) for o in operands) + self.stream + enc_str(name)
                          + state + enc_u64(len(ids) - 1)
                          + enc_u64(len(ids)) + b"".join(enc_u64(i) for i in ids)
                          + enc_u64(len(shapes)) + b"".join(enc_shape(s) for s in shapes)
                          + enc_u64(len(dtypes)) + b"".join(enc_dtype(d) for d in dtypes))
        return ids

    def to_bytes(self):
        out = enc_u64(len(self.kwarg_keys)) + b"".join(enc_str(k) for k in self.kwarg_keys)
        out += enc_u64(len(self.inputs)) + b"".join(enc_u64(i) for i, _, _ in self.inputs)
        out += enc_u64(len(self.inputs)) + b"".join(enc_desc(s, d) for _, s, d in self.inputs)
        out += enc_u64(len(self.outputs)) + b"".join(enc_u64(o) for o in self.outputs)
        return out + enc_u64(len(self._tape)) + b"".join(self._tape)


def write_mlxfn(path, traces, metadata="", shapeless=False, version=VERSION):
    header = enc_str(version) + enc_i32(len(traces)) + enc_bool(shapeless) + enc_str(metadata)
    with open(path, "wb") as f:
        f.write(header + b"".join(t.to_bytes() for t in traces))


# State bytes of the fused primitives (the fallback placeholder writes nothing).
def rms_norm_state(eps):
    return enc_f32(eps)


def layer_norm_state(eps):
    return enc_f32(eps)


def rope_state(dims, traditional, base, scale, forward=True):
    return enc_i32(dims) + enc_bool(traditional) + enc_f32(base) + enc_f32(scale) + enc_bool(forward)


def sdpa_state(scale, do_causal=False, has_sinks=False, output_logsumexp=False, force_fused=False):
    return (enc_f32(scale) + enc_bool(do_causal) + enc_bool(has_sinks) + enc_bool(output_logsumexp)
            + enc_bool(force_fused))


def _self_check():
    """Writes CPU-stream files with this writer and runs them with MLX."""
    import os
    import tempfile

    mx.set_default_device(mx.cpu)
    d = tempfile.mkdtemp()
    x = mx.array(np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3))
    c = mx.array(np.array([[1.0, 2.0, 3.0], [0.5, 1.5, 2.5]], dtype=np.float32))
    # f(x) = exp(x) + c, two traces (float32 and float16), metadata, a shared constant.
    t = Trace(device=CPU)
    xi = t.input((2, 3), mx.float32)
    e = t.node("Exp", [xi], b"", (2, 3), mx.float32)
    ci = t.constant(c)
    t.outputs = [t.node("Add", [e, ci], b"", (2, 3), mx.float32)]
    t2 = Trace(device=CPU)
    xh = t2.input((2, 3), mx.float16)
    eh = t2.node("Exp", [xh], b"", (2, 3), mx.float16)
    ch = t2.constant(c.astype(mx.float16))
    q, r = t2.multi_node("DivMod", [eh, ch], b"", [(2, 3), (2, 3)], [mx.float16, mx.float16])
    t2.outputs = [q, r]
    path = os.path.join(d, "exp.mlxfn")
    write_mlxfn(path, [t, t2], metadata='{"writer": "mlxfn_writer"}')
    f = mx.import_function(path)
    got = f(x)[0]
    assert mx.allclose(got, mx.exp(x) + c).item(), (got, mx.exp(x) + c)
    qh, rh = f(x.astype(mx.float16))
    eq, er = mx.divmod(mx.exp(x.astype(mx.float16)), c.astype(mx.float16))
    assert mx.array_equal(qh, eq).item() and mx.array_equal(rh, er).item()
    # A node with state (Reduce Sum over axis 1) and an AsType.
    t3 = Trace(device=CPU)
    xi = t3.input((2, 3), mx.float32)
    s = t3.node("Reduce", [xi], enc_i32(2) + enc_shape([1]), (2,), mx.float32)
    t3.outputs = [t3.node("AsType", [s], enc_dtype(mx.float16), (2,), mx.float16)]
    write_mlxfn(path, [t3])
    got = mx.import_function(path)(x)[0]
    assert got.dtype == mx.float16 and mx.allclose(got, x.sum(1).astype(mx.float16)).item()
    print("mlxfn_writer: files load and run in MLX", mx.__version__)


if __name__ == "__main__":
    _self_check()
