// Rotary position embeddings as mlx-lm sets them up (rope_utils.initialize_rope): the
// inverse frequencies of each scaling type, computed once; cos and sin of a step's positions,
// computed once per step for every layer; and the rotation itself.
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import type { DType } from '../types.js';

/** A rotary embedding: what a step's angles are computed from. */
export interface Rope {
  /** dims / 2 inverse frequencies, any position scale folded in. */
  invFreq: Float32Array;
  /** Interleaved feature pairs instead of halves. */
  traditional: boolean;
  /** A factor on the rotated features, folded into cos and sin (yarn's and longrope's mscale). */
  amplitude: number;
  /**
   * Dynamic NTK scaling: past maxPositions tokens (cache and new ones), the base grows with the
   * length, base · (factor · length / maxPositions − factor + 1)^(dims / (dims − 2)).
   */
  dynamic?: { factor: number; maxPositions: number };
}

const f32 = Math.fround;

/** base^(2i / dims) for i < dims / 2 (the wavelengths / 2π), in float32 as MLX computes them. */
function wavelengths(dims: number, base: number): number[] {
  return Array.from({ length: dims / 2 }, (_, i) => f32(base ** f32((2 * i) / dims)));
}

/** mlx-lm's yarn: frequencies blended between interpolated and extrapolated by a ramp over the correction range. */
function yarn(dims: number, base: number, scaling: Record<string, unknown>): Pick<Rope, 'invFreq' | 'amplitude'> {
  const factor = Number(scaling.factor);
  const original = Number(scaling.original_max_position_embeddings ?? 4096);
  const [fast, slow] = [Number(scaling.beta_fast ?? 32), Number(scaling.beta_slow ?? 1)];
  const correction = (rotations: number) => (dims * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
  const low = Math.max(Math.floor(correction(fast)), 0);
  let high = Math.min(Math.ceil(correction(slow)), dims - 1);
  if (low === high) high += 0.001;
  const mscale = (m: number) => (factor <= 1 ? 1 : 0.1 * m * Math.log(factor) + 1);
  const invFreq = Float32Array.from(wavelengths(dims, base), (extra, i) => {
    const inter = f32(factor * extra);
    const mask = f32(1 - Math.min(Math.max(f32((i - low) / (high - low)), 0), 1));
    return 1 / f32(f32(inter * extra) / f32(inter * mask + extra * (1 - mask)));
  });
  return { invFreq, amplitude: mscale(Number(scaling.mscale ?? 1)) / mscale(Number(scaling.mscale_all_dim ?? 0)) };
}

/** mlx-lm's Llama 3 scaling: long wavelengths divided by factor, short ones kept, a smooth blend between. */
function llama3(dims: number, base: number, scaling: Record<string, unknown>): Float32Array {
  const factor = Number(scaling.factor);
  const low = Number(scaling.low_freq_factor ?? 1);
  const high = Number(scaling.high_freq_factor ?? 4);
  const context = Number(scaling.original_max_position_embeddings ?? 8192);
  return Float32Array.from(wavelengths(dims, base), (f) => {
    const wavelength = 2 * Math.PI * f;
    if (wavelength > context / low) return 1 / (f * factor);
    if (wavelength <= context / high || wavelength >= context / low) return 1 / f;
    const smooth = (context / wavelength - low) / (high - low);
    return ((1 - smooth) / factor + smooth) / f;
  });
}

/**
 * The rotary embedding mlx-lm's initialize_rope builds for `scaling` (config.json's
 * rope_scaling): default, linear, llama3, yarn, dynamic. maxPositions is
 * max_position_embeddings (dynamic scaling needs it).
 */
export function ropeFor(dims: number, base: number, traditional: boolean, scaling?: Record<string, unknown> | null, maxPositions?: number): Rope {
  const type = String(scaling?.type ?? scaling?.rope_type ?? 'default');
  const plain = (scale: number) => Float32Array.from(wavelengths(dims, base), (f) => scale / f);
  switch (type) {
    case 'default':
      return { invFreq: plain(1), traditional, amplitude: 1 };
    case 'linear':
      return { invFreq: plain(1 / Number(scaling!.factor)), traditional, amplitude: 1 };
    case 'llama3':
      return { invFreq: llama3(dims, base, scaling!), traditional, amplitude: 1 };
    case 'yarn':
      return { ...yarn(dims, base, scaling!), traditional };
    case 'dynamic':
      if (maxPositions === undefined) throw new MlxOnnxError('ERR_INVALID_INPUT', "rope_scaling 'dynamic' needs max_position_embeddings");
      return { invFreq: plain(1), traditional, amplitude: 1, dynamic: { factor: Number(scaling!.factor), maxPositions } };
    default:
      throw new MlxOnnxError('ERR_INVALID_INPUT', `rope scaling '${type}' is not supported (default, linear, llama3, yarn, dynamic)`);
  }
}

/** The rotation of one step's positions: cos and sin, [batch, 1, sequence, dims / 2]. */
export interface RopeAngles {
  cos: MxArray;
  sin: MxArray;
  traditional: boolean;
}

/**
 * cos and sin of position × inverse frequency, computed in float32 (as MLX's rope), times
 * the amplitude, cast to `dtype`, once for every layer. positionIds [batch, sequence];
 * attentionMask [batch, past + sequence] gives dynamic scaling each row's length.
 */
export function ropeAngles(rope: Rope, positionIds: MxArray, attentionMask: MxArray, dtype: DType): RopeAngles {
  const { invFreq, amplitude, dynamic } = rope;
  let theta = mx.multiply(mx.expandDims(mx.astype(positionIds, 'float32'), [1, -1]), mx.array(invFreq, [invFreq.length]));
  if (dynamic) {
    // invFreq_i · k^(−2i / (dims − 2)), k = max(factor · length / maxPositions − factor + 1, 1).
    const { factor, maxPositions } = dynamic;
    // Each row's own length (its tokens, not its padding), as mlx-lm sees a sequence alone.
    const length = mx.sum(mx.astype(mx.notEqual(attentionMask, 0), 'float32'), 1, true);
    const k = mx.maximum(mx.subtract(mx.multiply(length, factor / maxPositions), factor - 1), 1);
    const dims = 2 * invFreq.length;
    const exponents = mx.array(Array.from(invFreq, (_, i) => (-2 * i) / (dims - 2)), [invFreq.length], 'float32');
    theta = mx.multiply(theta, mx.exp(mx.multiply(mx.expandDims(mx.log(k), [1, 2]), exponents)));
  }
  const scaled = (a: MxArray) => mx.astype(amplitude === 1 ? a : mx.multiply(a, amplitude), dtype);
  return { cos: scaled(mx.cos(theta)), sin: scaled(mx.sin(theta)), traditional: rope.traditional };
}

/**
 * Rotary embedding of x [batch, heads, sequence, head_dim] as MLX's fast.rope: each feature
 * pair (a, b) of the first dims features — the two halves, or neighbours when traditional —
 * turned to (a·cos − b·sin, a·sin + b·cos); the rest pass through. Written as MLX's own
 * fallback writes it (parts split off the last axis, which follows any sequence length), so
 * the converter fuses it back into one rotary node.
 */
export function applyRope(x: MxArray, { cos, sin, traditional }: RopeAngles): MxArray {
  const half = cos.shape.at(-1)!;
  const dims = 2 * half;
  const partial = x.shape.at(-1)! > dims;
  const rotate = (a: MxArray, b: MxArray, c: MxArray, s: MxArray) =>
    [mx.subtract(mx.multiply(a, c), mx.multiply(b, s)), mx.add(mx.multiply(a, s), mx.multiply(b, c))];
  if (!traditional) {
    const [a, b, ...rest] = mx.split(x, partial ? [half, dims] : [half], -1);
    return mx.concatenate([...rotate(a!, b!, cos, sin), ...rest], -1);
  }
  const [rotated, ...rest] = partial ? mx.split(x, [dims], -1) : [x];
  const [a, b] = mx.split(mx.unflatten(rotated!, -1, [half, 2]), 2, -1);
  const pairs = rotate(a!, b!, mx.expandDims(cos, -1), mx.expandDims(sin, -1));
  const out = mx.flatten(mx.concatenate(pairs, -1), -2, -1);
  return rest.length ? mx.concatenate([out, ...rest], -1) : out;
}
