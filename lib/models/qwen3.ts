// Qwen3 as mlx_lm.models.qwen3: the Llama blocks without biases, an explicit head_dim,
// and RMSNorm of every query and key head before the rotation.
import { MlxOnnxError } from '../errors.js';
import { int, num, object, positive } from './config.js';
import { LlamaForCausalLM, type LlamaArgs } from './llama.js';
import type { Config } from './model.js';

/** mlx_lm.models.qwen3.ModelArgs from config.json. */
export function qwen3Args(config: Config): LlamaArgs {
  // transformers ≥ 5 nests rope_theta and rope_scaling under rope_parameters
  const parameters = object(config, 'rope_parameters');
  const ropeTheta = config.rope_theta ?? parameters?.rope_theta;
  if (typeof ropeTheta !== 'number') throw new MlxOnnxError('ERR_INVALID_INPUT', 'rope_theta is missing from the model config');
  if (typeof config.tie_word_embeddings !== 'boolean') {
    throw new MlxOnnxError('ERR_INVALID_INPUT', 'config.json of a qwen3 model needs a boolean "tie_word_embeddings"');
  }
  return {
    hiddenSize: int(config, 'hidden_size'),
    numLayers: int(config, 'num_hidden_layers'),
    intermediateSize: int(config, 'intermediate_size'),
    numHeads: positive(config, 'num_attention_heads'),
    numKvHeads: positive(config, 'num_key_value_heads'),
    headDim: int(config, 'head_dim'),
    rmsNormEps: num(config, 'rms_norm_eps'),
    vocabSize: int(config, 'vocab_size'),
    ropeTheta,
    ropeTraditional: false,
    ropeScaling: object(config, 'rope_scaling') ?? parameters,
    tieWordEmbeddings: config.tie_word_embeddings,
    qkvBias: false,
    outputBias: false,
    mlpBias: false,
    qkNorm: 'heads',
  };
}

export function createQwen3(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('qwen3', qwen3Args(config));
}
