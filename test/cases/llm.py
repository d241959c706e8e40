"""Real model architectures: mlx-lm's llama, qwen2, qwen3, gemma2, phi3 and gpt2 built from
small configs with random weights (mlx-lm is the reference implementation users export
from), and a BERT-style encoder from mlx.nn. Logits must match MLX within 1e-4."""
import importlib

import mlx.core as mx
import mlx.nn as nn

from cases.case import Case, randint

MODEL_TOL = dict(atol=1e-4, rtol=1e-3)

_BASE = dict(hidden_size=64, num_hidden_layers=2, intermediate_size=128, num_attention_heads=4,
             num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=100, rope_theta=10000.0,
             max_position_embeddings=128)

CONFIGS = {
    "llama": dict(model_type="llama", tie_word_embeddings=False, **_BASE),
    "qwen2": dict(model_type="qwen2", tie_word_embeddings=False, **_BASE),
    "qwen3": dict(model_type="qwen3", head_dim=16, tie_word_embeddings=False, **_BASE),
    "gemma2": dict(model_type="gemma2", head_dim=16, query_pre_attn_scalar=16,
                   attn_logit_softcapping=50.0, final_logit_softcapping=30.0, **_BASE),
    "phi3": dict(model_type="phi3", tie_word_embeddings=False, **_BASE),
    "gpt2": dict(model_type="gpt2", n_ctx=128, n_embd=64, n_head=4, n_layer=2, n_positions=128,
                 layer_norm_epsilon=1e-5, vocab_size=100),
}


def mlx_lm_model(name, seed):
    mx.random.seed(seed)
    module = importlib.import_module(f"mlx_lm.models.{name}")
    model = module.Model(module.ModelArgs.from_dict(CONFIGS[name]))
    mx.eval(model.parameters())
    return model


class BertEncoder(nn.Module):
    """Token, position and segment embeddings, post-norm encoder layers, a tanh pooler."""

    def __init__(self, vocab=100, dims=64, heads=4, layers=2, max_len=64):
        super().__init__()
        self.tokens = nn.Embedding(vocab, dims)
        self.positions = nn.Embedding(max_len, dims)
        self.segments = nn.Embedding(2, dims)
        self.norm = nn.LayerNorm(dims, eps=1e-12)
        self.encoder = nn.TransformerEncoder(layers, dims, heads, mlp_dims=4 * dims,
                                             activation=nn.gelu, norm_first=False)
        self.pooler = nn.Linear(dims, dims)

    def __call__(self, ids, segments, mask):
        positions = mx.arange(ids.shape[1])
        x = self.norm(self.tokens(ids) + self.positions(positions) + self.segments(segments))
        additive = (1.0 - mask[:, None, None, :].astype(mx.float32)) * -1e9
        h = self.encoder(x, additive)
        return h, mx.tanh(self.pooler(h[:, 0]))


def bert():
    mx.random.seed(7)
    model = BertEncoder()
    mx.eval(model.parameters())
    return model


def _ids(seed, length=8):
    return randint((1, length), seed, 0, 100)


def _lm_case(name, seed):
    model = mlx_lm_model(name, seed)
    return Case(f"llm_{name}", lambda ids: model(ids), [_ids(seed)], covers=["Matmul", "Softmax"], **MODEL_TOL)


_bert = bert()
_mask = mx.array([[1, 1, 1, 1, 1, 1, 0, 0]], dtype=mx.int32)
_segments = mx.array([[0, 0, 0, 0, 1, 1, 1, 1]], dtype=mx.int32)

CASES = [_lm_case(name, seed) for seed, name in enumerate(CONFIGS)] + [
    Case("llm_bert_encoder", lambda ids, seg, mask: list(_bert(ids, seg, mask)),
         [_ids(11), _segments, _mask], covers=["Gather", "Softmax", "Erf"], **MODEL_TOL),
]
