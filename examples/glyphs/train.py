"""Train a small text-to-glyph diffusion model with MLX, and export its denoiser.

usage: train.py OUT_DIR [--minutes M]

The images are the 62 letters and digits (A-Z, a-z, 0-9) rendered at 32x32 from the
upright TrueType fonts under /usr/share/fonts/truetype (Debian's fonts-dejavu-core,
fonts-dejavu-extra and fonts-liberation), white on black, in [-1, 1]. The
denoiser is a small diffusion transformer: 4x4 patches (64 tokens of width 96), a token
for the character and the time step prepended, 4 pre-norm blocks with 4 heads; it
predicts the clean image from one noised by DDPM's forward process (1000 steps, cosine
schedule), trained with AdamW for --minutes on the CPU. (Predicting the image rather than
the noise learns letters in far fewer steps on a small set.) Writes OUT_DIR/{denoiser.safetensors, config.json,
denoiser.mlxfn (the denoiser of one image, traced with mx.export_function), schedule.json
(the cumulative alphas), chars.json, training.json, samples.png (DDIM samples of every
character, drawn by MLX)}.
"""
import argparse
import json
import math
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
import numpy as np
from mlx.utils import tree_flatten

CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
SIZE, PATCH, STEPS = 32, 4, 1000
CONFIG = {"size": SIZE, "patch": PATCH, "width": 96, "depth": 4, "heads": 4, "classes": len(CHARS), "steps": STEPS}


def pillow():
    try:
        import PIL  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pillow"], check=True)
    from PIL import Image, ImageDraw, ImageFont
    return Image, ImageDraw, ImageFont


def render(fonts_dir=Path("/usr/share/fonts/truetype")):
    """[N, 32, 32, 1] glyphs in [-1, 1] and their character indices."""
    Image, ImageDraw, ImageFont = pillow()
    # Upright styles only (no italic, oblique, condensed or extra-light): letters of one
    # character look alike, which a small model learns in minutes.
    slanted = ("Math", "Oblique", "Italic", "Condensed", "ExtraLight")
    fonts = sorted(p for p in fonts_dir.rglob("*.ttf") if not any(s in p.name for s in slanted))
    if not fonts:
        raise SystemExit(f"no fonts under {fonts_dir}: apt-get install fonts-dejavu-core fonts-dejavu-extra fonts-liberation")
    images, labels = [], []
    for font_path in fonts:
        font = ImageFont.truetype(str(font_path), 26)
        for label, char in enumerate(CHARS):
            image = Image.new("L", (SIZE, SIZE), 0)
            draw = ImageDraw.Draw(image)
            left, top, right, bottom = draw.textbbox((0, 0), char, font=font)
            draw.text(((SIZE - (right - left)) / 2 - left, (SIZE - (bottom - top)) / 2 - top), char, fill=255, font=font)
            images.append(np.asarray(image, dtype=np.float32) / 127.5 - 1)
            labels.append(label)
    print(f"{len(images)} glyphs from {len(fonts)} fonts")
    return mx.array(np.stack(images)[..., None]), mx.array(labels, dtype=mx.int32)


