// The basic layers, with mlx.nn's parameter names, shapes and initialisation.
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Module } from './module.js';

export class Linear extends Module {
  weight: MxArray;
  bias?: MxArray;

  constructor(inputDims: number, outputDims: number, bias = true) {
    super();
    const scale = Math.sqrt(1 / inputDims);
    this.weight = mx.random.uniform([outputDims, inputDims], { low: -scale, high: scale });
    if (bias) this.bias = mx.random.uniform([outputDims], { low: -scale, high: scale });
  }

  forward(x: MxArray): MxArray {
    return this.bias ? mx.addmm(this.bias, x, this.weight.T) : mx.matmul(x, this.weight.T);
  }
}

export class Embedding extends Module {
  weight: MxArray;

  constructor(count: number, dims: number) {
    super();
    this.weight = mx.random.normal([count, dims], { scale: Math.sqrt(1 / dims) });
  }

  forward(ids: MxArray): MxArray {
    return mx.take(this.weight, ids, 0);
  }

  /** The embedding matrix as an output projection (tied weights). */
  asLinear(x: MxArray): MxArray {
    return mx.matmul(x, this.weight.T);
  }
}

export class RMSNorm extends Module {
  weight: MxArray;

  constructor(dims: number, readonly eps = 1e-5) {
    super();
    this.weight = mx.ones([dims]);
  }

  forward(x: MxArray): MxArray {
    return mx.fast.rmsNorm(x, this.weight, this.eps);
  }
}

export class LayerNorm extends Module {
  weight?: MxArray;
  bias?: MxArray;

  constructor(dims: number, readonly eps = 1e-5, affine = true, bias = true) {
    super();
    if (affine) {
      this.weight = mx.ones([dims]);
      if (bias) this.bias = mx.zeros([dims]);
    }
  }

  forward(x: MxArray): MxArray {
    return mx.fast.layerNorm(x, this.weight ?? null, this.bias ?? null, this.eps);
  }
}

// Activations
export const relu = (x: MxArray) => mx.maximum(x, 0);
export const silu = (x: MxArray) => mx.multiply(x, mx.sigmoid(x));
/** GELU with erf, as nn.gelu. */
export const gelu = (x: MxArray) => mx.multiply(mx.multiply(x, 0.5), mx.add(mx.erf(mx.multiply(x, Math.SQRT1_2)), 1));
/** GELU with tanh, as nn.gelu_approx (GPT-2's "gelu_new"). */
export const geluApprox = (x: MxArray) => {
  const inner = mx.multiply(mx.add(x, mx.multiply(mx.power(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mx.multiply(mx.multiply(x, 0.5), mx.add(mx.tanh(inner), 1));
};
