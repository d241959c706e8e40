// Capturing a TypeScript function of mx arrays as an MLX graph: written as an .mlxfn file
// by MLX's own exporter (MLX Python's mx.import_function loads it), or converted to ONNX
// with the same pipeline as any .mlxfn file.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convert } from '../api.js';
import { asMlxOnnxError } from '../errors.js';
import type { ConvertOptions, ConvertReport, DType } from '../types.js';
import { type MxArray, mxNative } from './array.js';
import { zeros } from './ops.js';

export type TracedFn = (...inputs: MxArray[]) => MxArray | MxArray[];

/** An example input: an array, or just its shape and dtype (zeros are traced). */
export type InputSpec = MxArray | { shape: number[]; dtype?: DType };

export interface TraceOptions {
  /** Record a function that runs at any input size of the same rank (MLX's shapeless export). */
  shapeless?: boolean;
}

export interface Traced {
  /** Writes the MLX export (.mlxfn). */
  toMlxfn(file: string): void;
  /** Converts to ONNX (see convert()); the intermediate .mlxfn is removed. */
  toOnnx(file: string, options?: ConvertOptions): Promise<ConvertReport>;
}

export function trace(fn: TracedFn, inputs: InputSpec[], options: TraceOptions = {}): Traced {
  const examples = inputs.map((i) => ('bytes' in i ? i : zeros(i.shape, i.dtype ?? 'float32')));
  const toMlxfn = (file: string) => {
    try {
      mxNative().exportFunction(path.resolve(file), fn, examples, options.shapeless ?? false);
    } catch (error) {
      throw asMlxOnnxError(error);
    }
  };
  return {
    toMlxfn,
    async toOnnx(file, convertOptions = {}) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-trace-'));
      try {
        const mlxfn = path.join(dir, 'traced.mlxfn');
        toMlxfn(mlxfn);
        return await convert(mlxfn, file, convertOptions);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
