// The MLX array type as JavaScript sees it: the addon's wrapped object, with methods in
// MLX Python's style added here (a.reshape(...), a.T, a.astype(...), a.toTypedArray()).
import { invalidArgument } from '../errors.js';
import { native } from '../native.js';
import { toNumbers } from '../tensors.js';
import type { DType } from '../types.js';

/** An MLX array. Lazy: nothing is computed until eval(), item() or toTypedArray(). */
export interface MxArray {
  readonly shape: number[];
  readonly dtype: DType;
  readonly ndim: number;
  readonly size: number;
  /** The transpose (all axes reversed). */
  readonly T: MxArray;
  /** Frees the array now instead of at garbage collection. */
  dispose(): void;
  /** Evaluates and copies out the row-major bytes. */
  bytes(): Uint8Array;
  /** Evaluates and copies out the values as the matching typed array. */
  toTypedArray(): TypedArray;
  /** The single value of a one-element array. */
  item(): number;
  reshape(...shape: number[]): MxArray;
  transpose(...axes: number[]): MxArray;
  astype(dtype: DType): MxArray;
}

export type TypedArray =
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | Int8Array | Int16Array | Int32Array
  | BigInt64Array | Float32Array | Float64Array;

interface NativeMx {
  MxArray: { prototype: object };
  op(name: string, arrays: Array<MxArray | null | undefined>, params: Record<string, unknown>): MxArray | MxArray[];
  ops(): string[];
  fromBytes(data: ArrayBufferView, shape: number[], dtype: DType): MxArray;
  eval(arrays: MxArray[]): void;
  loadSafetensors(path: string): { tensors: Record<string, MxArray>; metadata: Record<string, string> };
  saveSafetensors(path: string, tensors: Record<string, MxArray>, metadata: Record<string, string>): void;
  exportFunction(path: string, fn: (...args: MxArray[]) => MxArray | MxArray[], inputs: MxArray[], shapeless: boolean): void;
  seed(seed: number): void;
}

let installed: NativeMx | undefined;

/** True for an mx array (the addon's wrapped object). */
export function isArray(value: unknown): value is MxArray {
  return typeof value === 'object' && value !== null && value instanceof (mxNative().MxArray as unknown as new () => object);
}

/** The addon's mx functions, with the array methods installed once. */
export function mxNative(): NativeMx {
  if (installed) return installed;
  const mx = (native() as unknown as { mx: NativeMx }).mx;
  const proto = mx.MxArray.prototype as Record<string, unknown>;
  const call = (name: string, arrays: MxArray[], params: Record<string, unknown> = {}) => mx.op(name, arrays, params) as MxArray;
  Object.defineProperties(proto, {
    ndim: { get(this: MxArray) { return this.shape.length; } },
    size: { get(this: MxArray) { return this.shape.reduce((a, b) => a * b, 1); } },
    T: { get(this: MxArray) { return call('transpose', [this]); } },
  });
  Object.assign(proto, {
    toTypedArray(this: MxArray): TypedArray {
      return typedView(this.dtype, this.bytes());
    },
    item(this: MxArray): number {
      if (this.size !== 1) throw invalidArgument(`item() needs a one-element array, not shape [${this.shape}]`);
      return toNumbers({ dtype: this.dtype, shape: this.shape, data: this.bytes() })[0]!;
    },
    reshape(this: MxArray, ...shape: number[]) {
      return call('reshape', [this], { shape });
    },
    transpose(this: MxArray, ...axes: number[]) {
      return call('transpose', [this], axes.length ? { axes } : {});
    },
    astype(this: MxArray, dtype: DType) {
      return call('astype', [this], { dtype });
    },
  });
  installed = mx;
  return mx;
}

/** The bytes of an array as the typed array of its dtype (half floats as raw Uint16Array). */
export function typedView(dtype: DType, bytes: Uint8Array): TypedArray {
  const buffer = bytes.byteOffset % 8 === 0 ? bytes.buffer : bytes.slice().buffer;
  const offset = bytes.byteOffset % 8 === 0 ? bytes.byteOffset : 0;
  const n = (size: number) => bytes.byteLength / size;
  switch (dtype) {
    case 'bool': case 'uint8': return new Uint8Array(buffer, offset, n(1));
    case 'int8': return new Int8Array(buffer, offset, n(1));
    case 'uint16': case 'float16': case 'bfloat16': return new Uint16Array(buffer, offset, n(2));
    case 'int16': return new Int16Array(buffer, offset, n(2));
    case 'uint32': return new Uint32Array(buffer, offset, n(4));
    case 'int32': return new Int32Array(buffer, offset, n(4));
    case 'float32': return new Float32Array(buffer, offset, n(4));
    case 'uint64': return new BigUint64Array(buffer, offset, n(8));
    case 'int64': return new BigInt64Array(buffer, offset, n(8));
    case 'float64': return new Float64Array(buffer, offset, n(8));
    case 'complex64': throw invalidArgument('complex64 arrays have no typed array view');
  }
}
