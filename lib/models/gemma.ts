// Gemma, Gemma 2 and Gemma 3 (text) as mlx_lm.models.gemma, gemma2 and gemma3_text: the Llama
// blocks with norms that scale by 1 + weight, embeddings times √hidden_size, a GELU-gated MLP
// and a tied head. Gemma 2 adds norms after each sublayer, soft-capped attention scores and
// logits, and attention scaled by query_pre_attn_scalar^-0.5; mlx-lm 0.32.2's gemma2 attends
// globally in every layer (it reads no sliding_window), and so does this. Gemma 3 drops the
// soft caps for per-head q/k norms and sliding-window layers with their own rotary base.
import { geluApprox, gelu } from '../nn/layers.js';
import { int, num, object, positive } from './config.js';
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

/** x rounded to bfloat16 (nearest, ties to even), as a number. */
function bfloat16(x: number): number {
  const bits = new Uint32Array(Float32Array.of(x).buffer);
  bits[0] = (bits[0]! + 0x7fff + ((bits[0]! >> 16) & 1)) & 0xffff0000;
  return new Float32Array(bits.buffer)[0]!;
}

/**
 * Gemma 3: every sliding_window_pattern-th layer attends globally with rope_theta and
 * rope_scaling; the others see the sliding_window latest keys, rotated with
 * rope_local_base_freq. The embedding scale is √hidden_size rounded to bfloat16, as mlx-lm
 * computes it; without lm_head.weight the head is the embedding.
 */
export function createGemma3Text(config: Config): LlamaForCausalLM {
  const args = llamaArgs({ ...config, layer_types: undefined });
  const pattern = positive(config, 'sliding_window_pattern', 6);
  return new LlamaForCausalLM('gemma3_text', {
    ...args,
    headDim: int(config, 'head_dim', 256),
    ropeTheta: num(config, 'rope_theta', 1000000),
    ropeScaling: object(config, 'rope_scaling'),
    tieWordEmbeddings: false,
    optionalHead: true,
    normWeightOffset: 1,
    embedScale: bfloat16(args.hiddenSize ** 0.5),
    activation: geluApprox,
    attentionScale: num(config, 'query_pre_attn_scalar', 256) ** -0.5,
    normPlacement: 'sandwich',
    qkNorm: 'heads',
    slidingLayers: Array.from({ length: args.numLayers }, (_, i) => (i + 1) % pattern !== 0),
    slidingWindow: positive(config, 'sliding_window', 512),
    localRopeTheta: num(config, 'rope_local_base_freq', 10000),
  });
}
