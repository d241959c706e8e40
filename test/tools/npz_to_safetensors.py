"""Writes each NAME.npz of a folder of GPU recordings (test/fixtures/mlx-cuda-recordings) as
NAME.inputs.safetensors (in0, in1, ... in MLX's dtypes: bfloat16 values are stored as float32
in the npz) and NAME.outputs.safetensors (MLX's CPU outputs cpu0, cpu1, ...).

usage: npz_to_safetensors.py RECORDINGS_DIR OUT_DIR
"""
import os
import sys

import mlx.core as mx
import numpy as np

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for name in sorted(f[:-4] for f in os.listdir(src) if f.endswith(".npz")):
    z = np.load(os.path.join(src, name + ".npz"))
    inputs = {}
    for key in z.files:
        if key.startswith("in") and not key.endswith("_dtype"):
            dtype_name = str(z[key + "_dtype"]).split(".")[-1]
            dtype = getattr(mx, "bool_" if dtype_name == "bool" else dtype_name)
            inputs[key] = mx.array(z[key]).astype(dtype)
    outputs = {k: mx.array(z[k]) for k in z.files if k.startswith("cpu")}
    mx.save_safetensors(os.path.join(out, name + ".inputs.safetensors"), inputs)
    mx.save_safetensors(os.path.join(out, name + ".outputs.safetensors"), outputs)
