"""Benchmark models, exported by MLX, with MLX's own timings for the same functions.

usage: make_models.py OUTDIR [NAME ...]   (writes NAME.mlxfn and mlx_timings.json)
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


def llama(hidden, layers, heads, kv_heads, intermediate, vocab, dtype, bits=None):
    from mlx_lm.models import llama as arch

    args = arch.ModelArgs.from_dict(dict(
        model_type="llama", hidden_size=hidden, num_hidden_layers=layers, intermediate_size=intermediate,
        num_attention_heads=heads, num_key_value_heads=kv_heads, rms_norm_eps=1e-5, vocab_size=vocab,
        rope_theta=10000.0, tie_word_embeddings=False))
    model = arch.Model(args)
    model.set_dtype(dtype)
    if bits:
        nn.quantize(model, group_size=64, bits=bits)
    return model


def gpt2_small():
    from mlx_lm.models import gpt2 as arch

    return arch.Model(arch.ModelArgs.from_dict(dict(
        model_type="gpt2", n_ctx=1024, n_embd=768, n_head=12, n_layer=12, n_positions=1024,
        layer_norm_epsilon=1e-5, vocab_size=50257)))


def models(names):
    ids = lambda n: mx.array([[i % 1000 for i in range(n)]], dtype=mx.int32)
    table = {
        "mlp_10mb": lambda: (nn.Sequential(nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                                           nn.Linear(1024, 512)), mx.random.normal((8, 1024))),
        "transformer_50mb": lambda: (nn.Sequential(*[Block(512, 8, 2048) for _ in range(4)]),
                                     mx.random.normal((1, 128, 512))),
        "gpt2_small_fp32": lambda: (gpt2_small(), ids(16)),
        # TinyLlama-1.1B's shape
        "llama_1b_fp16": lambda: (llama(2048, 22, 32, 4, 5632, 32000, mx.float16), ids(16)),
        # float32 activations: MLX's CPU quantized matmul has no fast float16 path.
        "llama_1b_4bit": lambda: (llama(2048, 22, 32, 4, 5632, 32000, mx.float32, bits=4), ids(16)),
    }
    for name in names:
        model, x = table[name]()
        yield name, model, x


def median_ms(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(out, names):
    mx.set_default_device(mx.cpu)
    mx.random.seed(0)
    timings = {}
    for name, model, x in models(names):
        mx.eval(model.parameters(), x)
        fn = lambda x: [model(x)]
        path = f"{out}/{name}.mlxfn"
        big = name.startswith("llama_1b")  # seconds per run: fewer repeats
        export_ms = median_ms(lambda: mx.export_function(path, fn, x), 1 if big else 3)
        eval_ms = median_ms(lambda: mx.eval(fn(x)), 3 if big else 7)
        weights = dict(nn.utils.tree_flatten(model.parameters()))
        mx.save_safetensors(f"{out}/{name}.safetensors", weights)
        timings[name] = {"mlxExportMs": export_ms, "mlxEvalMs": eval_ms,
                         "weightBytes": sum(v.nbytes for v in weights.values())}
    with open(f"{out}/mlx_timings.json", "w") as f:
        json.dump(timings, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or ["mlp_10mb", "transformer_50mb"])
