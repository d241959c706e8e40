"""Small end-to-end models built from basic ops (CPU): an MLP and transformer blocks."""
import math

import mlx.core as mx
import mlx.nn as nn

from .case import Case, const, randint, randn

CASES = []
MODEL_TOL = dict(atol=1e-4, rtol=1e-3)


def add(name, fn, inputs, covers):
    CASES.append(Case(name=f"model_{name}", fn=fn, inputs=inputs, covers=covers, **MODEL_TOL))


def weight(shape, seed, fan_in=None):
    fan_in = fan_in or shape[0]
    return randn(shape, seed, scale=1.0 / math.sqrt(fan_in))


# ---------------------------------------------------------------- MLP
_mlp = dict(w1=weight((16, 32), 801), b1=randn((32,), 802, scale=0.1),
            w2=weight((32, 16), 803), b2=randn((16,), 804, scale=0.1))


def mlp_relu(x):
    h = mx.maximum(x @ _mlp["w1"] + _mlp["b1"], 0.0)
    return h @ _mlp["w2"] + _mlp["b2"]


def mlp_silu(x):
    h = x @ _mlp["w1"] + _mlp["b1"]
    h = h * mx.sigmoid(h)
    return mx.addmm(_mlp["b2"], h, _mlp["w2"])


add("mlp", mlp_relu, [randn((4, 16), 805)], ["Matmul", "Add", "Maximum"])
add("mlp_silu", mlp_silu, [randn((4, 16), 806)], ["Matmul", "Add", "Sigmoid", "Multiply", "AddMM"])

# ---------------------------------------------------------------- transformer block
VOCAB, SEQ, DIM, HEADS = 64, 8, 32, 4
HEAD_DIM = DIM // HEADS
_tb = dict(
    embed=randn((VOCAB, DIM), 810, scale=0.5),
    norm1=1.0 + randn((DIM,), 811, scale=0.1),
    norm2=1.0 + randn((DIM,), 812, scale=0.1),
    wq=weight((DIM, DIM), 813), wk=weight((DIM, DIM), 814), wv=weight((DIM, DIM), 815),
    wo=weight((DIM, DIM), 816),
    w_gate=weight((DIM, 2 * DIM), 817), w_up=weight((DIM, 2 * DIM), 818),
    w_down=weight((2 * DIM, DIM), 819),
)


def rms_norm_manual(x, w, eps=1e-5):
    return x * mx.rsqrt(mx.mean(mx.square(x), axis=-1, keepdims=True) + eps) * w


def split_heads(x):
    b, l, _ = x.shape
    return mx.transpose(mx.reshape(x, (b, l, HEADS, HEAD_DIM)), (0, 2, 1, 3))


def merge_heads(x):
    b, _, l, _ = x.shape
    return mx.reshape(mx.transpose(x, (0, 2, 1, 3)), (b, l, DIM))


def attention_manual(x, p):
    q, k, v = split_heads(x @ p["wq"]), split_heads(x @ p["wk"]), split_heads(x @ p["wv"])
    scores = (q @ mx.swapaxes(k, -1, -2)) * (1.0 / math.sqrt(HEAD_DIM))
    l = x.shape[1]
    causal = mx.arange(l)[:, None] >= mx.arange(l)[None, :]
    scores = mx.where(causal, scores, mx.array(-1e9, dtype=scores.dtype))
    probs = mx.softmax(scores, axis=-1)
    return merge_heads(probs @ v) @ p["wo"]


def attention_sdpa(x, p):
    q, k, v = split_heads(x @ p["wq"]), split_heads(x @ p["wk"]), split_heads(x @ p["wv"])
    o = mx.fast.scaled_dot_product_attention(q, k, v, scale=1.0 / math.sqrt(HEAD_DIM), mask="causal")
    return merge_heads(o) @ p["wo"]


def swiglu(x, p):
    g = x @ p["w_gate"]
    return ((g * mx.sigmoid(g)) * (x @ p["w_up"])) @ p["w_down"]


def block(h, p, attention):
    h = h + attention(rms_norm_manual(h, p["norm1"]), p)
    return h + swiglu(mx.fast.rms_norm(h, p["norm2"], 1e-5), p)


def transformer_block(ids):
    return block(_tb["embed"][ids], _tb, attention_manual)


def transformer_block_sdpa(ids):
    return block(_tb["embed"][ids], _tb, attention_sdpa)


def tiny_lm(ids):
    """Two blocks, final norm, tied head: log-probabilities and the greedy next token."""
    h = _tb["embed"][ids]
    h = block(h, _tb, attention_manual)
    h = block(h, _tb, attention_sdpa)
    logits = mx.fast.rms_norm(h, _tb["norm1"], 1e-5) @ _tb["embed"].T
    logprobs = logits - mx.logsumexp(logits, axis=-1, keepdims=True)
    return [logprobs, mx.argmax(logits[:, -1, :], axis=-1)]


_ids = randint((2, SEQ), 820, 0, VOCAB, "uint32")
_tb_covers = ["Gather", "Matmul", "Reshape", "Transpose", "Arange", "GreaterEqual", "Select",
              "Softmax", "Sqrt", "Square", "Reduce", "Sigmoid", "Multiply", "Add"]
add("transformer_block", transformer_block, [_ids], _tb_covers)
add("transformer_block_sdpa", transformer_block_sdpa, [_ids], _tb_covers)
add("transformer_block_float_input", lambda h: block(h, _tb, attention_manual),
    [randn((1, SEQ, DIM), 821)], ["Matmul", "Softmax", "Select", "Reduce"])
add("tiny_lm", tiny_lm, [_ids], _tb_covers + ["LogSumExp", "ArgReduce", "Subtract"])


# ---------------------------------------------------------------- mlx.nn layers
class NNBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM)
        self.norm1 = nn.RMSNorm(DIM)
        self.attn = nn.MultiHeadAttention(DIM, HEADS, bias=True)
        self.norm2 = nn.RMSNorm(DIM)
        self.up = nn.Linear(DIM, 2 * DIM)
        self.down = nn.Linear(2 * DIM, DIM)
        self.head = nn.Linear(DIM, VOCAB, bias=False)

    def __call__(self, ids):
        h = self.embed(ids)
        x = self.norm1(h)
        mask = nn.MultiHeadAttention.create_additive_causal_mask(ids.shape[1])
        h = h + self.attn(x, x, x, mask=mask)
        h = h + self.down(nn.silu(self.up(self.norm2(h))))
        return self.head(h)


mx.random.seed(830)
_nn_block = NNBlock()
mx.eval(_nn_block.parameters())
add("nn_transformer", _nn_block, [randint((2, SEQ), 831, 0, VOCAB, "uint32")],
    ["Gather", "Matmul", "Softmax", "Sigmoid", "Arange", "Reduce", "Add"])
