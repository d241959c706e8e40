// StableLM as mlx_lm.models.stablelm: the Llama blocks with LayerNorm (layer_norm_eps),
// partial rotary (partial_rotary_factor), optional q/k/v biases, an untied head, and with
// use_parallel_residual attention and the MLP side by side on one normalized input; with
// qk_layernorm, a LayerNorm of each query and key head with its own weight.
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { bool, int, num, positive, rotaryDims } from './config.js';
import { LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';

/** mlx-lm keeps a LayerNorm per head (q_layernorm.norms.N.weight): stacked into q_norm.weight. */
class StableLMForCausalLM extends LlamaForCausalLM {
  override sanitize(weights: Record<string, MxArray>): Record<string, MxArray> {
    const out = { ...weights };
    const pattern = /^(.*\.self_attn)\.([qk])_layernorm\.norms\.(\d+)\.weight$/;
    const stacks = new Map<string, MxArray[]>();
    for (const [name, array] of Object.entries(weights)) {
      const match = pattern.exec(name);
      if (!match) continue;
      const key = `${match[1]}.${match[2]}_norm.weight`;
      if (!stacks.has(key)) stacks.set(key, []);
      stacks.get(key)![Number(match[3])] = array;
      delete out[name];
    }
    for (const [key, heads] of stacks) {
      if (Array.from(heads).some((h) => !h)) throw new MlxOnnxError('ERR_INVALID_INPUT', `${key}: the checkpoint misses some heads' norms`);
      out[key] = mx.stack(heads);
    }
    return super.sanitize(out);
  }
}

export function createStableLM(config: Config): LlamaForCausalLM {
  const hiddenSize = int(config, 'hidden_size');
  const numHeads = positive(config, 'num_attention_heads');
  const headDim = Math.floor(hiddenSize / numHeads);
  return new StableLMForCausalLM('stablelm', {
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
    qkNorm: bool(config, 'qk_layernorm', false) ? 'per-head-weights' : false,
    layerNorm: 'bias',
    parallelResidual: bool(config, 'use_parallel_residual', false) ? 'shared-norm' : undefined,
  });
}
