// Mixtral as mlx_lm.models.mixtral: Llama with a sparse MLP in every layer
// (block_sparse_moe): each token's num_experts_per_tok experts of num_local_experts, their
// router logits softmaxed over the chosen ones.
import { bool, num, positive } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createMixtral(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('mixtral', {
    ...llamaArgs(config),
    ropeTheta: num(config, 'rope_theta', 1e6),
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', false),
    moe: {
      block: 'block_sparse_moe',
      experts: positive(config, 'num_local_experts', 8),
      topK: positive(config, 'num_experts_per_tok', 2),
      hiddenSize: positive(config, 'intermediate_size'),
      routing: 'top-k, softmax',
      normalize: false,
      expertTensors: { w1: 'gate_proj', w2: 'down_proj', w3: 'up_proj' },
    },
  });
}
