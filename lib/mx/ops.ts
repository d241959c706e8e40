// MLX operations with MLX Python's names in camelCase. Numbers mix with arrays as in
// MLX Python: a number takes the dtype of the array it meets (float32 for a fractional
// number and an integer array).
import type { DType } from '../types.js';
import { type MxArray, mxNative } from './array.js';

export type ArrayLike = MxArray | number;

function op(name: string, arrays: Array<MxArray | null | undefined>, params: Record<string, unknown> = {}): MxArray {
  return mxNative().op(name, arrays, params) as MxArray;
}

function opList(name: string, arrays: MxArray[], params: Record<string, unknown> = {}): MxArray[] {
  return mxNative().op(name, arrays, params) as MxArray[];
}

const FLOATS = new Set<DType>(['float16', 'float32', 'float64', 'bfloat16']);

/** A 0-d array of `value` in `dtype`. */
export function scalar(value: number, dtype: DType = 'float32'): MxArray {
  return op('scalar', [], { value, dtype });
}

function lift(x: ArrayLike, other: ArrayLike): MxArray {
  if (typeof x !== 'number') return x;
  const like = typeof other === 'number' ? undefined : other.dtype;
  const dtype = like && (FLOATS.has(like) || Number.isInteger(x)) ? like : Number.isInteger(x) ? 'int32' : 'float32';
  return scalar(x, dtype);
}

function binary(name: string) {
  return (a: ArrayLike, b: ArrayLike): MxArray => op(name, [lift(a, b), lift(b, a)]);
}

function unary(name: string) {
  return (a: MxArray): MxArray => op(name, [a]);
}

// creation
export function array(data: ArrayLike | number[] | ArrayBufferView, shape?: number[], dtype: DType = 'float32'): MxArray {
  if (typeof data === 'number') return scalar(data, dtype);
  if (Array.isArray(data)) return fromTypedArray(typedFor(dtype, data), shape ?? [data.length], dtype);
  if (ArrayBuffer.isView(data)) return fromTypedArray(data, shape ?? [data.byteLength], dtype);
  return data;
}

function typedFor(dtype: DType, values: number[]): ArrayBufferView {
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int32': return Int32Array.from(values);
    case 'uint32': return Uint32Array.from(values);
    case 'int64': return BigInt64Array.from(values.map(BigInt));
    case 'uint8': case 'bool': return Uint8Array.from(values);
    case 'int8': return Int8Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'uint16': return Uint16Array.from(values);
    default: return Float32Array.from(values); // made as float32, then cast
  }
}

/** An array from a typed array of `dtype`'s layout (float16/bfloat16 from a float32 array are cast). */
export function fromTypedArray(data: ArrayBufferView, shape: number[], dtype: DType): MxArray {
  if ((dtype === 'float16' || dtype === 'bfloat16') && data instanceof Float32Array) {
    return astype(mxNative().fromBytes(data, shape, 'float32'), dtype);
  }
  return mxNative().fromBytes(data, shape, dtype);
}

export const zeros = (shape: number[], dtype: DType = 'float32') => op('zeros', [], { shape, dtype });
export const ones = (shape: number[], dtype: DType = 'float32') => op('ones', [], { shape, dtype });
export const full = (shape: number[], value: number, dtype: DType = 'float32') => op('full', [], { shape, value, dtype });
export function arange(start: number, stop?: number, step = 1, dtype?: DType): MxArray {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  const integral = [from, to, step].every(Number.isInteger);
  return op('arange', [], { start: from, stop: to, step, dtype: dtype ?? (integral ? 'int32' : 'float32') });
}

