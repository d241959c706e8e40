"""CNN and audio models built from mlx.nn (CPU): a small ResNet-style classifier and a
Whisper-style audio encoder. Exercises Convolution, Pad and AsStrided (pooling) together
with normalization, attention and elementwise ops."""
import math

import numpy as np
import mlx.core as mx
import mlx.nn as nn

from .case import Case, randn

CASES = []
MODEL_TOL = dict(atol=1e-4, rtol=1e-3)


def add(name, fn, inputs, covers):
    CASES.append(Case(name=f"vision_{name}", fn=fn, inputs=inputs, covers=covers, **MODEL_TOL))


def randomize_batch_norm(model, seed):
    """Non-trivial running statistics and affine parameters for every BatchNorm."""
    rs = np.random.RandomState(seed)
    for _, m in model.named_modules():
        if isinstance(m, nn.BatchNorm):
            n = m.running_mean.shape[0]
            m.running_mean = mx.array(rs.uniform(-0.5, 0.5, n).astype(np.float32))
            m.running_var = mx.array(rs.uniform(0.5, 2.0, n).astype(np.float32))
            m.weight = mx.array(rs.uniform(0.5, 1.5, n).astype(np.float32))
            m.bias = mx.array(rs.uniform(-0.2, 0.2, n).astype(np.float32))


# ---------------------------------------------------------------- ResNet-style CNN
class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm(cout))

    def __call__(self, x):
        y = nn.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        skip = x if self.shortcut is None else self.shortcut(x)
        return nn.relu(y + skip)


class SmallResNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm(8), nn.ReLU())
        self.max_pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.block1 = ResidualBlock(8, 8, 1)
        self.block2 = ResidualBlock(8, 16, 2)
        self.avg_pool = nn.AvgPool2d(kernel_size=2, stride=1)
        self.head = nn.Linear(16, classes)

    def __call__(self, x):
        x = self.max_pool(self.stem(x))   # (N, 8, 8, 8)
        x = self.block2(self.block1(x))   # (N, 4, 4, 16)
        x = self.avg_pool(x)              # (N, 3, 3, 16)
        return self.head(mx.mean(x, axis=(1, 2)))


mx.random.seed(1301)
_resnet = SmallResNet()
randomize_batch_norm(_resnet, 1302)
_resnet.eval()
mx.eval(_resnet.parameters())
add("resnet", lambda x: _resnet(x), [randn((2, 16, 16, 3), 1303)],
    ["Convolution", "Pad", "AsStrided", "Reduce", "Maximum", "Add", "AddMM"])


# ---------------------------------------------------------------- Whisper-style encoder
def sinusoids(length, channels, max_timescale=10000):
    """Whisper's sinusoidal positional embedding."""
    increment = math.log(max_timescale) / (channels // 2 - 1)
    inv_timescales = np.exp(-increment * np.arange(channels // 2))
    scaled = np.arange(length)[:, None] * inv_timescales[None, :]
    return mx.array(np.concatenate([np.sin(scaled), np.cos(scaled)], axis=1).astype(np.float32))


class EncoderLayer(nn.Module):
    def __init__(self, dims, heads):
        super().__init__()
        self.attn_ln = nn.LayerNorm(dims)
        self.attn = nn.MultiHeadAttention(dims, heads, bias=True)
        self.mlp_ln = nn.LayerNorm(dims)
        self.mlp1 = nn.Linear(dims, 4 * dims)
        self.mlp2 = nn.Linear(4 * dims, dims)

    def __call__(self, x):
        y = self.attn_ln(x)
        x = x + self.attn(y, y, y)
        return x + self.mlp2(nn.gelu(self.mlp1(self.mlp_ln(x))))


class AudioEncoder(nn.Module):
    def __init__(self, n_mels=16, n_frames=64, dims=32, heads=4, layers=2):
        super().__init__()
        self.conv1 = nn.Conv1d(n_mels, dims, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(dims, dims, kernel_size=3, stride=2, padding=1)
        self.gelu = nn.GELU()
        self.positional_embedding = sinusoids(n_frames // 2, dims)
        self.blocks = [EncoderLayer(dims, heads) for _ in range(layers)]
        self.ln_post = nn.LayerNorm(dims)

    def __call__(self, mel):
        x = self.gelu(self.conv1(mel))
        x = self.gelu(self.conv2(x))
        x = x + self.positional_embedding
        for block in self.blocks:
            x = block(x)
        return self.ln_post(x)


mx.random.seed(1310)
_encoder = AudioEncoder()
_encoder.freeze()
mx.eval(_encoder.parameters())
add("whisper_encoder", lambda mel: _encoder(mel), [randn((1, 64, 16), 1311)],
    ["Convolution", "Erf", "Add", "Matmul"])
