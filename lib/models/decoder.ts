// Pieces of a decoder step written so that one traced function runs at any batch size,
// sequence length and cache length (MLX shapeless export, then symbolic ONNX dims): no
// slices or splits of activations, reshapes through flatten/unflatten, positions and
// masks computed from the inputs with elementwise ops, cumsum and comparisons.
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Linear } from '../nn/layers.js';
import { QuantizedEmbedding, QuantizedLinear } from '../nn/quantized.js';
import type { DType } from '../types.js';
import type { Projection, TokenEmbedding } from './model.js';

/**
 * x·Wᵀ + b. Linear.forward's addmm flattens x to 2-D and back with the sizes seen when
 * traced, so a shapeless trace would keep them; a matmul and an add follow any size.
 */
export function project(layer: Projection, x: MxArray): MxArray {
  if (!(layer instanceof Linear) || !layer.bias) return layer.forward(x);
  return mx.add(mx.matmul(x, mx.transpose(layer.weight, [1, 0])), layer.bias);
}

/** A projection made of several, and the output sizes to split its result at. */
interface Fused {
  layer: Projection;
  sizes: number[];
  sources: MxArray[];
}
const fusions = new WeakMap<Projection, Fused | null>();

/** The layers' weights concatenated along the output axis, evaluated (a constant when traced). */
function fuse(layers: Projection[]): Fused | null {
  const first = layers[0]!;
  const sizes = layers.map((l) => l.weight.shape[0]!);
  const cat = (get: (l: Projection) => MxArray | undefined) => {
    const parts = layers.map(get);
    return parts.every((p) => p) ? mx.concatenate(parts as MxArray[], 0) : undefined;
  };
  const sameBias = layers.every((l) => !l.bias === !first.bias);
  let layer: Projection;
  if (first instanceof QuantizedLinear) {
    const q = first.options();
    const same = layers.every((l) => l instanceof QuantizedLinear && l.groupSize === q.groupSize && l.bits === q.bits &&
      l.mode === q.mode && !l.biases === !first.biases && l.scales.dtype === first.scales.dtype);
    if (!same || !sameBias) return null;
    const fused = new QuantizedLinear(q.groupSize, 1, { ...q, bias: false });
    [fused.weight, fused.scales] = [cat((l) => l.weight)!, cat((l) => (l as QuantizedLinear).scales)!];
    fused.biases = cat((l) => (l as QuantizedLinear).biases);
    layer = fused;
  } else {
    if (!layers.every((l) => l instanceof Linear && l.weight.dtype === first.weight.dtype) || !sameBias) return null;
    layer = new Linear(1, 1, false);
    layer.weight = cat((l) => l.weight)!;
  }
  layer.bias = cat((l) => l.bias);
  mx.evaluate(...Object.values(layer.parameters()));
  return { layer, sizes, sources: layers.map((l) => l.weight) };
}

/** The layers' fused projection (made at first use), or null when they cannot be fused. */
function fusedProjection(layers: Projection[]): Fused | null {
  let fused = fusions.get(layers[0]!);
  if (fused === undefined || (fused && fused.sources.some((w, i) => layers[i]!.weight !== w))) {
    fused = fuse(layers);
    fusions.set(layers[0]!, fused);
  }
  return fused;
}

/** Offsets of the cuts between consecutive parts of the given sizes. */
function cutsOf(sizes: number[]): number[] {
  return sizes.slice(0, -1).map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0));
}

/**
 * project() of several layers over the same input as one projection, then split: one
 * matmul kernel instead of several (q/k/v, gate/up), and the same numbers, since each output
 * column is computed as before. Layers that differ in kind, bias or quantization run apart.
 */
export function projectEach(layers: Projection[], x: MxArray): MxArray[] {
  const fused = fusedProjection(layers);
  if (!fused) return layers.map((l) => project(l, x));
  return mx.split(project(fused.layer, x), cutsOf(fused.sizes), -1);
}

/**
 * projectEach of q/k/v-like layers, each output split into `heads[i]` heads of headDim
 * ([batch, heads, sequence, head_dim], as splitHeads): fused, one reshape and transpose of
 * the joint output, then one split along the heads.
 */
export function projectHeads(layers: Projection[], x: MxArray, heads: number[], headDim: number): MxArray[] {
  const fused = fusedProjection(layers);
  if (!fused) return layers.map((l, i) => splitHeads(project(l, x), heads[i]!, headDim));
  const all = splitHeads(project(fused.layer, x), heads.reduce((a, b) => a + b, 0), headDim);
  return mx.split(all, cutsOf(heads), 1);
}

/**
 * Embedding rows for ids. MLX's dequantize reshapes with the sizes seen when traced, so for a
 * shapeless trace the packed rows are gathered and unpacked with unpackGroups: only the
 * looked-up rows are dequantized, never the table.
 */
