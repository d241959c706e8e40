// Command-R as mlx_lm.models.cohere: LayerNorm (bias only with layer_norm_bias), attention
// and the MLP side by side on one normalized input, interleaved rotary pairs, a tied head and
// logits times logit_scale.
import { bool, int, num, positive } from './config.js';
import { LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';

export function createCohere(config: Config): LlamaForCausalLM {
  const hiddenSize = int(config, 'hidden_size', 8192);
  const numHeads = positive(config, 'num_attention_heads', 64);
  const attentionBias = bool(config, 'attention_bias', false);
  return new LlamaForCausalLM('cohere', {
    hiddenSize,
    numLayers: int(config, 'num_hidden_layers', 40),
    intermediateSize: int(config, 'intermediate_size', 22528),
    numHeads,
    numKvHeads: positive(config, 'num_key_value_heads', 64),
    headDim: Math.floor(hiddenSize / numHeads),
    rmsNormEps: num(config, 'layer_norm_eps', 1e-5),
    vocabSize: int(config, 'vocab_size', 256000),
    ropeTheta: num(config, 'rope_theta', 8000000),
    ropeTraditional: true,
    tieWordEmbeddings: true,
    qkvBias: attentionBias,
    outputBias: attentionBias,
    mlpBias: false,
    qkNorm: bool(config, 'use_qk_norm', false) ? 'per-head-weights' : false,
    layerNorm: bool(config, 'layer_norm_bias', false) ? 'bias' : 'no-bias',
    parallelResidual: 'shared-norm',
    logitsScale: num(config, 'logit_scale', 0.0625),
  });
}
