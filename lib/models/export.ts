// ONNX export of a zoo model: its step function traced shapeless by MLX and converted with
// named symbolic dims, in the input/output layout transformers.js and Optimum use:
// input_ids, attention_mask, position_ids, past_key_values.N.key/.value → logits,
// present.N.key/.value (decoders); input_ids, attention_mask, token_type_ids →
// last_hidden_state (encoders). The source folder's config and tokenizer files go along.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convert, throwIfFailed } from '../api.js';
import { MlxOnnxError, invalidArgument } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { type InputSpec, trace } from '../mx/trace.js';
import { isFloat } from '../tensors.js';
import type { ConvertReport, DType, ExternalData, Target, TensorInfo, VerifyReport, WebCompatibility, WrittenFile } from '../types.js';
import type { LanguageModel, TensorSpec } from './model.js';
import { verifyExport } from './verify.js';

export type ExportStage = 'export' | 'copy' | 'verify';

export interface ExportOptions {
  /** Decoders: inputs and outputs for a key/value cache (default true). Ignored for encoders. */
  kvCache?: boolean;
  /** Weights and activations in this dtype (default float32). */
  dtype?: 'float32' | 'float16';
  /** 'standard' (default), 'ort' (ONNX Runtime contrib operators) or 'web' (checked against onnxruntime-web), as convert(). */
  target?: Target;
  /**
   * ONNX opset. Default 23 for the 'standard' and 'ort' targets (attention, rotary embedding
   * and RMSNorm as single operators; ONNX Runtime 1.23 or later), and convert()'s default
   * for 'web' (onnxruntime-web's WebGPU kernels stop before opset 23).
   */
  opset?: number;
  externalData?: ExternalData;
  /** Run the model in MLX and the ONNX file in ONNX Runtime on the same tokens and compare. */
  verify?: boolean | { atol?: number; rtol?: number };
  /** Stops the conversion (ERR_ABORTED), as convert()'s signal. */
  signal?: AbortSignal;
  /** Called as each stage ends (for progress bars). */
  onStage?: (stage: ExportStage) => void;
}

export interface ExportReport {
  modelType: string;
  kind: LanguageModel['kind'];
  outDir: string;
  /** outDir/model.onnx */
  onnx: string;
  dtype: 'float32' | 'float16';
  kvCache: boolean;
  inputs: ExportedTensor[];
  outputs: ExportedTensor[];
  nodeCount: number;
  onnxOpHistogram: Record<string, number>;
  /** As ConvertReport's. */
  warnings: string[];
  /** The ONNX file (and its external data), then the files copied from the model folder. */
  files: WrittenFile[];
  timings: { exportMs: number; copyMs: number; verifyMs?: number; totalMs: number };
  verify?: VerifyReport;
  /** With target 'web': where onnxruntime-web runs the model's operators. */
  webCompatibility?: WebCompatibility;
}

/** The first opset with Attention, RotaryEmbedding and RMSNormalization. */
const FUSED_OPSET = 23;

/** Files of a model folder that runtimes read next to the ONNX model. */
export const COMPANION_FILES = [
  'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'tokenizer.model',
  'special_tokens_map.json', 'added_tokens.json', 'vocab.json', 'vocab.txt', 'merges.txt', 'chat_template.jinja',
  'chat_template.json', 'preprocessor_config.json',
];

// Sizes the trace is recorded at, by symbolic dim: distinct and above 1, so that no dimension
// that varies is mistaken for a broadcast or for a fixed size of the model.
const TRACE_SIZES: Record<string, number> = {
  batch_size: 2, sequence_length: 3, past_sequence_length: 5, total_sequence_length: 8,
};

/** An input or output of the exported model; varying dims by name. */
export interface ExportedTensor {
  name: string;
  dtype: DType;
  shape: Array<number | string>;
}

/** For each tensor, its symbolic dims by axis (convert()'s `dynamic`). */
function symbolicDims(tensors: TensorSpec[]): Record<string, Record<number, string>> {
  return Object.fromEntries(tensors.map((t) => [t.name,
    Object.fromEntries(t.dims.flatMap((d, axis) => (typeof d === 'string' ? [[axis, d]] : [])))]));
}

/** The trace's input specs: each symbolic dim at its trace size. */
function traceSpecs(inputs: TensorSpec[]): InputSpec[] {
  return inputs.map((t) => ({
    dtype: t.dtype,
    shape: t.dims.map((d) => {
      if (typeof d === 'number') return d;
      const size = TRACE_SIZES[d];
      if (size === undefined) throw new MlxOnnxError('ERR_INTERNAL', `no trace size for dim '${d}' of ${t.name}`);
      return size;
    }),
  }));
}