// elementwise
export const add = binary('add');
export const subtract = binary('subtract');
export const multiply = binary('multiply');
export const divide = binary('divide');
export const power = binary('power');
export const maximum = binary('maximum');
export const minimum = binary('minimum');
export const remainder = binary('remainder');
export const floorDivide = binary('floor_divide');
export const rightShift = binary('right_shift');
export const bitwiseAnd = binary('bitwise_and');
export const equal = binary('equal');
export const notEqual = binary('not_equal');
export const less = binary('less');
export const lessEqual = binary('less_equal');
export const greater = binary('greater');
export const greaterEqual = binary('greater_equal');
export const logicalAnd = binary('logical_and');
export const logicalOr = binary('logical_or');
export const abs = unary('abs');
export const negative = unary('negative');
export const exp = unary('exp');
export const log = unary('log');
export const log1p = unary('log1p');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const square = unary('square');
export const reciprocal = unary('reciprocal');
export const sin = unary('sin');
export const cos = unary('cos');
export const tanh = unary('tanh');
export const sigmoid = unary('sigmoid');
export const erf = unary('erf');
export const floor = unary('floor');
export const ceil = unary('ceil');
export const logicalNot = unary('logical_not');
export const stopGradient = unary('stop_gradient');
export const where = (cond: MxArray, a: ArrayLike, b: ArrayLike) => op('where', [cond, lift(a, b), lift(b, a)]);
export const astype = (a: MxArray, dtype: DType) => op('astype', [a], { dtype });
export const matmul = (a: MxArray, b: MxArray) => op('matmul', [a, b]);
export const addmm = (c: MxArray, a: MxArray, b: MxArray, alpha = 1, beta = 1) => op('addmm', [c, a, b], { alpha, beta });

// reductions: axis may be one axis or several
type Axes = number | number[] | undefined;
const axesParam = (axis: Axes) => (axis === undefined ? {} : Array.isArray(axis) ? { axes: axis } : { axes: [axis] });
const reduction = (name: string) => (a: MxArray, axis?: Axes, keepdims = false) => op(name, [a], { ...axesParam(axis), keepdims });
export const sum = reduction('sum');
export const mean = reduction('mean');
export const max = reduction('max');
export const min = reduction('min');
export const prod = reduction('prod');
export const logsumexp = reduction('logsumexp');
export const argmax = (a: MxArray, axis?: number, keepdims = false) => op('argmax', [a], { axis, keepdims });
export const argmin = (a: MxArray, axis?: number, keepdims = false) => op('argmin', [a], { axis, keepdims });
export const softmax = (a: MxArray, axis: Axes = -1, precise = false) => op('softmax', [a], { ...axesParam(axis), precise });
export const cumsum = (a: MxArray, axis: number, reverse = false, inclusive = true) => op('cumsum', [a], { axis, reverse, inclusive });
/** Indices that put the kth element of `axis` in its sorted place, smaller ones before it (as mx.argpartition). */
export const argpartition = (a: MxArray, kth: number, axis = -1) => op('argpartition', [a], { kth, axis });

// layout
export const reshape = (a: MxArray, shape: number[]) => op('reshape', [a], { shape });
export const transpose = (a: MxArray, axes?: number[]) => op('transpose', [a], axes ? { axes } : {});
export const expandDims = (a: MxArray, axis: number | number[]) => op('expand_dims', [a], axesParam(axis));
export const squeeze = (a: MxArray, axis?: Axes) => op('squeeze', [a], axesParam(axis));
export const broadcastTo = (a: MxArray, shape: number[]) => op('broadcast_to', [a], { shape });
export const flatten = (a: MxArray, startAxis = 0, endAxis = -1) => op('flatten', [a], { start_axis: startAxis, end_axis: endAxis });
export const unflatten = (a: MxArray, axis: number, shape: number[]) => op('unflatten', [a], { axis, shape });
export const concatenate = (arrays: MxArray[], axis = 0) => op('concatenate', arrays, { axis });
export const stack = (arrays: MxArray[], axis = 0) => op('stack', arrays, { axis });
/** Splits into `sections` equal parts, or at the given indices. */
export const split = (a: MxArray, sectionsOrIndices: number | number[], axis = 0) =>
  opList('split', [a], Array.isArray(sectionsOrIndices) ? { indices: sectionsOrIndices, axis } : { sections: sectionsOrIndices, axis });
/** a[start:stop:strides] over all axes (use the axis size for "to the end"). */
export const slice = (a: MxArray, start: number[], stop: number[], strides?: number[]) => op('slice', [a], { start, stop, strides });
export const sliceUpdate = (a: MxArray, update: MxArray, start: number[], stop: number[], strides?: number[]) =>
  op('slice_update', [a, update], { start, stop, strides });
