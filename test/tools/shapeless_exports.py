"""Shapeless MLX exports as people write them, with MLX's outputs at sizes never traced.

usage: shapeless_exports.py OUT_DIR

Writes OUT_DIR/<name>.mlxfn (mx.export_function(..., shapeless=True)),
OUT_DIR/<name>_traces.mlxfn (the same function traced with fixed shapes at two sizes, one
mx.exporter call each) and OUT_DIR/<name>.safetensors holding input_<k> and output_<k> for
the function run eagerly at the traced size (k = 0) and at others:
- llama, qwen3, gemma2, phi3, gpt2: random 2-layer mlx-lm models (make_lm_checkpoint.py),
  their forward pass traced at (1, 12) token ids (and (2, 7)); MLX bakes the Python-int sizes into
  reshapes, aranges and broadcasts. References at (1, 12), then (2, 5), (1, 31), (3, 17)
  and (2, 12).
- whisper_dynamic: a Whisper-style audio encoder (two conv1d, the second with stride 2,
  sinusoidal positions, attention, MLP) written with sizes that follow the input
  (unflatten/flatten, positions from a cumulative sum, x @ W.T + b where mx.addmm would
  reshape at the traced sizes), traced at 40 frames of batch 1; references at (2, 24),
  (1, 64) and (3, 30) frames.
- whisper_baked: the same encoder written as mlx-lm writes models (nn.Linear, B, T from
  x.shape, reshape(B, T, heads, -1), a position table sliced to T), traced and checked the
  same way.
- branching_traces, halving_traces: two traces each of functions whose traces record
  different primitives, and a slice bound no function of the input sizes fits.
"""
import math
import os
import sys
from pathlib import Path

import mlx.core as mx
import mlx.nn as nn

sys.path.insert(0, str(Path(__file__).parent))
import make_lm_checkpoint  # noqa: E402

MELS, WIDTH, HEADS = 16, 32, 4
SIZES = [(2, 24), (1, 64), (3, 30)]


class WhisperStyleEncoder(nn.Module):
    def __init__(self, baked):
        super().__init__()
        self.baked = baked
        self.conv1 = nn.Conv1d(MELS, WIDTH, 3, padding=1)
        self.conv2 = nn.Conv1d(WIDTH, WIDTH, 3, stride=2, padding=1)
        self.query = nn.Linear(WIDTH, WIDTH)
        self.key = nn.Linear(WIDTH, WIDTH, bias=False)
        self.value = nn.Linear(WIDTH, WIDTH)
        self.out = nn.Linear(WIDTH, WIDTH)
        self.ln1 = nn.LayerNorm(WIDTH)
        self.ln2 = nn.LayerNorm(WIDTH)
        self.mlp1 = nn.Linear(WIDTH, 2 * WIDTH)
        self.mlp2 = nn.Linear(2 * WIDTH, WIDTH)
        self.ln_post = nn.LayerNorm(WIDTH)
        scale = math.log(10000) / (WIDTH // 2 - 1)
        self.inv_timescales = mx.exp(-scale * mx.arange(WIDTH // 2))
        positions = mx.arange(1500)[:, None] * self.inv_timescales[None, :]
        self.table = mx.concatenate([mx.sin(positions), mx.cos(positions)], axis=1)

    def project(self, layer, x):
        if self.baked:
            return layer(x)
        y = x @ layer.weight.T
        return y + layer.bias if "bias" in layer else y

    def heads(self, x):
        if self.baked:
            B, T, _ = x.shape
            return x.reshape(B, T, HEADS, -1).transpose(0, 2, 1, 3)
        return mx.unflatten(x, -1, (HEADS, -1)).transpose(0, 2, 1, 3)

    def __call__(self, mel):
        x = nn.gelu(self.conv1(mel))
        x = nn.gelu(self.conv2(x))
        if self.baked:
            x = x + self.table[: x.shape[1]]
        else:
            position = mx.cumsum(x[..., :1] * 0 + 1, axis=1) - 1
            angles = position * self.inv_timescales
            x = x + mx.concatenate([mx.sin(angles), mx.cos(angles)], axis=-1)
        h = self.ln1(x)
        q, k, v = (self.heads(self.project(p, h)) for p in (self.query, self.key, self.value))
        a = mx.fast.scaled_dot_product_attention(q, k, v, scale=(WIDTH // HEADS) ** -0.5)
        a = a.transpose(0, 2, 1, 3)
        a = a.reshape(x.shape[0], x.shape[1], -1) if self.baked else mx.flatten(a, 2)
        x = x + self.project(self.out, a)
        x = x + self.project(self.mlp2, nn.gelu(self.project(self.mlp1, self.ln2(x))))
        return self.ln_post(x)


def save(out, name, fn, example, sizes, traced_at):
    mx.export_function(os.path.join(out, f"{name}.mlxfn"), fn, example, shapeless=True)
    # The same function traced at two sizes, one call each (fixed shapes).
    with mx.exporter(os.path.join(out, f"{name}_traces.mlxfn"), fn) as exporter:
        for shape in traced_at:
            exporter(mx.zeros(shape, dtype=example.dtype))
    arrays = {}
    for k, shape in enumerate(sizes):
        if shape is None:
            x = example
        elif example.dtype == mx.int32:
            x = mx.random.randint(0, 128, shape, key=mx.random.key(k)).astype(mx.int32)
        else:
            x = mx.random.normal(shape, key=mx.random.key(k))
        arrays[f"input_{k}"] = x
        arrays[f"output_{k}"] = fn(x)
    mx.save_safetensors(os.path.join(out, f"{name}.safetensors"), arrays)


def main(out):
    os.makedirs(out, exist_ok=True)
    from mlx_lm.utils import load_model

    ids = mx.array([[1, 45, 3, 88, 19, 7, 120, 64, 9, 33, 2, 71]], dtype=mx.int32)
    for arch in ["llama", "qwen3", "gemma2", "phi3", "gpt2"]:
        folder = os.path.join(out, f"{arch}-checkpoint")
        make_lm_checkpoint.write(folder, arch, 0)
        model, _ = load_model(Path(folder))
        save(out, arch, lambda x, m=model: m(x), ids, [None, (2, 5), (1, 31), (3, 17), (2, 12)], [(1, 12), (2, 7)])
    for baked in (False, True):
        mx.random.seed(3)
        encoder = WhisperStyleEncoder(baked)
        mx.eval(encoder.parameters())
        example = mx.random.normal((1, 40, MELS), key=mx.random.key(9))
        name = "whisper_baked" if baked else "whisper_dynamic"
        sizes = [None] + [(b, t, MELS) for b, t in SIZES]
        save(out, name, encoder, example, sizes, [(1, 40, MELS), (2, 52, MELS)])
    save_odd_traces(out)


def save_odd_traces(out):
    """Two functions whose traces do not merge cleanly."""
    # A branch on a Python-int size: the traces record different primitives.
    def branching(x):
        return x * 2 if x.shape[1] > 8 else x + 1

    # A slice to L // 2 + 3, which no function of the inputs fits: L stays fixed.
    def halving(x):
        return x[:, : x.shape[1] // 2 + 3] * 2

    for name, fn in (("branching", branching), ("halving", halving)):
        with mx.exporter(os.path.join(out, f"{name}_traces.mlxfn"), fn) as exporter:
            for shape in [(1, 12), (2, 7)]:
                exporter(mx.zeros(shape))


if __name__ == "__main__":
    main(sys.argv[1])