export function embed(layer: TokenEmbedding, ids: MxArray, shapeless = false): MxArray {
  if (!shapeless || !(layer instanceof QuantizedEmbedding)) return layer.forward(ids);
  if (!unpackable(layer.options()) || !layer.biases) {
    // Codes that straddle words (3, 5, 6 bits) and the fp formats: the table, then rows.
    return mx.take(mx.dequantize(layer.weight, layer.scales, layer.biases ?? null, layer.options()), ids, 0);
  }
  const rows = (a: MxArray) => mx.take(a, ids, 0);
  return unpackGroups(groupedWords(rows(layer.weight), layer.options()), rows(layer.scales), rows(layer.biases), layer.options(), layer.scales.dtype);
}

/** Whether unpackGroups reads this quantization: affine codes that never straddle two words, or MXFP4. */
export function unpackable({ mode, bits }: { mode: string; bits: number }): boolean {
  return (mode === 'affine' && 32 % bits === 0) || mode === 'mxfp4';
}

/** A packed uint32 matrix [..., rows, words] seen as [..., rows, groups, words per group]. */
export function groupedWords(packed: MxArray, { groupSize, bits }: { groupSize: number; bits: number }): MxArray {
  const words = packed.shape.at(-1)!;
  const groups = (words * 32) / bits / groupSize;
  return mx.unflatten(packed, -1, [groups, words / groups]);
}

// MXFP4: a 4-bit code is sign, 2 exponent and 1 mantissa bits (E2M1); a group's uint8 scale
// is the power of two 2^(scale − 127) (E8M0).
const E2M1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0, -0.5, -1, -1.5, -2, -3, -4, -6];
const E8M0 = Array.from({ length: 256 }, (_, e) => 2 ** (e - 127));

/**
 * Quantized values [..., groups × group size] in `dtype` from packed words [..., groups,
 * words per group] and the groups' scales (and affine biases) [..., groups], with ops that
 * follow any leading sizes (shifts, masks, gathers from tables, broadcasting, flatten):
 * affine code · scale + bias, or MXFP4's E2M1 value · 2^(scale − 127).
 */
export function unpackGroups(words: MxArray, scales: MxArray, biases: MxArray | undefined,
  { bits, mode }: { bits: number; mode: string }, dtype: DType): MxArray {
  const perWord = 32 / bits;
  const shifts = mx.array(Array.from({ length: perWord }, (_, i) => i * bits), [perWord], 'uint32');
  const codes = mx.bitwiseAnd(mx.rightShift(mx.expandDims(words, -1), shifts), mx.scalar(2 ** bits - 1, 'uint32'));
  const perGroup = (a: MxArray) => mx.expandDims(a, [-2, -1]);
  let values: MxArray;
  if (mode === 'mxfp4') {
    const table = (entries: number[]) => mx.array(entries, [entries.length], dtype);
    values = mx.multiply(mx.take(table(E2M1), codes, 0), perGroup(mx.take(table(E8M0), scales, 0)));
  } else {
    if (!biases) throw new MlxOnnxError('ERR_INVALID_INPUT', 'affine quantized weights without biases');
    values = mx.add(mx.multiply(mx.astype(codes, scales.dtype), perGroup(scales)), perGroup(biases));
  }
  return mx.flatten(values, -3, -1);
}

/** One layer's cache: [batch, kv_heads, length, head_dim] each. */
export interface KV {
  key: MxArray;
  value: MxArray;
}

/** The inputs of one decoder step, as transformers.js / Optimum feed an ONNX decoder. */
export interface StepInputs {
  /** [batch, sequence] */
  inputIds: MxArray;
  /** [batch, past + sequence]; 0 marks padding. */
  attentionMask: MxArray;
  /** [batch, sequence] */
  positionIds: MxArray;
  /** One entry per layer, or none for a step without a cache. */
  past?: KV[];
  /** Written for a shapeless trace (see ModelSignature.run). */
  shapeless?: boolean;
}

export interface StepOutputs {
  /** [batch, sequence, vocab] */
  logits: MxArray;
  /** past + this step's keys and values, per layer: [batch, kv_heads, past + sequence, head_dim]. */
  present: KV[];
}

const LOWEST: Partial<Record<DType, number>> = {
  float32: -3.4028234663852886e38, float16: -65504, bfloat16: -3.3895313892515355e38, float64: -1.7976931348623157e308,
};

/** The most negative finite value of a float dtype: masked scores (a finite value keeps fully masked rows free of NaN). */
export function lowest(dtype: DType): number {
  const value = LOWEST[dtype];
  if (value === undefined) throw new MlxOnnxError('ERR_INVALID_ARGUMENT', `no float minimum for ${dtype}`);
  return value;
}

/** Ones of x's shape and dtype, computed from x (a traced shape would be fixed). */
export function onesLike(x: MxArray): MxArray {
  return mx.add(mx.multiply(x, 0), 1);
}

/** 0, 1, 2, ... along axis 1 of a [batch, n] array. */
export function indicesLike(x: MxArray): MxArray {
  return mx.subtract(mx.cumsum(onesLike(x), 1), 1);
}

/**
 * The attention mask [batch, 1, sequence, past + sequence] (bool): query i sits at index
 * past + i of the cache and sees key j when j ≤ that index, attention_mask[j] ≠ 0 and, with
 * a sliding window, the key is one of the `window` latest (index − j < window, as mlx-lm's
 * rotating caches; left padding keeps index differences equal to position differences).
 */
