// GPT-NeoX (Pythia) as mlx_lm.models.gpt_neox: LayerNorm blocks whose attention and
// ungated GELU (tanh) MLP run side by side on their own norms of x (use_parallel_residual,
// else one after the other), partial rotary (rotary_pct, rotary_emb_base), q/k/v packed per
// head in query_key_value (reordered at load), biases, an untied embed_out head. Hugging
// Face's and mlx-lm's names (gpt_neox.layers / model.h, embed_in, ...) map onto the family's.
import { geluApprox } from '../nn/layers.js';
import { bool, int, num, positive, rotaryDims } from './config.js';
import { GPT_STYLE_BLOCK, LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';

export function createGptNeox(config: Config): LlamaForCausalLM {
  const hiddenSize = int(config, 'hidden_size');
  const numHeads = positive(config, 'num_attention_heads');
  const headDim = Math.floor(hiddenSize / numHeads);
  return new LlamaForCausalLM('gpt_neox', {
    hiddenSize,
    numLayers: int(config, 'num_hidden_layers'),
    intermediateSize: 4 * hiddenSize,
    numHeads,
    numKvHeads: numHeads,
    headDim,
    rmsNormEps: num(config, 'layer_norm_eps'),
    vocabSize: int(config, 'vocab_size'),
    ropeTheta: num(config, 'rotary_emb_base'),
    ropeTraditional: false,
    ropeDims: rotaryDims({ ...config, partial_rotary_factor: num(config, 'rotary_pct') }, headDim),
    tieWordEmbeddings: false,
    ...GPT_STYLE_BLOCK,
    activation: geluApprox,
    packedQkv: true,
    qkvLayout: 'per-head',
    parallelResidual: bool(config, 'use_parallel_residual', true) ? 'own-norms' : undefined,
    renames: {
      'gpt_neox.layers.': 'model.layers.', 'model.h.': 'model.layers.',
      'gpt_neox.embed_in.': 'model.embed_tokens.', 'model.embed_in.': 'model.embed_tokens.',
      'gpt_neox.final_layer_norm.': 'model.norm.', 'model.final_layer_norm.': 'model.norm.',
      'model.embed_out.': 'lm_head.', 'embed_out.': 'lm_head.',
      '.attention.query_key_value.': '.self_attn.qkv_proj.', '.attention.dense.': '.self_attn.o_proj.',
      '.mlp.dense_h_to_4h.': '.mlp.c_fc.', '.mlp.dense_4h_to_h.': '.mlp.c_proj.',
    },
  });
}
