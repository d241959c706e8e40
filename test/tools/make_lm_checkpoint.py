"""Writes tiny random checkpoint folders for mlx-lm architectures (or BERT).

usage: make_lm_checkpoint.py OUT_DIR:ARCH[:BITS[:MODE]] ...   (BITS: MLX-quantize, group size 32, MODE affine or mxfp4)

mlx-lm builds the model from config.json (llama, qwen2, qwen2_moe, qwen3, qwen3_moe, cohere,
gemma, gemma2, granite, minicpm, mixtral, olmo2, phi3, smollm3, stablelm, starcoder2, gpt2);
BERT uses the Hugging Face BertModel weight names (test/tools/bert_reference.py). Every
parameter is random (norm weights around 1), so a misplaced or missing weight changes the
logits and greedy decoding produces varied tokens.
"""
import json
import os
import sys

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten, tree_unflatten

CONFIGS = {
    "llama": dict(model_type="llama", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                  num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=128,
                  rope_theta=10000.0, tie_word_embeddings=False, max_position_embeddings=256),
    # Interleaved rotary pairs, and as many key/value heads as query heads (no grouping).
    "llama_traditional": dict(model_type="llama", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                              num_attention_heads=4, num_key_value_heads=4, rms_norm_eps=1e-5, vocab_size=128,
                              rope_theta=10000.0, rope_traditional=True, tie_word_embeddings=False,
                              max_position_embeddings=256),
    # Layer 0 sees the 8 latest keys (mlx-lm: a rotating cache), layer 1 all of them.
    "llama_sliding": dict(model_type="mistral", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                          num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=128,
                          rope_theta=10000.0, tie_word_embeddings=False, sliding_window=8,
                          layer_types=["sliding_attention", "full_attention"]),
    # Yarn: interpolated and extrapolated frequencies blended over a correction range, mscale 1.14.
    "llama_yarn": dict(model_type="llama", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                       num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=128,
                       rope_theta=10000.0, tie_word_embeddings=False, max_position_embeddings=128,
                       rope_scaling={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32}),
    # Llama 3 scaling with a short original context, so all three bands occur.
    "llama3_scaling": dict(model_type="llama", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                           num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=128,
                           rope_theta=10000.0, tie_word_embeddings=True, max_position_embeddings=256,
                           rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                         "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    "mistral": dict(model_type="mistral", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                    num_attention_heads=4, num_key_value_heads=1, rms_norm_eps=1e-5, vocab_size=128,
                    rope_theta=1000000.0, tie_word_embeddings=False),
    "qwen2": dict(model_type="qwen2", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                  num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, vocab_size=128,
                  rope_theta=1000000.0, tie_word_embeddings=True, max_position_embeddings=256),
    "qwen3": dict(model_type="qwen3", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=32, rms_norm_eps=1e-6,
                  vocab_size=128, rope_theta=1000000.0, tie_word_embeddings=True, max_position_embeddings=256),
    "gemma": dict(model_type="gemma", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                  num_attention_heads=4, num_key_value_heads=1, head_dim=16, rms_norm_eps=1e-6, vocab_size=128,
                  rope_theta=10000.0),
    # Scores and logits soft-capped low enough that the caps bend them.
    "gemma2": dict(model_type="gemma2", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                   num_attention_heads=4, num_key_value_heads=2, head_dim=16, rms_norm_eps=1e-6, vocab_size=128,
                   rope_theta=10000.0, attn_logit_softcapping=2.0, final_logit_softcapping=4.0,
                   query_pre_attn_scalar=24.0),
    # Layer 0 slides over 8 keys (its own rotary base), layer 1 is global with linear rope scaling.
    "gemma3_text": dict(model_type="gemma3_text", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                        num_attention_heads=4, num_key_value_heads=2, head_dim=16, rms_norm_eps=1e-6,
                        vocab_size=128, rope_theta=1000000.0, rope_local_base_freq=10000.0,
                        query_pre_attn_scalar=16, sliding_window=8, sliding_window_pattern=2,
                        rope_scaling={"rope_type": "linear", "factor": 2.0}),
    "granite": dict(model_type="granite", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                    num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=128,
                    logits_scaling=4.0, attention_multiplier=0.1, embedding_multiplier=0.5,
                    residual_multiplier=0.3, max_position_embeddings=256, attention_bias=True, mlp_bias=False,
                    rope_theta=10000.0, tie_word_embeddings=True),
    "minicpm": dict(model_type="minicpm", hidden_size=64, dim_model_base=16, num_hidden_layers=2,
                    intermediate_size=128, num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5,
                    vocab_size=128, scale_depth=1.4, scale_emb=3.0, tie_word_embeddings=False),
    "olmo2": dict(model_type="olmo2", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                  num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, vocab_size=128,
                  tie_word_embeddings=False),
    # The second layer has no rotation.
    "smollm3": dict(model_type="smollm3", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                    num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, vocab_size=128,
                    rope_theta=5000000.0, tie_word_embeddings=True, no_rope_layer_interval=2),
    # Half the head rotates, with longrope past a 4x longer context (long factors, amplitude).
    "phi3": dict(model_type="phi3", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                 num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=128,
                 rope_theta=10000.0, partial_rotary_factor=0.5, max_position_embeddings=512,
                 original_max_position_embeddings=128,
                 rope_scaling={"type": "longrope", "long_factor": [1.0, 1.5, 2.0, 4.0],
                               "short_factor": [1.0, 1.0, 1.0, 1.0]}),
    "starcoder2": dict(model_type="starcoder2", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                       num_attention_heads=4, num_key_value_heads=2, norm_epsilon=1e-5, vocab_size=128,
                       rope_theta=100000.0, tie_word_embeddings=True),
    # A quarter of each head rotates; attention and the MLP side by side.
    "stablelm": dict(model_type="stablelm", vocab_size=128, hidden_size=64, num_attention_heads=4,
                     num_hidden_layers=2, num_key_value_heads=2, intermediate_size=128, rope_theta=10000.0,
                     use_qkv_bias=True, partial_rotary_factor=0.25, layer_norm_eps=1e-5,
                     use_parallel_residual=True),
    # Per-head LayerNorms of queries and keys, and no parallel residual.
    "stablelm_qk": dict(model_type="stablelm", vocab_size=128, hidden_size=64, num_attention_heads=4,
                        num_hidden_layers=2, num_key_value_heads=2, intermediate_size=128, rope_theta=10000.0,
                        use_qkv_bias=False, partial_rotary_factor=0.5, layer_norm_eps=1e-5,
                        use_parallel_residual=False, qk_layernorm=True),
    "cohere_qk": dict(model_type="cohere", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                      num_attention_heads=4, num_key_value_heads=2, rope_theta=8000000.0, vocab_size=128,
                      layer_norm_eps=1e-5, logit_scale=0.3, use_qk_norm=True),
    "cohere": dict(model_type="cohere", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                   num_attention_heads=4, num_key_value_heads=2, rope_theta=8000000.0, vocab_size=128,
                   layer_norm_eps=1e-5, logit_scale=0.3),
    # Mixture of experts: 2 of 4 experts per token.
    "mixtral": dict(model_type="mixtral", hidden_size=64, num_hidden_layers=2, intermediate_size=64,
                    num_attention_heads=4, num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2,
                    rms_norm_eps=1e-5, vocab_size=128, rope_theta=1000000.0),
    # Layer 0 sparse (renormalized top-2 of 4), layer 1 dense.
    "qwen3_moe": dict(model_type="qwen3_moe", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=16, num_experts=4,
                      num_experts_per_tok=2, decoder_sparse_step=1, mlp_only_layers=[1], moe_intermediate_size=32,
                      rms_norm_eps=1e-6, vocab_size=128, rope_theta=1000000.0, tie_word_embeddings=False,
                      max_position_embeddings=256, norm_topk_prob=True),
    # Top-2 of 4 experts plus a gated shared expert.
    "qwen2_moe": dict(model_type="qwen2_moe", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                      num_attention_heads=4, num_key_value_heads=2, num_experts=4, num_experts_per_tok=2,
                      moe_intermediate_size=32, shared_expert_intermediate_size=48, rms_norm_eps=1e-6,
                      vocab_size=128, rope_theta=1000000.0),
    # A quarter of each head rotates; attention and the MLP side by side.
    "phi": dict(model_type="phi", hidden_size=64, num_attention_heads=4, num_key_value_heads=None, num_hidden_layers=2,
                intermediate_size=128, partial_rotary_factor=0.25, layer_norm_eps=1e-5, vocab_size=128,
                rope_theta=10000.0),
    # Parallel residual with a norm each; half of each head rotates.
    "gpt_neox": dict(model_type="gpt_neox", hidden_size=64, num_attention_heads=4, num_hidden_layers=2,
                     layer_norm_eps=1e-5, vocab_size=128, rotary_emb_base=10000, rotary_pct=0.5,
                     max_position_embeddings=256, use_parallel_residual=True),
    "gpt_neox_sequential": dict(model_type="gpt_neox", hidden_size=64, num_attention_heads=4, num_hidden_layers=2,
                                layer_norm_eps=1e-5, vocab_size=128, rotary_emb_base=10000, rotary_pct=0.25,
                                max_position_embeddings=256, use_parallel_residual=False),
    # 2 query heads per key/value head, packed per key/value head; linear rope scaling.
    "internlm2": dict(model_type="internlm2", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                      num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=128,
                      bias=True, rope_theta=10000.0, rope_scaling={"type": "linear", "factor": 2.0}),
    # Dynamic NTK past 16 positions: the rotary base grows with the length as tokens are generated.
    "internlm2_dynamic": dict(model_type="internlm2", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                              num_attention_heads=4, num_key_value_heads=1, rms_norm_eps=1e-5, vocab_size=128,
                              bias=False, rope_theta=10000.0, max_position_embeddings=16,
                              rope_scaling={"type": "dynamic", "factor": 3.0}),
    "glm4": dict(model_type="glm4", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                 num_attention_heads=4, num_key_value_heads=2, head_dim=16, attention_bias=True,
                 rms_norm_eps=1e-5, vocab_size=128, partial_rotary_factor=0.5, rope_theta=10000.0),
    "ernie4_5": dict(model_type="ernie4_5", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                     num_attention_heads=4, num_key_value_heads=2, head_dim=None, max_position_embeddings=256,
                     rms_norm_eps=1e-5, vocab_size=128, rope_theta=10000.0, use_bias=True,
                     tie_word_embeddings=True),
    # 2 of 4 biased experts per token, attention sinks, a sliding layer (8 keys) then a global one.
    "gpt_oss": dict(model_type="gpt_oss", hidden_size=64, num_hidden_layers=2, intermediate_size=64,
                    num_attention_heads=4, num_key_value_heads=2, head_dim=16, num_local_experts=4,
                    num_experts_per_tok=2, rms_norm_eps=1e-5, vocab_size=128, rope_theta=150000,
                    sliding_window=8, rope_scaling={"rope_type": "yarn", "factor": 4.0, "beta_fast": 32.0,
                                                    "beta_slow": 1.0, "original_max_position_embeddings": 32}),
    "gpt2": dict(model_type="gpt2", n_ctx=128, n_embd=64, n_head=4, n_layer=2, n_positions=128,
                 layer_norm_epsilon=1e-5, vocab_size=128),
    "bert": dict(model_type="bert", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                 num_attention_heads=4, vocab_size=128, max_position_embeddings=64, type_vocab_size=2,
                 layer_norm_eps=1e-12, hidden_act="gelu"),
}


