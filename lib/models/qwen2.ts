// Qwen2 as mlx_lm.models.qwen2: the Llama blocks with biases on q, k and v (not o),
// head_dim = hidden_size / heads, rope_theta 1e6 by default.
import { bool, int, num, object, positive } from './config.js';
import { LlamaForCausalLM, type LlamaArgs } from './llama.js';
import type { Config } from './model.js';

/** mlx_lm.models.qwen2.ModelArgs from config.json. */
export function qwen2Args(config: Config): LlamaArgs {
  const hiddenSize = int(config, 'hidden_size');
  const numHeads = positive(config, 'num_attention_heads');
  return {
    hiddenSize,
    numLayers: int(config, 'num_hidden_layers'),
    intermediateSize: int(config, 'intermediate_size'),
    numHeads,
    numKvHeads: positive(config, 'num_key_value_heads'),
    headDim: Math.floor(hiddenSize / numHeads),
    rmsNormEps: num(config, 'rms_norm_eps'),
    vocabSize: int(config, 'vocab_size'),
    ropeTheta: num(config, 'rope_theta', 1000000),
    ropeTraditional: bool(config, 'rope_traditional', false),
    ropeScaling: object(config, 'rope_scaling'),
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', true),
    qkvBias: true,
    outputBias: false,
    mlpBias: false,
    qkNorm: false,
  };
}

export function createQwen2(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('qwen2', qwen2Args(config));
}
