// Granite as mlx_lm.models.granite: the Llama blocks with multipliers on the embeddings,
// on each sublayer's output before the residual, on attention's scores (its scale) and a
// divisor of the logits.
import { num } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createGranite(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('granite', {
    ...llamaArgs(config),
    embedScale: num(config, 'embedding_multiplier'),
    residualScale: num(config, 'residual_multiplier'),
    attentionScale: num(config, 'attention_multiplier'),
    logitsDivisor: num(config, 'logits_scaling'),
  });
}
