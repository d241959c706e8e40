// Rotary positional encoding as mlx.nn.RoPE (no parameters): MLX's fused fast.rope.
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Module } from './module.js';

export interface RoPEOptions {
  /** Rotate consecutive pairs (GPT-J style) instead of the two halves. Default false. */
  traditional?: boolean;
  /** Base of the angular frequencies. Default 10000. */
  base?: number;
  /** Scale applied to the positions. Default 1. */
  scale?: number;
}

export class RoPE extends Module {
  readonly traditional: boolean;
  readonly base: number;
  readonly scale: number;

  /** dims: the leading feature dimensions rotated; the rest pass through unchanged. */
  constructor(readonly dims: number, options: RoPEOptions = {}) {
    super();
    this.traditional = options.traditional ?? false;
    this.base = options.base ?? 10000;
    this.scale = options.scale ?? 1;
  }

  /** x: [..., sequence, features]; offset: the position of the first step (a number or an array, one per batch entry). */
  forward(x: MxArray, offset: number | MxArray = 0): MxArray {
    return mx.fast.rope(x, this.dims, { traditional: this.traditional, base: this.base, scale: this.scale, offset });
  }
}
