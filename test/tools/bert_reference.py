"""BERT in mlx.nn with Hugging Face BertModel's weight names (the reference for the
TypeScript BERT): post-norm encoder layers, learned positions and token types, exact GELU,
additive padding mask as Hugging Face applies it."""
import math

import mlx.core as mx
import mlx.nn as nn


class Dense(nn.Module):
    def __init__(self, inputs, outputs, eps=None):
        super().__init__()
        self.dense = nn.Linear(inputs, outputs)
        if eps is not None:
            self.LayerNorm = nn.LayerNorm(outputs, eps=eps)


class SelfAttention(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c["hidden_size"])
        self.output = Dense(c["hidden_size"], c["hidden_size"], c["layer_norm_eps"])


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.attention = Attention(c)
        self.intermediate = Dense(c["hidden_size"], c["intermediate_size"])
        self.output = Dense(c["intermediate_size"], c["hidden_size"], c["layer_norm_eps"])

    def __call__(self, x, additive_mask):
        B, L, H = x.shape
        a = self.attention.self
        split = lambda t: t.reshape(B, L, self.heads, -1).transpose(0, 2, 1, 3)
        q, k, v = split(a.query(x)), split(a.key(x)), split(a.value(x))
        scores = (q @ k.transpose(0, 1, 3, 2)) / math.sqrt(H // self.heads) + additive_mask
        ctx = (mx.softmax(scores, axis=-1) @ v).transpose(0, 2, 1, 3).reshape(B, L, H)
        o = self.attention.output
        h = o.LayerNorm(o.dense(ctx) + x)
        inter = nn.gelu(self.intermediate.dense(h))
        return self.output.LayerNorm(self.output.dense(inter) + h)


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = [Layer(c) for _ in range(c["num_hidden_layers"])]


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)

    def __call__(self, input_ids, attention_mask, token_type_ids):
        e = self.embeddings
        positions = mx.arange(input_ids.shape[1])[None]
        h = e.word_embeddings(input_ids) + e.token_type_embeddings(token_type_ids) + e.position_embeddings(positions)
        h = e.LayerNorm(h)
        additive = (1 - attention_mask[:, None, None, :].astype(h.dtype)) * mx.finfo(h.dtype).min
        for layer in self.encoder.layer:
            h = layer(h, additive)
        return h
