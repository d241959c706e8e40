// Mixture-of-experts MLPs as mlx-lm's sparse blocks: a router picks each token's top k
// experts and weighs their SwiGLU outputs. Written so that a step gathers only the chosen
// experts' weights (one Gather per projection) and multiplies only those: nothing is computed
// for the other experts. Quantized experts gather their packed words and dequantize only
// those. Parameter names are mlx-lm's (gate, switch_mlp.{gate,up,down}_proj with weights
// [experts, out, in], and scales and biases when quantized).
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Linear, silu } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import type { QuantizationOptions } from '../nn/quantized.js';
import { groupedWords, project, unpackable, unpackGroups } from './decoder.js';
import type { Projection } from './model.js';

export interface MoeArgs {
  experts: number;
  /** Experts per token. */
  topK: number;
  /** Each expert's hidden size. */
  hiddenSize: number;
  /**
   * 'top-k, softmax' (Mixtral: softmax over the chosen experts' logits) or 'softmax, top-k'
   * (Qwen MoE: the chosen experts' probabilities, renormalized to sum 1 when `normalize`).
   */
  routing: 'top-k, softmax' | 'softmax, top-k';
  normalize: boolean;
  /** Qwen2-MoE: the hidden size of a shared expert every token also runs, gated by sigmoid. */
  sharedExpertSize?: number;
  /** GPT-OSS: biases on the router and on every expert projection. */
  bias?: boolean;
  /**
   * How an expert combines gate and up: silu(gate)·up (default), or GPT-OSS's
   * (clip(up, ±7) + 1)·g·sigmoid(1.702·g) with g = min(gate, 7).
   */
  activation?: 'swiglu' | 'swiglu-oai';
}

function swigluOai(gate: MxArray, up: MxArray): MxArray {
  const g = mx.minimum(gate, 7);
  const clipped = mx.minimum(mx.maximum(up, -7), 7);
  return mx.multiply(mx.add(clipped, 1), mx.multiply(g, mx.sigmoid(mx.multiply(g, 1.702))));
}

/** A dense MLP (the shared expert). */
interface Mlp {
  forward(x: MxArray): MxArray;
}

/** One projection per expert, stacked as weight [experts, out, in] (mlx-lm's SwitchLinear). */
class SwitchLinear extends Module {
  weight: MxArray;
  bias?: MxArray;

  constructor(inputDims: number, outputDims: number, experts: number, bias: boolean) {
    super();
    this.weight = mx.zeros([experts, outputDims, inputDims]);
    if (bias) this.bias = mx.zeros([experts, outputDims]);
  }

  /** x [..., 1 or k, in, 1] times the chosen experts' weights ([..., k] indices): [..., k, out, 1]. */
  forward(x: MxArray, indices: MxArray): MxArray {
    return withBias(mx.matmul(mx.take(this.weight, indices, 0), x), this.bias, indices);
  }

  toQuantized(options: Required<QuantizationOptions>): QuantizedSwitchLinear {
    const [experts, outputDims, inputDims] = this.weight.shape as [number, number, number];
    const layer = new QuantizedSwitchLinear(inputDims, outputDims, experts, options);
    layer.bias = this.bias;
    return layer;
  }
}

/** y [..., k, out, 1] plus the chosen experts' biases, if any. */
function withBias(y: MxArray, bias: MxArray | undefined, indices: MxArray): MxArray {
  return bias ? mx.add(y, mx.expandDims(mx.take(bias, indices, 0), -1)) : y;
}

/** SwitchLinear with quantized experts, affine or MXFP4 (mlx-lm's QuantizedSwitchLinear). */
class QuantizedSwitchLinear extends Module {
  weight: MxArray;
  scales: MxArray;
  biases?: MxArray;
  bias?: MxArray;

  constructor(inputDims: number, outputDims: number, experts: number, private readonly options: Required<QuantizationOptions>) {
    super();
    const { groupSize, bits } = options;
    if (!unpackable(options) || inputDims % groupSize !== 0) {
      throw new MlxOnnxError('ERR_INVALID_INPUT', `quantized experts need affine codes of 1, 2, 4 or 8 bits, or MXFP4, in groups dividing ${inputDims} (got ${options.mode}, ${bits} bits, groups of ${groupSize})`);
    }
    this.weight = mx.zeros([experts, outputDims, (inputDims * bits) / 32], 'uint32');
    const groups = [experts, outputDims, inputDims / groupSize];
    if (options.mode === 'affine') {
      this.scales = mx.zeros(groups);
      this.biases = mx.zeros(groups);
    } else {
      this.scales = mx.zeros(groups, 'uint8');
    }
  }

