// Host arrays: sizes, seeded random inputs, decoding to numbers, and comparison.
import { invalidArgument } from './errors.js';
import type { CastDType, DType, HostArray } from './types.js';

export const DTYPE_SIZE: Record<DType, number> = {
  bool: 1, uint8: 1, uint16: 2, uint32: 4, uint64: 8, int8: 1, int16: 2, int32: 4, int64: 8,
  float16: 2, float32: 4, float64: 8, bfloat16: 2, complex64: 8,
};

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64' || dtype === 'bfloat16';
}

/** A deterministic generator (mulberry32), so verification inputs repeat across runs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

function float32Bits(value: number): number {
  f32[0] = value;
  return f32Bits[0]!;
}

/** float16 bits of a number, rounded (through float32) to nearest even as MLX does. */
function float32ToFloat16Bits(value: number): number {
  const bits = float32Bits(value);
  const sign = (bits >>> 16) & 0x8000;
  if (Number.isNaN(value)) return sign | 0x7d00;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x477ff000) return sign | 0x7c00; // rounds past 65504
  if (abs < 0x38800000) { // subnormal or zero: steps of 2^-24
    const steps = Math.abs(f32[0]!) * 2 ** 24;
    const floor = Math.floor(steps);
    const rest = steps - floor;
    return sign | (rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor);
  }
  const odd = (abs >>> 13) & 1;
  return sign | ((abs - 0x38000000 + 0xfff + odd) >>> 13);
}

/** bfloat16 bits of a number, rounded (through float32) to nearest even as MLX does. */
function float32ToBfloat16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7fc0;
  const bits = float32Bits(value);
  return ((bits + ((bits >>> 16) & 1) + 0x7fff) >>> 16) & 0xffff;
}

function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Seeded random values for an input: floats uniform in [-1, 1), integers in [0, 4),
 * booleans at random. Index inputs with other valid ranges should be given explicitly.
 */
export function randomArray(dtype: DType, shape: number[], seed: number): HostArray {
  const next = random(seed);
  const n = elementCount(shape);
  const data = new Uint8Array(n * DTYPE_SIZE[dtype]);
  const view = new DataView(data.buffer);
  for (let i = 0; i < n; i++) {
    const u = next();
    switch (dtype) {
      case 'float32': view.setFloat32(i * 4, u * 2 - 1, true); break;
      case 'float64': view.setFloat64(i * 8, u * 2 - 1, true); break;
      case 'float16': view.setUint16(i * 2, float32ToFloat16Bits(u * 2 - 1), true); break;
      case 'bfloat16': view.setUint16(i * 2, float32ToBfloat16Bits(u * 2 - 1), true); break;
      case 'bool': data[i] = u < 0.5 ? 0 : 1; break;
      case 'complex64': throw invalidArgument('complex64 inputs are not supported');
      default: {
        const value = Math.floor(u * 4);
        const size = DTYPE_SIZE[dtype];
        if (size === 8) view.setBigInt64(i * 8, BigInt(value), true);
        else if (size === 4) view.setInt32(i * 4, value, true);
        else if (size === 2) view.setInt16(i * 2, value, true);
        else data[i] = value;
      }
    }
  }
  return { dtype, shape, data };
}

/** Every element as a JavaScript number (64-bit integers may round past 2^53). */
export function toNumbers(array: HostArray): Float64Array {
  const n = elementCount(array.shape);
  const out = new Float64Array(n);
  const view = new DataView(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  for (let i = 0; i < n; i++) {
    switch (array.dtype) {
      case 'bool': case 'uint8': out[i] = view.getUint8(i); break;
      case 'int8': out[i] = view.getInt8(i); break;
      case 'uint16': out[i] = view.getUint16(i * 2, true); break;
      case 'int16': out[i] = view.getInt16(i * 2, true); break;
      case 'uint32': out[i] = view.getUint32(i * 4, true); break;
      case 'int32': out[i] = view.getInt32(i * 4, true); break;
      case 'uint64': out[i] = Number(view.getBigUint64(i * 8, true)); break;
      case 'int64': out[i] = Number(view.getBigInt64(i * 8, true)); break;
      case 'float16': out[i] = float16BitsToNumber(view.getUint16(i * 2, true)); break;
      case 'bfloat16': out[i] = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0]!; break;
      case 'float32': out[i] = view.getFloat32(i * 4, true); break;
      case 'float64': out[i] = view.getFloat64(i * 8, true); break;
      case 'complex64': throw invalidArgument('complex64 outputs are not supported');
    }
  }
  return out;
}

