// Gemma and Gemma 2 as mlx_lm.models.gemma and gemma2: the Llama blocks with norms that scale
// by 1 + weight, embeddings times √hidden_size, a GELU-gated MLP and a tied head. Gemma 2 adds
// norms after each sublayer, soft-capped attention scores and logits, and attention scaled by
// query_pre_attn_scalar^-0.5. mlx-lm 0.32.2's gemma2 attends globally in every layer (it
// reads no sliding_window), and so does this.
import { geluApprox, gelu } from '../nn/layers.js';
import { int, num } from './config.js';
import { LlamaForCausalLM, type LlamaArgs, llamaArgs } from './llama.js';
import type { Config } from './model.js';

function gemmaArgs(config: Config): LlamaArgs {
  return {
    // mlx-lm reads no layer_types here: every layer attends globally.
    ...llamaArgs({ ...config, layer_types: undefined }),
    headDim: int(config, 'head_dim'),
    tieWordEmbeddings: true,
    normWeightOffset: 1,
    embedScale: int(config, 'hidden_size') ** 0.5,
    activation: gelu,
  };
}

export function createGemma(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('gemma', gemmaArgs(config));
}

export function createGemma2(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('gemma2', {
    ...gemmaArgs(config),
    activation: geluApprox,
    attentionScale: num(config, 'query_pre_attn_scalar', 144) ** -0.5,
    normPlacement: 'sandwich',
    attentionSoftcap: num(config, 'attn_logit_softcapping', 50),
    finalSoftcap: num(config, 'final_logit_softcapping', 30),
  });
}
