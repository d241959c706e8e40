// Phi-3 as mlx_lm.models.phi3: Llama with q/k/v packed in one qkv_proj and gate/up in one
// gate_up_proj, partial rotary (partial_rotary_factor) and rope_scaling 'linear' or
// 'longrope'/'su'. As mlx-lm does, longrope uses long_factor at every length (short_factor
// is read by neither) and scales the rotated features by long_mscale, or by
// √(1 + ln(max / original) / ln(original)) past the original context.
import { MlxOnnxError } from '../errors.js';
import { bool, int, object, rotaryDims } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

/** Inverse frequencies 1 / (long_factor_i · base^(2i / dims)) and the amplitude. */
function longrope(config: Config, scaling: Record<string, unknown>, dims: number, base: number) {
  const half = dims / 2;
  const factors = scaling.long_factor;
  const factor = (i: number) => (Array.isArray(factors) ? Number(factors[i]) : Number(factors));
  if ((Array.isArray(factors) && factors.length !== half) || !Number.isFinite(factor(0))) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `rope_scaling.long_factor must be a number or ${half} numbers`);
  }
  const frequencies = Float32Array.from({ length: half }, (_, i) => 1 / (factor(i) * Math.fround(base ** ((2 * i) / dims))));
  const original = int(config, 'original_max_position_embeddings', 4096);
  const ratio = int(config, 'max_position_embeddings', 131072) / original;
  const mscale = scaling.long_mscale;
  const amplitude = typeof mscale === 'number' && mscale ? mscale : ratio <= 1 ? 1 : Math.sqrt(1 + Math.log(ratio) / Math.log(original));
  return { frequencies, amplitude };
}

export function createPhi3(config: Config): LlamaForCausalLM {
  const args = llamaArgs(config);
  const ropeDims = rotaryDims(config, args.headDim);
  const scaling = object(config, 'rope_scaling');
  const type = scaling?.type;
  const long = type === 'longrope' || type === 'su' ? longrope(config, scaling!, ropeDims, args.ropeTheta) : undefined;
  return new LlamaForCausalLM('phi3', {
    ...args,
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', false),
    qkvBias: false,
    outputBias: false,
    mlpBias: false,
    packedQkv: true,
    packedGateUp: true,
    ropeDims,
    // mlx-lm ignores any other scaling type (with a warning).
    ropeScaling: type === 'linear' ? scaling : undefined,
    ropeFrequencies: long?.frequencies,
    ropeAmplitude: long?.amplitude,
  });
}
