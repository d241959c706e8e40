// ERNIE 4.5 (dense) as mlx_lm.models.ernie4_5: the Llama blocks with interleaved rotary,
// biases on every projection when use_bias, and head_dim from the config when given.
import { bool, int } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createErnie45(config: Config): LlamaForCausalLM {
  const args = llamaArgs({ ...config, head_dim: undefined });
  const bias = bool(config, 'use_bias', false);
  return new LlamaForCausalLM('ernie4_5', {
    ...args,
    headDim: config.head_dim ? int(config, 'head_dim') : args.headDim,
    ropeTraditional: true,
    ropeScaling: undefined,
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', false),
    qkvBias: bias,
    outputBias: bias,
    mlpBias: bias,
  });
}
