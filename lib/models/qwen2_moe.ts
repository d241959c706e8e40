// Qwen2-MoE as mlx_lm.models.qwen2_moe: Qwen2 with a sparse MLP in every layer: the top
// num_experts_per_tok of the router's probabilities over num_experts (not renormalized),
// plus a shared expert (shared_expert_intermediate_size) gated by sigmoid(shared_expert_gate).
import { bool, positive } from './config.js';
import { LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';
import { qwen2Args } from './qwen2.js';

export function createQwen2Moe(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('qwen2_moe', {
    ...qwen2Args(config),
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', false),
    moe: {
      block: 'mlp',
      experts: positive(config, 'num_experts'),
      topK: positive(config, 'num_experts_per_tok'),
      hiddenSize: positive(config, 'moe_intermediate_size'),
      routing: 'softmax, top-k',
      normalize: false,
      sharedExpertSize: positive(config, 'shared_expert_intermediate_size'),
    },
  });
}