def alpha_bars():
    """DDPM's cumulative alphas for the cosine schedule (Nichol & Dhariwal), clipped."""
    f = lambda t: math.cos((t / STEPS + 0.008) / 1.008 * math.pi / 2) ** 2
    return [min(max(f(t + 1) / f(0), 1e-5), 0.9999) for t in range(STEPS)]


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv, self.out = nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def __call__(self, x):
        B, L, D = x.shape
        q, k, v = (a.reshape(B, L, self.heads, -1).transpose(0, 2, 1, 3) for a in mx.split(self.qkv(self.norm1(x)), 3, axis=-1))
        a = mx.fast.scaled_dot_product_attention(q, k, v, scale=(D // self.heads) ** -0.5)
        x = x + self.out(a.transpose(0, 2, 1, 3).reshape(B, L, D))
        return x + self.mlp(self.norm2(x))


class Denoiser(nn.Module):
    def __init__(self, size, patch, width, depth, heads, classes, steps):
        super().__init__()
        self.size, self.patch, self.width = size, patch, width
        tokens = (size // patch) ** 2
        self.embed = nn.Linear(patch * patch, width)
        self.position = mx.random.normal((tokens, width)) * 0.02
        self.label = nn.Embedding(classes, width)
        self.time = nn.Sequential(nn.Linear(width, width), nn.SiLU(), nn.Linear(width, width))
        self.blocks = [Block(width, heads) for _ in range(depth)]
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, patch * patch)

    def __call__(self, x, t, label):
        """x [B, size, size, 1], t [B] float time steps, label [B] int32: the clean image."""
        B, n, p = x.shape[0], self.size // self.patch, self.patch
        tokens = x.reshape(B, n, p, n, p).transpose(0, 1, 3, 2, 4).reshape(B, n * n, p * p)
        h = self.embed(tokens) + self.position
        half = self.width // 2
        freqs = mx.exp(-math.log(10000) * mx.arange(half) / half)
        angles = t[:, None] * freqs[None]
        cond = self.time(mx.concatenate([mx.sin(angles), mx.cos(angles)], axis=-1)) + self.label(label)
        h = mx.concatenate([cond[:, None], h], axis=1)
        for block in self.blocks:
            h = block(h)
        out = self.head(self.norm(h[:, 1:]))
        return out.reshape(B, n, n, p, p).transpose(0, 1, 3, 2, 4).reshape(B, self.size, self.size, 1)


def ddim(model, labels, abar, count=25, seed=0):
    """DDIM (eta 0) from noise; the same loop the page runs."""
    x = mx.random.normal((labels.shape[0], SIZE, SIZE, 1), key=mx.random.key(seed))
    times = [round(i * (STEPS - 1) / (count - 1)) for i in range(count)][::-1]
    for i, t in enumerate(times):
        a = abar[t]
        a_prev = abar[times[i + 1]] if i + 1 < len(times) else 1.0
        x0 = mx.clip(model(x, mx.full((labels.shape[0],), float(t)), labels), -1, 1)
        eps = (x - math.sqrt(a) * x0) / math.sqrt(1 - a)
        x = math.sqrt(a_prev) * x0 + math.sqrt(1 - a_prev) * eps
    return x


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()
    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)

    images, labels = render()
    abar_list = alpha_bars()
    abar = mx.array(abar_list)
    mx.random.seed(0)
    model = Denoiser(**CONFIG)
    params = sum(v.size for _, v in tree_flatten(model.parameters()))
    print(f"{params / 1e6:.2f} M parameters")

    def loss_fn(model, x0, label, key):
        k1, k2 = mx.random.split(key)
        t = mx.random.randint(0, STEPS, (x0.shape[0],), key=k1)
        noise = mx.random.normal(x0.shape, key=k2)
        a = abar[t][:, None, None, None]
        xt = mx.sqrt(a) * x0 + mx.sqrt(1 - a) * noise
        return ((model(xt, t.astype(mx.float32), label) - x0) ** 2).mean()

    optimizer = optim.AdamW(learning_rate=1e-3, weight_decay=0.01)
    step_fn = nn.value_and_grad(model, loss_fn)
    state = [model.state, optimizer.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def step(x0, label, key):
        loss, grads = step_fn(model, x0, label, key)
        optimizer.update(model, grads)
        return loss

    batch, start, steps, deadline, recent = 32, time.perf_counter(), 0, args.minutes * 60, []
    while time.perf_counter() - start < deadline:
        progress = (time.perf_counter() - start) / deadline
        optimizer.learning_rate = 1e-3 * min(1.0, (steps + 1) / 100) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))
        pick = mx.random.randint(0, images.shape[0], (batch,), key=mx.random.key(2 * steps))
        loss = step(images[pick], labels[pick], mx.random.key(2 * steps + 1))
        mx.eval(state, loss)
        recent = (recent + [loss.item()])[-100:]
        steps += 1
        if steps % 100 == 0:
            print(f"step {steps}: loss {sum(recent) / len(recent):.4f} ({time.perf_counter() - start:.0f} s)", flush=True)
    seconds = time.perf_counter() - start
    model.eval()

    mx.save_safetensors(str(out / "denoiser.safetensors"), dict(tree_flatten(model.parameters())))
    (out / "config.json").write_text(json.dumps(CONFIG, indent=2) + "\n")
    (out / "schedule.json").write_text(json.dumps(abar_list) + "\n")
    (out / "chars.json").write_text(json.dumps(CHARS) + "\n")
    (out / "training.json").write_text(json.dumps({
        "glyphs": images.shape[0], "parameters": params, "steps": steps, "batch": batch, "seconds": round(seconds),
        "loss": round(sum(recent) / len(recent), 4), "mlx": mx.__version__}, indent=2) + "\n")
    export(model, out)
    samples(model, abar_list, out)


def export(model, out):
    example = (mx.zeros((1, SIZE, SIZE, 1)), mx.array([999.0]), mx.array([0], dtype=mx.int32))
    mx.export_function(str(out / "denoiser.mlxfn"), lambda x, t, label: model(x, t, label), *example)


def samples(model, abar, out):
    """Every character, two seeds: DDIM in MLX, as a PNG (2 rows of 62)."""
    Image, _, _ = pillow()
    rows = [np.array(ddim(model, mx.arange(len(CHARS), dtype=mx.int32), abar, seed=seed)) for seed in (1, 2)]
    grid = np.concatenate([np.concatenate(list(r[..., 0]), axis=1) for r in rows], axis=0)
    Image.fromarray(((grid + 1) * 127.5).clip(0, 255).astype(np.uint8)).save(out / "samples.png")


if __name__ == "__main__":
    main()