export const take = (a: MxArray, indices: MxArray, axis?: number) => op('take', [a, indices], { axis });
export const takeAlongAxis = (a: MxArray, indices: MxArray, axis: number) => op('take_along_axis', [a, indices], { axis });

// convolution (channels last)
export const conv1d = (x: MxArray, w: MxArray, stride = 1, padding = 0, dilation = 1, groups = 1) =>
  op('conv1d', [x, w], { stride, padding, dilation, groups });
export const conv2d = (x: MxArray, w: MxArray, stride: number | [number, number] = 1, padding: number | [number, number] = 0,
  dilation: number | [number, number] = 1, groups = 1) => {
  const pair = (v: number | [number, number]) => (Array.isArray(v) ? v : [v, v]);
  return op('conv2d', [x, w], { stride: pair(stride), padding: pair(padding), dilation: pair(dilation), groups });
};

// quantization
export interface QuantizeOptions { groupSize?: number; bits?: number; mode?: 'affine' | 'mxfp4' | 'mxfp8' | 'nvfp4' }
const qparams = (o: QuantizeOptions) => ({ group_size: o.groupSize, bits: o.bits, mode: o.mode ?? 'affine' });
/** [packed weights, scales, biases (affine only)] */
export const quantize = (w: MxArray, options: QuantizeOptions = {}) => opList('quantize', [w], qparams(options));
export const dequantize = (w: MxArray, scales: MxArray, biases: MxArray | null, options: QuantizeOptions = {}) =>
  op('dequantize', [w, scales, biases], qparams(options));
export const quantizedMatmul = (x: MxArray, w: MxArray, scales: MxArray, biases: MxArray | null, transpose = true,
  options: QuantizeOptions = {}) => op('quantized_matmul', [x, w, scales, biases], { transpose, ...qparams(options) });

// evaluation and randomness
/** Computes the arrays now. */
export function evaluate(...arrays: MxArray[]): void {
  mxNative().eval(arrays);
}
export { evaluate as eval };

export const random = {
  seed: (seed: number) => mxNative().seed(seed),
  key: (seed: number) => op('random_key', [], { seed }),
  normal: (shape: number[], options: { dtype?: DType; loc?: number; scale?: number; key?: MxArray } = {}) =>
    op('random_normal', [options.key], { shape, dtype: options.dtype ?? 'float32', loc: options.loc ?? 0, scale: options.scale ?? 1 }),
  uniform: (shape: number[], options: { dtype?: DType; low?: number; high?: number; key?: MxArray } = {}) =>
    op('random_uniform', [options.key], { shape, dtype: options.dtype ?? 'float32', low: options.low ?? 0, high: options.high ?? 1 }),
};

// fused ops (MLX's fast:: functions)
export const fast = {
  rmsNorm: (x: MxArray, weight: MxArray | null, eps: number) => op('rms_norm', [x, weight], { eps }),
  layerNorm: (x: MxArray, weight: MxArray | null, bias: MxArray | null, eps: number) => op('layer_norm', [x, weight, bias], { eps }),
  /** offset: a number, or an array (one per batch entry). */
  rope: (x: MxArray, dims: number, options: { traditional?: boolean; base?: number; scale?: number; offset?: number | MxArray; freqs?: MxArray } = {}) => {
    const offset = options.offset ?? 0;
    return op('rope', [x, typeof offset === 'number' ? null : offset, options.freqs], {
      dims, traditional: options.traditional ?? false, base: options.base, scale: options.scale ?? 1,
      offset: typeof offset === 'number' ? offset : undefined,
    });
  },
  /** mask: 'causal', a boolean or additive array, or none. */
  scaledDotProductAttention: (q: MxArray, k: MxArray, v: MxArray, scale: number, mask?: 'causal' | MxArray, sinks?: MxArray) =>
    op('scaled_dot_product_attention', [q, k, v, typeof mask === 'string' ? null : mask, sinks], {
      scale, mask_mode: typeof mask === 'string' ? mask : mask ? 'array' : '',
    }),
};
