// StarCoder2 as mlx_lm.models.starcoder2: the Llama blocks with LayerNorm (norm_epsilon),
// biases on every projection, and an ungated GELU MLP (c_fc, c_proj). mlx-lm 0.32.2 attends
// globally in every layer (it reads no sliding_window), and so does this.
import { gelu } from '../nn/layers.js';
import { bool, int, num, positive } from './config.js';
import { GPT_STYLE_BLOCK, LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';

export function createStarcoder2(config: Config): LlamaForCausalLM {
  const hiddenSize = int(config, 'hidden_size');
  const numHeads = positive(config, 'num_attention_heads');
  return new LlamaForCausalLM('starcoder2', {
    hiddenSize,
    numLayers: int(config, 'num_hidden_layers'),
    intermediateSize: int(config, 'intermediate_size'),
    numHeads,
    numKvHeads: positive(config, 'num_key_value_heads'),
    headDim: Math.floor(hiddenSize / numHeads),
    rmsNormEps: num(config, 'norm_epsilon', 1e-5),
    vocabSize: int(config, 'vocab_size', 49152),
    ropeTheta: num(config, 'rope_theta', 100000),
    ropeTraditional: false,
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', true),
    ...GPT_STYLE_BLOCK,
    activation: gelu,
  });
}
