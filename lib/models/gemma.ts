// Gemma and Gemma 2 as mlx_lm.models.gemma and gemma2: the Llama blocks with norms that scale
// by 1 + weight, embeddings times √hidden_size, a GELU-gated MLP and a tied head. Gemma 2 adds
// norms after each sublayer, soft-capped attention scores and logits, and attention scaled by
// query_pre_attn_scalar^-0.5. mlx-lm 0.32.2's gemma2 attends globally in every layer (it
// reads no sliding_window), and so does this.
import { geluApprox, gelu } from '../nn/layers.js';
import { bool, int, num, positive } from './config.js';
import { LlamaForCausalLM, type LlamaArgs } from './llama.js';
import type { Config } from './model.js';

function gemmaArgs(config: Config): LlamaArgs {
  const hiddenSize = int(config, 'hidden_size');
  return {
    hiddenSize,
    numLayers: int(config, 'num_hidden_layers'),
    intermediateSize: int(config, 'intermediate_size'),
    numHeads: positive(config, 'num_attention_heads'),
    numKvHeads: positive(config, 'num_key_value_heads'),
    headDim: int(config, 'head_dim'),
    rmsNormEps: num(config, 'rms_norm_eps'),
    vocabSize: int(config, 'vocab_size'),
    ropeTheta: num(config, 'rope_theta', 10000),
    ropeTraditional: bool(config, 'rope_traditional', false),
    tieWordEmbeddings: true,
    qkvBias: false,
    outputBias: false,
    mlpBias: false,
    qkNorm: false,
    normWeightOffset: 1,
    embedScale: hiddenSize ** 0.5,
    activation: gelu,
  };
}

export function createGemma(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('gemma', gemmaArgs(config));
}

export function createGemma2(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('gemma2', {
    ...gemmaArgs(config),
    activation: geluApprox,
    attentionScale: num(config, 'query_pre_attn_scalar', 144) ** -0.5,
    normPlacement: 'sandwich',
    attentionSoftcap: num(config, 'attn_logit_softcapping', 50),
    finalSoftcap: num(config, 'final_logit_softcapping', 30),
  });
}
