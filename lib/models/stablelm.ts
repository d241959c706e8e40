// StableLM as mlx_lm.models.stablelm: the Llama blocks with LayerNorm (layer_norm_eps),
// partial rotary (partial_rotary_factor), optional q/k/v biases, an untied head, and with
// use_parallel_residual attention and the MLP side by side on one normalized input.
import { MlxOnnxError } from '../errors.js';
import { bool, int, num, positive, rotaryDims } from './config.js';
import { LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';

export function createStableLM(config: Config): LlamaForCausalLM {
  if (bool(config, 'qk_layernorm', false)) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', 'stablelm models with qk_layernorm (a LayerNorm per head) are not supported');
  }
  const hiddenSize = int(config, 'hidden_size');
  const numHeads = positive(config, 'num_attention_heads');
  const headDim = Math.floor(hiddenSize / numHeads);
  return new LlamaForCausalLM('stablelm', {
    hiddenSize,
    numLayers: int(config, 'num_hidden_layers'),
    intermediateSize: int(config, 'intermediate_size'),
    numHeads,
    numKvHeads: positive(config, 'num_key_value_heads'),
    headDim,
    rmsNormEps: num(config, 'layer_norm_eps'),
    vocabSize: int(config, 'vocab_size'),
    ropeTheta: num(config, 'rope_theta'),
    ropeTraditional: false,
    ropeDims: rotaryDims(config, headDim),
    tieWordEmbeddings: false,
    qkvBias: bool(config, 'use_qkv_bias', false),
    outputBias: false,
    mlpBias: false,
    qkNorm: false,
    layerNorm: 'bias',
    parallelResidual: bool(config, 'use_parallel_residual', false) ? 'shared-norm' : undefined,
  });
}
