// MiniCPM as mlx_lm.models.minicpm: the Llama blocks with embeddings times scale_emb, each
// sublayer's output times scale_depth / √layers before the residual, and an untied head's
// input divided by hidden_size / dim_model_base (a tied head's is not).
import { bool, int, num } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createMiniCPM(config: Config): LlamaForCausalLM {
  const tied = bool(config, 'tie_word_embeddings', false);
  return new LlamaForCausalLM('minicpm', {
    ...llamaArgs(config),
    ropeTheta: num(config, 'rope_theta', 1000000),
    tieWordEmbeddings: tied,
    optionalHead: true,
    embedScale: num(config, 'scale_emb'),
    residualScale: num(config, 'scale_depth') / int(config, 'num_hidden_layers') ** 0.5,
    logitsDivisor: tied ? undefined : int(config, 'hidden_size') / num(config, 'dim_model_base'),
  });
}
