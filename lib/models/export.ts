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
import type { ConvertReport, DType, ExternalData, Target, TensorInfo, VerifyReport, WebCompatibility, WrittenFile } from '../types.js';
import { type KV, inShapelessTrace } from './decoder.js';
import type { LanguageModel } from './model.js';
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

// Sizes the trace is recorded at: distinct and above 1, so that no dimension that varies
// is mistaken for a broadcast or for a fixed size of the model.
const TRACE_BATCH = 2;
const TRACE_SEQUENCE = 3;
const TRACE_PAST = 5;

interface Signature {
  fn: (...inputs: MxArray[]) => MxArray[];
  specs: InputSpec[];
  inputNames: string[];
  outputNames: string[];
  dynamic: Record<string, Record<number, string>>;
  /** The output dims that follow the inputs' (for the report). */
  dynamicOutputs: Record<string, Record<number, string>>;
}

/** An input or output of the exported model; varying dims by name. */
export interface ExportedTensor {
  name: string;
  dtype: DType;
  shape: Array<number | string>;
}

function named(tensors: TensorInfo[], dims: Record<string, Record<number, string>>): ExportedTensor[] {
  return tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape.map((d, axis) => dims[t.name]?.[axis] ?? d) }));
}

function decoderSignature(model: Extract<LanguageModel, { kind: 'causal-lm' }>, kvCache: boolean, dtype: DType): Signature {
  const names = Array.from({ length: model.numLayers }, (_, i) => [`${i}.key`, `${i}.value`]).flat();
  const tokens = { 0: 'batch_size', 1: 'sequence_length' };
  const past = TRACE_PAST * Number(kvCache);
  const fn = (inputIds: MxArray, attentionMask: MxArray, positionIds: MxArray, ...cache: MxArray[]) => {
    const pairs: KV[] | undefined = kvCache
      ? Array.from({ length: model.numLayers }, (_, i) => ({ key: cache[2 * i]!, value: cache[2 * i + 1]! }))
      : undefined;
    const { logits, present } = model.step({ inputIds, attentionMask, positionIds, past: pairs });
    return kvCache ? [logits, ...present.flatMap((kv) => [kv.key, kv.value])] : [logits];
  };
  const cacheShape = [TRACE_BATCH, model.numKvHeads, TRACE_PAST, model.headDim];
  return {
    fn: fn as Signature['fn'],
    specs: [
      { shape: [TRACE_BATCH, TRACE_SEQUENCE], dtype: 'int64' },
      { shape: [TRACE_BATCH, past + TRACE_SEQUENCE], dtype: 'int64' },
      { shape: [TRACE_BATCH, TRACE_SEQUENCE], dtype: 'int64' },
      ...(kvCache ? names.map(() => ({ shape: cacheShape, dtype })) : []),
    ],
    inputNames: ['input_ids', 'attention_mask', 'position_ids', ...(kvCache ? names.map((n) => `past_key_values.${n}`) : [])],
    outputNames: ['logits', ...(kvCache ? names.map((n) => `present.${n}`) : [])],
    dynamic: {
      input_ids: tokens,
      attention_mask: { 0: 'batch_size', 1: kvCache ? 'total_sequence_length' : 'sequence_length' },
      position_ids: tokens,
      ...Object.fromEntries(kvCache ? names.map((n) => [`past_key_values.${n}`, { 0: 'batch_size', 2: 'past_sequence_length' }]) : []),
    },
    dynamicOutputs: {
      logits: tokens,
      ...Object.fromEntries(kvCache ? names.map((n) => [`present.${n}`, { 0: 'batch_size', 2: 'total_sequence_length' }]) : []),
    },
  };
}

function encoderSignature(model: Extract<LanguageModel, { kind: 'encoder' }>): Signature {
  const tokens = { 0: 'batch_size', 1: 'sequence_length' };
  const spec = { shape: [TRACE_BATCH, TRACE_SEQUENCE], dtype: 'int64' as const };
  return {
    fn: (inputIds, attentionMask, tokenTypeIds) => [model.encode({ inputIds: inputIds!, attentionMask: attentionMask!, tokenTypeIds: tokenTypeIds! })],
    specs: [spec, spec, spec],
    inputNames: ['input_ids', 'attention_mask', 'token_type_ids'],
    outputNames: ['last_hidden_state'],
    dynamic: { input_ids: tokens, attention_mask: tokens, token_type_ids: tokens },
    dynamicOutputs: { last_hidden_state: tokens },
  };
}

const FLOAT_DTYPES = new Set<DType>(['float16', 'float32', 'bfloat16', 'float64']);

/** Casts the model's float parameters to dtype; returns the originals to restore. */
function castParameters(model: LanguageModel, dtype: DType): Record<string, MxArray> | undefined {
  const original = model.parameters();
  const changed = Object.entries(original).filter(([, a]) => FLOAT_DTYPES.has(a.dtype) && a.dtype !== dtype);
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

/** model.exportOnnx(outDir, options): see ExportOptions. */
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
    const signature = model.kind === 'causal-lm' ? decoderSignature(model, kvCache, dtype) : encoderSignature(model);
    // The MLX export of the step, then the same conversion as any .mlxfn file.
    const mlxfn = path.join(temp, 'step.mlxfn');
    inShapelessTrace(() => trace(signature.fn, signature.specs, { shapeless: true }).toMlxfn(mlxfn));
    const converted: ConvertReport = await convert(mlxfn, onnx, {
      target: options.target,
      opset: options.opset ?? (options.target === 'web' ? undefined : FUSED_OPSET),
      externalData: options.externalData,
      inputNames: signature.inputNames,
      outputNames: signature.outputNames,
      dynamic: signature.dynamic,
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
      inputs: named(converted.inputs, signature.dynamic),
      outputs: named(converted.outputs, signature.dynamicOutputs),
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