  /** SwitchLinear.forward with the chosen experts' packed words gathered, then dequantized. */
  forward(x: MxArray, indices: MxArray): MxArray {
    const chosen = (a: MxArray) => mx.take(a, indices, 0);
    const biases = this.biases && chosen(this.biases);
    const weight = unpackGroups(groupedWords(chosen(this.weight), this.options), chosen(this.scales), biases, this.options, x.dtype);
    return withBias(mx.matmul(weight, x), this.bias, indices);
  }
}

/** SwiGLU experts (mlx-lm's SwitchGLU). */
class SwitchGLU extends Module {
  gate_proj: SwitchLinear | QuantizedSwitchLinear;
  up_proj: SwitchLinear | QuantizedSwitchLinear;
  down_proj: SwitchLinear | QuantizedSwitchLinear;

  constructor(dims: number, hidden: number, experts: number, bias: boolean, private readonly activation: MoeArgs['activation']) {
    super();
    this.gate_proj = new SwitchLinear(dims, hidden, experts, bias);
    this.up_proj = new SwitchLinear(dims, hidden, experts, bias);
    this.down_proj = new SwitchLinear(hidden, dims, experts, bias);
  }

  /** x [batch, sequence, dims], indices [batch, sequence, k] → [batch, sequence, k, dims]. */
  forward(x: MxArray, indices: MxArray): MxArray {
    const column = mx.expandDims(x, [2, 4]);
    const [gate, up] = [this.gate_proj.forward(column, indices), this.up_proj.forward(column, indices)];
    const hidden = this.activation === 'swiglu-oai' ? swigluOai(gate, up) : mx.multiply(silu(gate), up);
    return mx.flatten(this.down_proj.forward(hidden, indices), -2, -1);
  }
}

/**
 * The router and its experts (and a shared expert): mlx-lm's MixtralSparseMoeBlock,
 * Qwen2MoeSparseMoeBlock and Qwen3MoeSparseMoeBlock.
 */
export class SparseMoe extends Module {
  gate: Projection;
  switch_mlp: SwitchGLU;
  shared_expert?: Mlp & Module;
  shared_expert_gate?: Projection;

  /** `shared`: the shared expert, when args.sharedExpertSize asks for one. */
  constructor(dims: number, private readonly args: MoeArgs, shared?: Mlp & Module) {
    super();
    this.gate = new Linear(dims, args.experts, args.bias ?? false);
    this.switch_mlp = new SwitchGLU(dims, args.hiddenSize, args.experts, args.bias ?? false, args.activation);
    if (shared) {
      this.shared_expert = shared;
      this.shared_expert_gate = new Linear(dims, 1, false);
    }
  }

  forward(x: MxArray): MxArray {
    const { experts, topK, routing, normalize } = this.args;
    const logits = project(this.gate, x);
    let indices: MxArray;
    let scores: MxArray;
    if (routing === 'top-k, softmax') {
      // The k largest come first; a split (not a slice) follows any number of tokens.
      indices = mx.split(mx.argpartition(mx.negative(logits), topK - 1, -1), [topK], -1)[0]!;
      scores = mx.softmax(mx.takeAlongAxis(logits, indices, -1), -1, true);
    } else {
      const probabilities = mx.softmax(logits, -1, true);
      indices = mx.split(mx.argpartition(probabilities, experts - topK, -1), [experts - topK], -1)[1]!;
      scores = mx.takeAlongAxis(probabilities, indices, -1);
      if (normalize) scores = mx.divide(scores, mx.sum(scores, -1, true));
    }
    const outputs = this.switch_mlp.forward(x, mx.stopGradient(indices));
    const routed = mx.sum(mx.multiply(outputs, mx.expandDims(scores, -1)), -2);
    if (!this.shared_expert || !this.shared_expert_gate) return routed;
    const shared = mx.multiply(mx.sigmoid(project(this.shared_expert_gate, x)), this.shared_expert.forward(x));
    return mx.add(routed, shared);
  }
}

/**
 * Hugging Face checkpoints keep one tensor per expert (`<block>.experts.N.<name>.weight`,
 * and its scales and biases when quantized); mlx-lm stacks them into
 * `<block>.switch_mlp.<projection>.*`. `names` maps each expert tensor name to its projection.
 */
export function stackExperts(weights: Record<string, MxArray>, layers: number, block: string, experts: number,
  names: Record<string, string>): Record<string, MxArray> {
  const out = { ...weights };
  for (let l = 0; l < layers; l++) {
    const prefix = `model.layers.${l}.${block}`;
    for (const [name, projection] of Object.entries(names)) {
      for (const part of ['weight', 'scales', 'biases']) {
        const keys = Array.from({ length: experts }, (_, e) => `${prefix}.experts.${e}.${name}.${part}`);
        if (!keys.every((k) => out[k])) continue;
        out[`${prefix}.switch_mlp.${projection}.${part}`] = mx.stack(keys.map((k) => out[k]!));
        for (const k of keys) delete out[k];
      }
    }
  }
  return out;
}
