// Quantized layers and the quantize() swap, as mlx.nn: packed uint32 `weight`, `scales`
// and (affine mode) `biases`, so MLX-quantized checkpoints load under the same names.
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Embedding, Linear } from './layers.js';
import { Module } from './module.js';

export type QuantizationMode = 'affine' | 'mxfp4' | 'mxfp8' | 'nvfp4';

export interface QuantizationOptions {
  groupSize?: number;
  bits?: number;
  mode?: QuantizationMode;
}

// mlx.nn's per-mode defaults (group size, bits) when none is given.
const MODE_DEFAULTS: Record<QuantizationMode, [number, number]> = {
  affine: [64, 4], mxfp4: [32, 4], nvfp4: [16, 4], mxfp8: [32, 8],
};

function resolve(options: QuantizationOptions): Required<QuantizationOptions> {
  const mode = options.mode ?? 'affine';
  const defaults = MODE_DEFAULTS[mode];
  if (!defaults) throw new MlxOnnxError('ERR_INVALID_ARGUMENT', `unknown quantization mode '${mode}' (affine, mxfp4, mxfp8, nvfp4)`);
  return { mode, groupSize: options.groupSize ?? defaults[0], bits: options.bits ?? defaults[1] };
}

/** Quantizes a float matrix: [packed weight, scales, biases or undefined]. */
function quantizeMatrix(w: MxArray, q: Required<QuantizationOptions>): [MxArray, MxArray, MxArray | undefined] {
  const [weight, scales, biases] = mx.quantize(w, q);
  return [weight!, scales!, biases];
}

export class QuantizedLinear extends Module {
  weight: MxArray;
  scales: MxArray;
  biases?: MxArray;
  bias?: MxArray;
  readonly groupSize: number;
  readonly bits: number;
  readonly mode: QuantizationMode;

  constructor(inputDims: number, outputDims: number, options: QuantizationOptions & { bias?: boolean } = {}) {
    super();
    const q = resolve(options);
    [this.groupSize, this.bits, this.mode] = [q.groupSize, q.bits, q.mode];
    const scale = Math.sqrt(1 / inputDims);
    [this.weight, this.scales, this.biases] = quantizeMatrix(
      mx.random.uniform([outputDims, inputDims], { low: -scale, high: scale }), q);
    if (options.bias ?? true) this.bias = mx.zeros([outputDims]);
  }

  /** A QuantizedLinear approximating `linear` (its bias is kept as is). */
  static fromLinear(linear: Linear, groupSize?: number, bits?: number, mode: QuantizationMode = 'affine'): QuantizedLinear {
    const [outputDims, inputDims] = linear.weight.shape as [number, number];
    const layer = new QuantizedLinear(inputDims, outputDims, { groupSize, bits, mode, bias: false });
    [layer.weight, layer.scales, layer.biases] = quantizeMatrix(linear.weight, layer.options());
    if (linear.bias) layer.bias = linear.bias;
    return layer;
  }

  forward(x: MxArray): MxArray {
    const y = mx.quantizedMatmul(x, this.weight, this.scales, this.biases ?? null, true, this.options());
    return this.bias ? mx.add(y, this.bias) : y;
  }

  options(): Required<QuantizationOptions> {
    return { groupSize: this.groupSize, bits: this.bits, mode: this.mode };
  }
}

export class QuantizedEmbedding extends Module {
  weight: MxArray;
  scales: MxArray;
  biases?: MxArray;
  readonly groupSize: number;
  readonly bits: number;
  readonly mode: QuantizationMode;

  constructor(count: number, dims: number, options: QuantizationOptions = {}) {
    super();
    const q = resolve(options);
    [this.groupSize, this.bits, this.mode] = [q.groupSize, q.bits, q.mode];
    [this.weight, this.scales, this.biases] = quantizeMatrix(mx.random.normal([count, dims], { scale: Math.sqrt(1 / dims) }), q);
  }

  static fromEmbedding(embedding: Embedding, groupSize?: number, bits?: number, mode: QuantizationMode = 'affine'): QuantizedEmbedding {
    const [count, dims] = embedding.weight.shape as [number, number];
    const layer = new QuantizedEmbedding(count, dims, { groupSize, bits, mode });
    [layer.weight, layer.scales, layer.biases] = quantizeMatrix(embedding.weight, layer.options());
    return layer;
  }

  /** Dequantizes only the rows of the given ids. */
  forward(ids: MxArray): MxArray {
    const rows = (a: MxArray) => mx.take(a, ids, 0);
    return mx.dequantize(rows(this.weight), rows(this.scales), this.biases ? rows(this.biases) : null, this.options());
  }

  /** The embedding matrix as an output projection (tied weights). */
  asLinear(x: MxArray): MxArray {
    return mx.quantizedMatmul(x, this.weight, this.scales, this.biases ?? null, true, this.options());
  }

  options(): Required<QuantizationOptions> {
    return { groupSize: this.groupSize, bits: this.bits, mode: this.mode };
  }
}

/** A layer other than Linear and Embedding that quantize() swaps, as mlx.nn's to_quantized. */
export interface Quantizable {
  toQuantized(options: Required<QuantizationOptions>): Module;
}

function quantizable(module: Module): module is Module & Quantizable {
  return typeof (module as Partial<Quantizable>).toQuantized === 'function';
}

/**
 * Which layers quantize() swaps: called with each Linear/Embedding (or Quantizable) and its dotted path;
 * false keeps it, true uses the defaults given to quantize(), options override them
 * (as mlx.nn.quantize's class_predicate, e.g. per-layer settings of a checkpoint).
 */
export type QuantizePredicate = (path: string, module: Module) => boolean | QuantizationOptions;

/**
 * Replaces, in place, every Linear by a QuantizedLinear, every Embedding by a
 * QuantizedEmbedding and every Quantizable by its quantized form in the module tree (fields and arrays of modules), as mlx.nn.quantize.
 * Returns the model. A layer that cannot be quantized (e.g. input dims not a multiple of
 * the group size) is an ERR_INVALID_ARGUMENT naming its path.
 */
export function quantize<M extends Module>(model: M, options: QuantizationOptions & { predicate?: QuantizePredicate } = {}): M {
  const { predicate = () => true, ...defaults } = options;
  const swap = (path: string, child: Module): Module => {
    if (!(child instanceof Linear || child instanceof Embedding || quantizable(child))) {
      walk(child, `${path}.`);
      return child;
    }
    const decision = predicate(path, child);
    if (decision === false) return child;
    const q = { ...defaults, ...(decision === true ? {} : decision) };
    try {
      if (child instanceof Linear) return QuantizedLinear.fromLinear(child, q.groupSize, q.bits, q.mode);
      if (child instanceof Embedding) return QuantizedEmbedding.fromEmbedding(child, q.groupSize, q.bits, q.mode);
      return child.toQuantized(resolve(q));
    } catch (error) {
      throw new MlxOnnxError('ERR_INVALID_ARGUMENT', `cannot quantize ${path}: ${(error as Error).message}`, { cause: error });
    }
  };
  const walk = (module: Module, prefix: string) => {
    const fields = module as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(fields)) {
      if (value instanceof Module) fields[key] = swap(prefix + key, value);
      else if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item instanceof Module) value[i] = swap(`${prefix}${key}.${i}`, item);
        });
      }
    }
  };
  walk(model, '');
  return model;
}