export function causalMask(attentionMask: MxArray, inputIds: MxArray, window?: number): MxArray {
  const keyOnes = onesLike(attentionMask);
  const queryOnes = onesLike(inputIds);
  const keyIndex = mx.expandDims(mx.subtract(mx.cumsum(keyOnes, 1), 1), [1, 2]);
  const past = mx.subtract(mx.sum(keyOnes, 1, true), mx.sum(queryOnes, 1, true));
  const queryIndex = mx.expandDims(mx.add(mx.subtract(mx.cumsum(queryOnes, 1), 1), past), [1, 3]);
  let visible = mx.lessEqual(keyIndex, queryIndex);
  if (window !== undefined) visible = mx.logicalAnd(visible, mx.less(mx.subtract(queryIndex, keyIndex), window));
  return mx.logicalAnd(visible, paddingMask(attentionMask));
}

/** [batch, 1, 1, length] (bool): keys that are not padding. */
export function paddingMask(attentionMask: MxArray): MxArray {
  return mx.notEqual(mx.expandDims(attentionMask, [1, 2]), 0);
}

/** [batch, sequence, heads × head_dim] → [batch, heads, sequence, head_dim]. */
export function splitHeads(x: MxArray, heads: number, headDim: number): MxArray {
  return mx.transpose(mx.unflatten(x, -1, [heads, headDim]), [0, 2, 1, 3]);
}

/** past (if any) + new along the sequence axis. */
export function appendCache(past: KV | undefined, key: MxArray, value: MxArray): KV {
  if (!past) return { key, value };
  return { key: mx.concatenate([past.key, key], 2), value: mx.concatenate([past.value, value], 2) };
}

/**
 * MLX's scaled_dot_product_attention: q [batch, heads, sequence, head_dim], k/v [batch,
 * kv_heads, length, head_dim] (fewer heads: grouped queries), mask (bool) broadcastable to
 * [batch, heads, sequence, length]. On the CPU MLX records its fallback, which the converter
 * fuses back into one attention node. Returns [batch, sequence, heads × head_dim].
 */
export function attention(q: MxArray, k: MxArray, v: MxArray, mask: MxArray, scale: number): MxArray {
  const out = mx.fast.scaledDotProductAttention(q, k, v, scale, mask);
  return mx.flatten(mx.transpose(out, [0, 2, 1, 3]), 2);
}

/** cap·tanh(x / cap) (Gemma 2's soft-capping of scores and logits). */
export function softcap(x: MxArray, cap: number): MxArray {
  return mx.multiply(mx.tanh(mx.divide(x, cap)), cap);
}

/**
 * attention() written out as mlx-lm writes its variants (scaled queries, grouped heads as a
 * 5-D view, a float32 softmax), for what MLX's fused kernel would record with baked sizes:
 * scores capped as cap·tanh(scores / cap) before the mask (Gemma 2), or a learned sink per
 * head that takes part in each softmax without a value (GPT-OSS).
 */
export function writtenAttention(q: MxArray, k: MxArray, v: MxArray, mask: MxArray, scale: number,
  { cap, sinks }: { cap?: number; sinks?: MxArray }): MxArray {
  const [heads, kvHeads] = [q.shape[1]!, k.shape[1]!];
  const grouped = heads !== kvHeads;
  let queries = mx.multiply(q, scale);
  let [keys, values, m] = [k, v, mask];
  // Per head, broadcast against the scores ([..., heads, queries, keys]).
  let sink = sinks ? mx.astype(mx.reshape(sinks, [heads, 1, 1]), 'float32') : undefined;
  if (grouped) {
    queries = mx.unflatten(queries, 1, [kvHeads, heads / kvHeads]);
    [keys, values, m] = [mx.expandDims(k, 2), mx.expandDims(v, 2), mx.expandDims(mask, 2)];
    if (sink) sink = mx.unflatten(sink, 0, [kvHeads, heads / kvHeads]);
  }
  const axes = keys.shape.map((_, i) => i);
  axes.push(...axes.splice(-2).reverse());
  let scores = mx.matmul(queries, mx.transpose(keys, axes));
  if (cap) scores = softcap(scores, cap);
  scores = mx.astype(mx.where(m, scores, lowest(q.dtype)), 'float32');
  let weights: MxArray;
  if (sink) {
    // softmax over [sink, scores] without the sink's column: e^(s − top) / (Σ e^(s − top) + e^(sink − top)).
    const top = mx.maximum(mx.max(scores, -1, true), sink);
    const e = mx.exp(mx.subtract(scores, top));
    weights = mx.divide(e, mx.add(mx.sum(e, -1, true), mx.exp(mx.subtract(sink, top))));
  } else {
    weights = mx.softmax(scores, -1);
  }
  let out = mx.matmul(mx.astype(weights, q.dtype), values);
  if (grouped) out = mx.flatten(out, 1, 2);
  return mx.flatten(mx.transpose(out, [0, 2, 1, 3]), 2);
}
