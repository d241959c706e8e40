// Multi-head attention as mlx.nn.MultiHeadAttention: query_proj, key_proj, value_proj and
// out_proj Linears (no bias by default) around MLX's fused scaled_dot_product_attention.
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import type { DType } from '../types.js';
import { Linear } from './layers.js';
import { Module } from './module.js';

export interface MultiHeadAttentionOptions {
  queryInputDims?: number;
  keyInputDims?: number;
  /** Default: keyInputDims. */
  valueInputDims?: number;
  valueDims?: number;
  valueOutputDims?: number;
  bias?: boolean;
}

/** 'causal', or an array broadcastable to [batch, heads, queries, keys]: additive (float) or keep (bool). */
export type AttentionMask = 'causal' | MxArray;

// The most negative finite value of each float dtype (mx.finfo(dtype).min).
const FINFO_MIN: Partial<Record<DType, number>> = {
  float32: -3.4028234663852886e38, float16: -65504, bfloat16: -3.3895313892515355e38, float64: -Number.MAX_VALUE,
};

export class MultiHeadAttention extends Module {
  query_proj: Linear;
  key_proj: Linear;
  value_proj: Linear;
  out_proj: Linear;

  constructor(dims: number, readonly numHeads: number, options: MultiHeadAttentionOptions = {}) {
    super();
    if (dims % numHeads !== 0) {
      throw new MlxOnnxError('ERR_INVALID_ARGUMENT',
        `the feature dimensions should be divisible by the number of heads (${dims} % ${numHeads} != 0)`);
    }
    const keyInputDims = options.keyInputDims ?? dims;
    const valueDims = options.valueDims ?? dims;
    const bias = options.bias ?? false;
    this.query_proj = new Linear(options.queryInputDims ?? dims, dims, bias);
    this.key_proj = new Linear(keyInputDims, dims, bias);
    this.value_proj = new Linear(options.valueInputDims ?? keyInputDims, valueDims, bias);
    this.out_proj = new Linear(valueDims, options.valueOutputDims ?? dims, bias);
  }

  /** queries [batch, L, qdims], keys/values [batch, S, kdims/vdims] → [batch, L, valueOutputDims]. */
  forward(queries: MxArray, keys: MxArray, values: MxArray, mask?: AttentionMask): MxArray {
    const heads = (x: MxArray) => mx.unflatten(x, -1, [this.numHeads, -1]).transpose(0, 2, 1, 3);
    const q = heads(this.query_proj.forward(queries));
    const k = heads(this.key_proj.forward(keys));
    const v = heads(this.value_proj.forward(values));
    const scale = Math.sqrt(1 / q.shape.at(-1)!);
    const out = mx.fast.scaledDotProductAttention(q, k, v, scale, mask);
    return this.out_proj.forward(mx.flatten(out.transpose(0, 2, 1, 3), -2, -1));
  }

  /** [n, n]: 0 on and below the diagonal, the dtype's most negative value above it. */
  static createAdditiveCausalMask(n: number, dtype: DType = 'float32'): MxArray {
    const min = FINFO_MIN[dtype];
    if (min === undefined) throw new MlxOnnxError('ERR_INVALID_ARGUMENT', `an additive mask needs a float dtype, not ${dtype}`);
    const indices = mx.arange(n);
    const future = mx.less(mx.expandDims(indices, 1), mx.expandDims(indices, 0));
    return mx.multiply(future.astype(dtype), mx.scalar(min, dtype));
  }
}
