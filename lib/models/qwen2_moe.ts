// Qwen2-MoE as mlx_lm.models.qwen2_moe: Qwen2 with a sparse MLP in every layer: the top
// num_experts_per_tok of the router's probabilities over num_experts (not renormalized),
// plus a shared expert (shared_expert_intermediate_size) gated by sigmoid(shared_expert_gate).
import type { MxArray } from '../mx/array.js';
import { bool, positive } from './config.js';
import { LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';
import { refuseQuantizedExperts, stackExperts } from './moe.js';
import { qwen2Args } from './qwen2.js';

class Qwen2MoeForCausalLM extends LlamaForCausalLM {
  /** mlx-lm: Hugging Face's experts.N.{gate,up,down}_proj stacked into switch_mlp. */
  override sanitize(weights: Record<string, MxArray>): Record<string, MxArray> {
    const { numLayers, moe } = this.args;
    const names = { gate_proj: 'gate_proj', up_proj: 'up_proj', down_proj: 'down_proj' };
    return super.sanitize(stackExperts(weights, numLayers, 'mlp', moe!.experts, names));
  }
}

export function createQwen2Moe(config: Config): LlamaForCausalLM {
  refuseQuantizedExperts(config);
  return new Qwen2MoeForCausalLM('qwen2_moe', {
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
