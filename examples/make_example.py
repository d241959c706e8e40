"""Writes examples/transformer_block.mlxfn: a small pre-norm transformer block (RMSNorm,
causal multi-head attention, SiLU MLP) with random weights, exported by MLX.

usage: python examples/make_example.py [OUT.mlxfn]
"""
import sys

import mlx.core as mx
import mlx.nn as nn


class Block(nn.Module):
    def __init__(self, dims=64, heads=4, hidden=256):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.RMSNorm(dims)
        self.qkv = nn.Linear(dims, 3 * dims, bias=False)
        self.out = nn.Linear(dims, dims, bias=False)
        self.norm2 = nn.RMSNorm(dims)
        self.up = nn.Linear(dims, hidden)
        self.down = nn.Linear(hidden, dims)

    def __call__(self, x):
        b, t, d = x.shape
        q, k, v = mx.split(self.qkv(self.norm1(x)), 3, axis=-1)
        split = lambda a: a.reshape(b, t, self.heads, d // self.heads).transpose(0, 2, 1, 3)
        q, k, v = split(q), split(k), split(v)
        scores = (q @ k.transpose(0, 1, 3, 2)) * (d // self.heads) ** -0.5
        causal = mx.arange(t)[:, None] >= mx.arange(t)[None, :]
        scores = mx.where(causal, scores, -1e9)
        attn = mx.softmax(scores, axis=-1) @ v
        x = x + self.out(attn.transpose(0, 2, 1, 3).reshape(b, t, d))
        return x + self.down(nn.silu(self.up(self.norm2(x))))


def main(out):
    mx.set_default_device(mx.cpu)
    mx.random.seed(0)
    block = Block()
    mx.eval(block.parameters())
    x = mx.random.normal((1, 16, 64))
    mx.export_function(out, lambda x: [block(x)], x, metadata='{"model": "transformer block"}')
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/transformer_block.mlxfn")
