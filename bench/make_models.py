"""Benchmark models, exported by MLX, with MLX's own timings for the same functions.

usage: make_models.py OUTDIR   (writes NAME.mlxfn and mlx_timings.json)
"""
import json
import statistics
import sys
import time

import mlx.core as mx
import mlx.nn as nn


class Block(nn.Module):
    def __init__(self, dims, heads, hidden):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.RMSNorm(dims)
        self.qkv = nn.Linear(dims, 3 * dims, bias=False)
        self.out = nn.Linear(dims, dims, bias=False)
        self.norm2 = nn.RMSNorm(dims)
        self.up = nn.Linear(dims, hidden, bias=False)
        self.down = nn.Linear(hidden, dims, bias=False)

    def __call__(self, x):
        b, t, d = x.shape
        q, k, v = mx.split(self.qkv(self.norm1(x)), 3, axis=-1)
        split = lambda a: a.reshape(b, t, self.heads, d // self.heads).transpose(0, 2, 1, 3)
        attn = mx.fast.scaled_dot_product_attention(split(q), split(k), split(v), scale=(d // self.heads) ** -0.5, mask="causal")
        x = x + self.out(attn.transpose(0, 2, 1, 3).reshape(b, t, d))
        return x + self.down(nn.silu(self.up(self.norm2(x))))


def models():
    mlp = nn.Sequential(nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 512))
    yield "mlp_10mb", mlp, mx.random.normal((8, 1024))
    stack = nn.Sequential(*[Block(512, 8, 2048) for _ in range(4)])
    yield "transformer_50mb", stack, mx.random.normal((1, 128, 512))


def median_ms(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(out):
    mx.set_default_device(mx.cpu)
    mx.random.seed(0)
    timings = {}
    for name, model, x in models():
        mx.eval(model.parameters(), x)
        fn = lambda x: [model(x)]
        path = f"{out}/{name}.mlxfn"
        export_ms = median_ms(lambda: mx.export_function(path, fn, x), 3)
        eval_ms = median_ms(lambda: mx.eval(fn(x)), 7)
        weights = sum(v.nbytes for _, v in nn.utils.tree_flatten(model.parameters()))
        timings[name] = {"mlxExportMs": export_ms, "mlxEvalMs": eval_ms, "weightBytes": weights}
    with open(f"{out}/mlx_timings.json", "w") as f:
        json.dump(timings, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1])
