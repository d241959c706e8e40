// The compiled addon, found by node-gyp-build: build/Release (a source build) first, then
// prebuilds/<platform>-<arch>/.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlxOnnxError } from './errors.js';
import type { FileInfo, HostArray, OpCoverage, TraceInfo, WrittenFile } from './types.js';

export interface NativeConvertOptions {
  trace?: number;
  opset?: number;
  target?: string;
  externalData?: string;
  externalDataThreshold?: number;
  durable?: boolean;
  recoverShapes?: boolean;
  mergeTraces?: boolean;
  dtype?: string;
  /** With dtype: inputs and outputs keep their dtypes (casts at the boundary). */
  keepInterfaceDtypes?: boolean;
  inputNames?: string[];
  outputNames?: string[];
  dynamicDims?: Array<{ input: string; axis: number; name: string }>;
  abortFlag?: Int32Array;
  producerVersion?: string;
}

export interface NativeConvertResult extends TraceInfo {
  nodeCount: number;
  mergedTraces?: number;
  onnxOpHistogram: Record<string, number>;
  warnings: string[];
  files: WrittenFile[];
  timings: { readMs: number; lowerMs: number; writeMs: number };
}

export interface NativeAddon {
  inspect(path: string): Promise<Omit<FileInfo, 'path'>>;
  convert(input: string, output: string, options: NativeConvertOptions): Promise<NativeConvertResult>;
  evaluate(path: string, positional: HostArray[], keyword: Record<string, HostArray>): Promise<HostArray[]>;
  ops(): OpCoverage[];
  versions(): { mlx: string; defaultOpset: number; minOpset: number; maxOpset: number };
}

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    // MLX_ONNX_ADDON names a specific build of the addon (development).
    const override = process.env.MLX_ONNX_ADDON;
    addon = (override ? require(path.resolve(override)) : require('node-gyp-build')(PACKAGE_ROOT)) as NativeAddon;
  } catch (error) {
    throw new MlxOnnxError(
      'ERR_NATIVE_LOAD',
      `the mlx-onnx native addon could not be loaded (${(error as Error).message}). ` +
        'Build it from source with `npm run build:native` (needs CMake, a C++20 compiler and MLX 0.32).',
      { cause: error },
    );
  }
  return addon;
}
