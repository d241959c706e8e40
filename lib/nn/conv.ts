// Convolutions as mlx.nn.Conv1d/Conv2d: channels last (input [N, L, C] / [N, H, W, C]),
// weight [out, kernel, in/groups] / [out, kh, kw, in/groups], optional bias [out].
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Module } from './module.js';

type Pair = number | [number, number];

export interface ConvOptions<T> {
  stride?: T;
  padding?: T;
  dilation?: T;
  groups?: number;
  bias?: boolean;
}

function checkGroups(inChannels: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0) {
    throw new MlxOnnxError('ERR_INVALID_ARGUMENT',
      `the number of input channels (${inChannels}) must be divisible by the number of groups (${groups})`);
  }
}

const pair = (v: Pair): [number, number] => (Array.isArray(v) ? v : [v, v]);

export class Conv1d extends Module {
  weight: MxArray;
  bias?: MxArray;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: ConvOptions<number> = {}) {
    super();
    this.groups = options.groups ?? 1;
    checkGroups(inChannels, this.groups);
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    const scale = Math.sqrt(1 / ((inChannels / this.groups) * kernelSize));
    this.weight = mx.random.uniform([outChannels, kernelSize, inChannels / this.groups], { low: -scale, high: scale });
    if (options.bias ?? true) this.bias = mx.zeros([outChannels]);
  }

  forward(x: MxArray): MxArray {
    const y = mx.conv1d(x, this.weight, this.stride, this.padding, this.dilation, this.groups);
    return this.bias ? mx.add(y, this.bias) : y;
  }
}

export class Conv2d extends Module {
  weight: MxArray;
  bias?: MxArray;
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvOptions<Pair> = {}) {
    super();
    this.groups = options.groups ?? 1;
    checkGroups(inChannels, this.groups);
    this.stride = pair(options.stride ?? 1);
    this.padding = pair(options.padding ?? 0);
    this.dilation = pair(options.dilation ?? 1);
    const [kh, kw] = pair(kernelSize);
    const scale = Math.sqrt(1 / ((inChannels / this.groups) * kh * kw));
    this.weight = mx.random.uniform([outChannels, kh, kw, inChannels / this.groups], { low: -scale, high: scale });
    if (options.bias ?? true) this.bias = mx.zeros([outChannels]);
  }

  forward(x: MxArray): MxArray {
    const y = mx.conv2d(x, this.weight, this.stride, this.padding, this.dilation, this.groups);
    return this.bias ? mx.add(y, this.bias) : y;
  }
}