def randomize(params):
    out = {}
    for i, (name, p) in enumerate(params.items()):
        key = mx.random.key(1000 + i)
        if name.endswith("norm.weight") or "LayerNorm.weight" in name or name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
            out[name] = 1 + 0.1 * mx.random.normal(p.shape, key=key)
        elif any(part in name for part in ("embed_tokens", "wte", "lm_head")):
            # Token vectors of one length, short beside the layers' output: no row wins every
            # tied-head argmax, so greedy decoding wanders instead of repeating one token.
            rows = mx.random.normal(p.shape, key=key)
            out[name] = 0.05 * (p.shape[-1] ** 0.5) * rows / mx.linalg.norm(rows, axis=-1, keepdims=True)
        else:
            out[name] = 0.2 * mx.random.normal(p.shape, key=key)
    return out


def write(out, arch, bits, mode="affine"):
    config = dict(CONFIGS[arch])
    os.makedirs(out, exist_ok=True)
    mx.random.seed(0)
    if arch == "bert":
        import bert_reference
        model = bert_reference.BertModel(config)
    else:
        from mlx_lm.utils import _get_classes
        model_class, args_class = _get_classes(config)
        model = model_class(args_class.from_dict(config))
    model.update(tree_unflatten(list(randomize(dict(tree_flatten(model.parameters()))).items())))
    if bits:
        nn.quantize(model, group_size=32, bits=bits, mode=mode)
        config["quantization"] = {"group_size": 32, "bits": bits, "mode": mode}
    weights = dict(tree_flatten(model.parameters()))
    mx.eval(weights)
    mx.save_safetensors(os.path.join(out, "model.safetensors"), weights, metadata={"format": "mlx"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump({"eos_token_id": 0}, f)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 128}, f)


if __name__ == "__main__":
    for spec in sys.argv[1:]:
        out, arch, *quantization = spec.split(":")
        write(out, arch, int(quantization[0]) if quantization else 0, *quantization[1:])
