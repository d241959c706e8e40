"""The Case record shared by every lowering family, and deterministic input helpers."""
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import mlx.core as mx


@dataclass
class Case:
    name: str  # unique, snake_case, e.g. "unary_exp_f32"
    fn: Callable  # MLX function of positional mx.arrays -> mx.array or list/tuple of them
    inputs: list  # example mx.array inputs
    atol: float = 1e-5
    rtol: float = 1e-4
    covers: list[str] = field(default_factory=list)  # MLX primitives this case exercises
    # Options for convert(), e.g. {"target": "ort", "opset": 23}.
    options: dict = field(default_factory=dict)
    # Writes the .mlxfn itself, as write_file(path, inputs), instead of mx.export_function:
    # for files MLX cannot record here (fused nodes of a GPU stream). Outputs still come
    # from fn(*inputs), the CPU reference.
    write_file: Callable | None = None
    # False when MLX on the CPU cannot evaluate the file (GPU streams, CPU-less kernels);
    # the test then compares with fn's outputs only.
    mlx_verifiable: bool = True
    # The written ONNX's exact operator counts, for cases about the graph's form (fusions).
    onnx_ops: dict | None = None


# Tolerances for half-precision cases.
F16_TOL = dict(atol=2e-3, rtol=2e-3)

_DTYPES = {
    "float32": (np.float32, mx.float32),
    "float16": (np.float16, mx.float16),
    "int32": (np.int32, mx.int32),
    "uint32": (np.uint32, mx.uint32),
    "bool": (np.bool_, mx.bool_),
}


def _to_mx(a, dtype):
    np_dtype, mx_dtype = _DTYPES[dtype]
    return mx.array(np.ascontiguousarray(np.asarray(a).astype(np_dtype)), dtype=mx_dtype)


def randn(shape, seed, dtype="float32", scale=1.0):
    """Standard normal values times `scale`."""
    return _to_mx(np.random.RandomState(seed).standard_normal(shape) * scale, dtype)


def uniform(shape, seed, low, high, dtype="float32"):
    """Uniform values in [low, high)."""
    return _to_mx(np.random.RandomState(seed).uniform(low, high, shape), dtype)


def nonzero(shape, seed, low=0.5, high=3.0, dtype="float32"):
    """Values with |v| in [low, high) and random signs: safe divisors."""
    rs = np.random.RandomState(seed)
    mag = rs.uniform(low, high, shape)
    sign = np.where(rs.uniform(size=shape) < 0.5, -1.0, 1.0)
    return _to_mx(mag * sign, dtype)


def randint(shape, seed, low, high, dtype="int32"):
    """Integers in [low, high)."""
    return _to_mx(np.random.RandomState(seed).randint(low, high, shape), dtype)


def nonzero_int(shape, seed, low, high, dtype="int32"):
    """Integers in [low, high) with zeros replaced by 1."""
    v = np.random.RandomState(seed).randint(low, high, shape)
    return _to_mx(np.where(v == 0, 1, v), dtype)


def randbool(shape, seed, p=0.5):
    return _to_mx(np.random.RandomState(seed).uniform(size=shape) < p, "bool")


def const(values, dtype="float32"):
    """An explicit array of the given values."""
    return _to_mx(values, dtype)