/** The values of a float array in another float dtype, rounded to nearest even. */
export function castFloats(array: HostArray, dtype: CastDType | 'float64'): HostArray {
  const values = toNumbers(array);
  const data = new Uint8Array(values.length * DTYPE_SIZE[dtype]);
  const view = new DataView(data.buffer);
  values.forEach((x, i) => {
    if (dtype === 'float64') view.setFloat64(i * 8, x, true);
    else if (dtype === 'float32') view.setFloat32(i * 4, x, true);
    else view.setUint16(i * 2, dtype === 'float16' ? float32ToFloat16Bits(x) : float32ToBfloat16Bits(x), true);
  });
  return { dtype, shape: array.shape, data };
}

export const DEFAULT_TOLERANCE: Record<DType, { atol: number; rtol: number }> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-8, rtol: 1e-6 },
  float16: { atol: 2e-3, rtol: 2e-3 },
  bfloat16: { atol: 2e-2, rtol: 2e-2 },
  complex64: { atol: 1e-5, rtol: 1e-4 },
  bool: { atol: 0, rtol: 0 }, uint8: { atol: 0, rtol: 0 }, uint16: { atol: 0, rtol: 0 },
  uint32: { atol: 0, rtol: 0 }, uint64: { atol: 0, rtol: 0 }, int8: { atol: 0, rtol: 0 },
  int16: { atol: 0, rtol: 0 }, int32: { atol: 0, rtol: 0 }, int64: { atol: 0, rtol: 0 },
};

/**
 * Default tolerances for a model cast to another float dtype (convert's `dtype`) against
 * MLX running the original function: the rounding of weights and of every intermediate
 * result to the less precise of the two types dominates.
 */
export const CAST_TOLERANCE: Record<CastDType | 'float64', { atol: number; rtol: number }> = {
  float64: { atol: 1e-5, rtol: 1e-4 },
  float32: { atol: 1e-4, rtol: 1e-3 },
  float16: { atol: 1e-2, rtol: 1e-2 },
  bfloat16: { atol: 8e-2, rtol: 8e-2 },
};

const PRECISION: Array<CastDType | 'float64'> = ['bfloat16', 'float16', 'float32', 'float64'];

/** The cast tolerance of the less precise of a cast dtype and a float output's MLX dtype. */
export function castTolerance(cast: CastDType, reference: DType): { atol: number; rtol: number } {
  const rank = Math.min(PRECISION.indexOf(cast), PRECISION.indexOf(reference as CastDType));
  return CAST_TOLERANCE[PRECISION[rank]!];
}

export interface Difference {
  maxAbsError: number;
  maxRelError: number;
  /** Every element within atol + rtol * |expected| (NaN matches NaN, infinities match exactly). */
  pass: boolean;
}

export function compareArrays(actual: HostArray, expected: HostArray, atol: number, rtol: number): Difference {
  const sameShape = actual.shape.length === expected.shape.length &&
    actual.shape.every((d, i) => d === expected.shape[i]);
  if (!sameShape) return { maxAbsError: Infinity, maxRelError: Infinity, pass: false };
  const a = toNumbers(actual);
  const b = toNumbers(expected);
  let maxAbsError = 0;
  let maxRelError = 0;
  let pass = true;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) {
        pass = false;
        maxAbsError = Infinity;
      }
      continue;
    }
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (x !== y) {
        pass = false;
        maxAbsError = Infinity;
      }
      continue;
    }
    const abs = Math.abs(x - y);
    maxAbsError = Math.max(maxAbsError, abs);
    if (y !== 0) maxRelError = Math.max(maxRelError, abs / Math.abs(y));
    if (abs > atol + rtol * Math.abs(y)) pass = false;
  }
  return { maxAbsError, maxRelError, pass };
}
