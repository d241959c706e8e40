// config.json's model_type → the TypeScript architecture, with mlx-lm's remapping.
import { MlxOnnxError } from '../errors.js';
import { createBert } from './bert.js';
import { createCohere } from './cohere.js';
import { createErnie45 } from './ernie4_5.js';
import { createGemma, createGemma2, createGemma3Text } from './gemma.js';
import { createGlm4 } from './glm4.js';
import { createGpt2 } from './gpt2.js';
import { createGptNeox } from './gpt_neox.js';
import { createGptOss } from './gpt_oss.js';
import { createGranite } from './granite.js';
import { createInternLM2 } from './internlm2.js';
import { createLlama } from './llama.js';
import { createMiniCPM } from './minicpm.js';
import { createMixtral } from './mixtral.js';
import { createOlmo2 } from './olmo2.js';
import { createPhi } from './phi.js';
import { createPhi3 } from './phi3.js';
import type { Config, LanguageModel } from './model.js';
import { createQwen2 } from './qwen2.js';
import { createQwen2Moe } from './qwen2_moe.js';
import { createQwen3 } from './qwen3.js';
import { createQwen3Moe } from './qwen3_moe.js';
import { createSmolLM3 } from './smollm3.js';
import { createStableLM } from './stablelm.js';
import { createStarcoder2 } from './starcoder2.js';

interface Architecture {
  create: (config: Config) => LanguageModel;
  /** What of the architecture is honoured, for `export-model --list` and the README. */
  summary: string;
}

const ARCHITECTURES: Record<string, Architecture> = {
  llama: { create: createLlama, summary: 'RMSNorm blocks, grouped-query attention, SwiGLU; rope_scaling default, linear, llama3, yarn, dynamic; attention/mlp biases; layer_types with sliding_window' },
  qwen2: { create: createQwen2, summary: 'llama with q/k/v biases' },
  qwen2_moe: { create: createQwen2Moe, summary: 'qwen2 with top-k experts of the router probabilities and a gated shared expert' },
  qwen3: { create: createQwen3, summary: 'llama with RMSNorm of each query and key head; rope_parameters' },
  qwen3_moe: { create: createQwen3Moe, summary: 'qwen3 with experts in decoder_sparse_step layers (mlp_only_layers dense), norm_topk_prob' },
  cohere: { create: createCohere, summary: 'LayerNorm (layer_norm_bias), parallel residual, interleaved rotary, logit_scale, use_qk_norm' },
  gemma: { create: createGemma, summary: 'norms by 1 + weight, √hidden embedding scale, GELU-gated MLP, tied head' },
  gemma3_text: { create: createGemma3Text, summary: 'gemma with sandwich norms, per-head q/k norms, sliding_window layers (sliding_window_pattern) rotated by rope_local_base_freq, rope_scaling on global layers' },
  gemma2: { create: createGemma2, summary: 'gemma with sandwich norms, attn/final logit soft-capping, query_pre_attn_scalar; global attention (as mlx-lm)' },
  granite: { create: createGranite, summary: 'llama with embedding, residual, attention multipliers and logits_scaling' },
  minicpm: { create: createMiniCPM, summary: 'llama with scale_emb, scale_depth, dim_model_base' },
  mixtral: { create: createMixtral, summary: 'llama with top-k experts in every layer (softmax over the chosen); quantized experts' },
  olmo2: { create: createOlmo2, summary: 'norms after each sublayer, RMSNorm of the whole q/k projections' },
  phi: { create: createPhi, summary: 'LayerNorm, attention and GELU MLP side by side, partial_rotary_factor, biases (head too)' },
  phi3: { create: createPhi3, summary: 'packed qkv_proj/gate_up_proj, partial_rotary_factor, rope_scaling linear or longrope/su' },
  smollm3: { create: createSmolLM3, summary: 'llama with no_rope_layers / no_rope_layer_interval' },
  stablelm: { create: createStableLM, summary: 'LayerNorm, partial rotary, use_qkv_bias, use_parallel_residual, qk_layernorm' },
  starcoder2: { create: createStarcoder2, summary: 'LayerNorm, biases everywhere, ungated GELU MLP; global attention (as mlx-lm)' },
  ernie4_5: { create: createErnie45, summary: 'llama with interleaved rotary, use_bias, head_dim' },
  glm4: { create: createGlm4, summary: 'llama with norms after each sublayer too, packed gate_up_proj, interleaved partial rotary, attention_bias' },
  gpt_neox: { create: createGptNeox, summary: 'LayerNorm, use_parallel_residual (a norm each), rotary_pct, rotary_emb_base, per-head packed query_key_value, GELU MLP' },
  gpt_oss: { create: createGptOss, summary: 'llama with attention sinks, alternating sliding/global layers, biased experts and router, clamped SwiGLU; float, affine or MXFP4 experts' },
  internlm2: { create: createInternLM2, summary: 'llama with per-kv-head packed wqkv, bias; rope_scaling linear or dynamic' },
  gpt2: { create: createGpt2, summary: 'learned positions, LayerNorm, fused c_attn, GELU (tanh) MLP, tied head' },
  bert: { create: createBert, summary: 'encoder: post-norm layers, token types, exact GELU; last_hidden_state (no pooler)' },
};

// As mlx_lm.utils.MODEL_REMAPPING, for the architectures here.
const REMAPPING: Record<string, string> = { mistral: 'llama', iquestcoder: 'llama', xverse: 'llama' };

/** Every model type with what of it is honoured (remapped ones: which architecture they load as). */
export function architectures(): Array<{ modelType: string; summary: string }> {
  const own = Object.entries(ARCHITECTURES).map(([modelType, a]) => ({ modelType, summary: a.summary }));
  const remapped = Object.entries(REMAPPING).map(([modelType, to]) => ({ modelType, summary: `loads as ${to}` }));
  return [...own, ...remapped].sort((a, b) => (a.modelType < b.modelType ? -1 : 1));
}

/** The model types loadModel() accepts. */
export const SUPPORTED_MODEL_TYPES = [...Object.keys(ARCHITECTURES), ...Object.keys(REMAPPING)].sort();

/** A model with freshly initialised weights for a config.json. */
export function createModel(config: Config): LanguageModel {
  const type = config.model_type;
  if (typeof type !== 'string') throw new MlxOnnxError('ERR_INVALID_INPUT', 'config.json has no "model_type"');
  // Own keys only: a model_type such as "constructor" must not reach Object.prototype.
  const name = Object.hasOwn(REMAPPING, type) ? REMAPPING[type]! : type;
  const create = Object.hasOwn(ARCHITECTURES, name) ? ARCHITECTURES[name]!.create : undefined;
  if (!create) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `model type '${type}' is not supported (${SUPPORTED_MODEL_TYPES.join(', ')}); see "Model folders: export-model" in the README`);
  }
  return create(config);
}