function named(tensors: TensorInfo[], dims: Record<string, Record<number, string>>): ExportedTensor[] {
  return tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape.map((d, axis) => dims[t.name]?.[axis] ?? d) }));
}

/** Casts the model's float parameters to dtype; returns the originals to restore. */
function castParameters(model: LanguageModel, dtype: DType): Record<string, MxArray> | undefined {
  const original = model.parameters();
  const changed = Object.entries(original).filter(([, a]) => isFloat(a.dtype) && a.dtype !== dtype);
  if (changed.length === 0) return undefined;
  const cast = Object.fromEntries(changed.map(([name, a]) => [name, mx.astype(a, dtype)]));
  mx.eval(...Object.values(cast));
  model.loadWeights(cast, { strict: false });
  return Object.fromEntries(changed.map(([name]) => [name, original[name]!]));
}

function copyCompanions(sourceDir: string | undefined, outDir: string): WrittenFile[] {
  if (!sourceDir) return [];
  const copied: WrittenFile[] = [];
  for (const name of COMPANION_FILES) {
    const from = path.join(sourceDir, name);
    if (!existsSync(from)) continue;
    const to = path.join(outDir, name);
    if (path.resolve(from) !== path.resolve(to)) copyFileSync(from, to);
    copied.push({ path: to, bytes: statSync(to).size });
  }
  return copied;
}

/** Writes outDir/model.onnx for the model (see ExportOptions) and copies the tokenizer and config files of its source folder. */
export async function exportModel(model: LanguageModel, outDir: string, options: ExportOptions = {}): Promise<ExportReport> {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') throw invalidArgument(`dtype must be float32 or float16, not '${dtype}'`);
  const kvCache = model.kind === 'causal-lm' && (options.kvCache ?? true);
  const start = performance.now();
  const dir = path.resolve(outDir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new MlxOnnxError('ERR_IO', `cannot create ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const onnx = path.join(dir, 'model.onnx');
  const restore = castParameters(model, dtype);
  const temp = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-export-'));
  try {
    const signature = model.kind === 'causal-lm' ? model.signature({ kvCache, dtype }) : model.signature({ dtype });
    // The MLX export of the step, then the same conversion as any .mlxfn file.
    const mlxfn = path.join(temp, 'step.mlxfn');
    const run = (...inputs: MxArray[]) => signature.run(inputs, { shapeless: true });
    trace(run, traceSpecs(signature.inputs), { shapeless: true }).toMlxfn(mlxfn);
    const converted: ConvertReport = await convert(mlxfn, onnx, {
      target: options.target,
      opset: options.opset ?? (options.target === 'web' ? undefined : FUSED_OPSET),
      externalData: options.externalData,
      inputNames: signature.inputs.map((t) => t.name),
      outputNames: signature.outputs.map((t) => t.name),
      dynamic: symbolicDims(signature.inputs),
      signal: options.signal,
    });
    const exportMs = performance.now() - start;
    options.onStage?.('export');
    const copyStart = performance.now();
    const files = [...converted.files, ...copyCompanions(model.sourceDir, dir)];
    const copyMs = performance.now() - copyStart;
    options.onStage?.('copy');
    const report: ExportReport = {
      modelType: model.modelType,
      kind: model.kind,
      outDir: dir,
      onnx,
      dtype,
      kvCache,
      inputs: named(converted.inputs, symbolicDims(signature.inputs)),
      outputs: named(converted.outputs, symbolicDims(signature.outputs)),
      nodeCount: converted.nodeCount,
      onnxOpHistogram: converted.onnxOpHistogram,
      warnings: converted.warnings,
      files,
      timings: { exportMs, copyMs, totalMs: 0 },
      ...(converted.webCompatibility ? { webCompatibility: converted.webCompatibility } : {}),
    };
    if (options.verify) {
      const verifyStart = performance.now();
      const tolerance = options.verify === true ? {} : options.verify;
      report.verify = await verifyExport(model, onnx, { kvCache, ...tolerance });
      report.timings.verifyMs = performance.now() - verifyStart;
      options.onStage?.('verify');
    }
    report.timings.totalMs = performance.now() - start;
    if (report.verify) throwIfFailed(report.verify, report);
    return report;
  } finally {
    rmSync(temp, { recursive: true, force: true });
    if (restore) model.loadWeights(restore, { strict: false });
  }
}
