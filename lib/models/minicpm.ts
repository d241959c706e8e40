// MiniCPM as mlx_lm.models.minicpm: the Llama blocks with embeddings times scale_emb, each
// sublayer's output times scale_depth / √layers before the residual, and an untied head's
// input divided by hidden_size / dim_model_base (a tied head's is not).
import type { MxArray } from '../mx/array.js';
import { bool, int, num } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

class MiniCPMForCausalLM extends LlamaForCausalLM {
  /** mlx-lm: an untied model without lm_head.weight uses the embedding as its head. */
  override sanitize(weights: Record<string, MxArray>): Record<string, MxArray> {
    const out = super.sanitize(weights);
    const embedding = out['model.embed_tokens.weight'];
    if (!this.args.tieWordEmbeddings && !out['lm_head.weight'] && embedding) out['lm_head.weight'] = embedding;
    return out;
  }
}

export function createMiniCPM(config: Config): LlamaForCausalLM {
  const tied = bool(config, 'tie_word_embeddings', false);
  return new MiniCPMForCausalLM('minicpm', {
    ...llamaArgs(config),
    ropeTheta: num(config, 'rope_theta', 1000000),
    tieWordEmbeddings: tied,
    embedScale: num(config, 'scale_emb'),
    residualScale: num(config, 'scale_depth') / int(config, 'num_hidden_layers') ** 0.5,
    logitsDivisor: tied ? undefined : int(config, 'hidden_size') / num(config, 'dim_model_base'),
  });
}
