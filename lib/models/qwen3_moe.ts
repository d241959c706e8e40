// Qwen3-MoE as mlx_lm.models.qwen3_moe: Qwen3 with a sparse MLP (moe_intermediate_size per
// expert) in every decoder_sparse_step-th layer not in mlp_only_layers: the router's
// probabilities over num_experts, the top num_experts_per_tok kept (renormalized with
// norm_topk_prob).
import { MlxOnnxError } from '../errors.js';
import { bool, int, positive } from './config.js';
import { LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';
import { qwen3Args } from './qwen3.js';

export function createQwen3Moe(config: Config): LlamaForCausalLM {
  const experts = int(config, 'num_experts');
  const step = positive(config, 'decoder_sparse_step');
  const dense = config.mlp_only_layers ?? [];
  if (!Array.isArray(dense) || !dense.every((l) => Number.isInteger(l))) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', 'config.json\'s mlp_only_layers must list layer indices');
  }
  return new LlamaForCausalLM('qwen3_moe', {
    ...qwen3Args(config),
    moe: {
      block: 'mlp',
      experts,
      topK: positive(config, 'num_experts_per_tok'),
      hiddenSize: positive(config, 'moe_intermediate_size'),
      routing: 'softmax, top-k',
      normalize: bool(config, 'norm_topk_prob', false),
      sparse: (layer) => !dense.includes(layer) && experts > 0 && (layer + 1) % step === 0,
    },
  });
}
