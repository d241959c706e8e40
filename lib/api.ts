// The public API: inspect an .mlxfn file, convert one of its traces to ONNX (and
// optionally verify it), list the MLX primitives and their coverage.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MlxOnnxError, asMlxOnnxError, invalidArgument } from './errors.js';
import { type NativeConvertOptions, PACKAGE_ROOT, native } from './native.js';
import type { ConvertOptions, ConvertReport, FileInfo, OpCoverage, VerifyOptions, VerifyReport } from './types.js';
import { castsInterfaceToBfloat16, verifyConversion } from './verify.js';
import { webCompatibility } from './web/compat.js';

const PACKAGE_VERSION: string = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(`${what} must be a non-empty string`);
  return value;
}

/** Reads an .mlxfn file: the MLX version that wrote it, and each trace's inputs, outputs and primitives. */
export async function inspect(file: string): Promise<FileInfo> {
  const resolved = path.resolve(requireString(file, 'path'));
  try {
    return { path: resolved, ...(await native().inspect(resolved)) };
  } catch (error) {
    throw asMlxOnnxError(error);
  }
}

const CAST_DTYPES: readonly unknown[] = ['float16', 'bfloat16', 'float32'];

function checkOptions(options: ConvertOptions): void {
  const { trace, opset, externalData, externalDataThreshold } = options;
  if (trace !== undefined && (!Number.isInteger(trace) || trace < 0)) throw invalidArgument('trace must be a non-negative integer');
  if (opset !== undefined && !Number.isInteger(opset)) throw invalidArgument('opset must be an integer');
  if (options.target !== undefined && !['standard', 'ort', 'web'].includes(options.target)) {
    throw invalidArgument(`target must be 'standard', 'ort' or 'web', not '${String(options.target)}'`);
  }
  if (externalData !== undefined && !['auto', 'always', 'never'].includes(externalData)) {
    throw invalidArgument(`externalData must be 'auto', 'always' or 'never', not '${String(externalData)}'`);
  }
  if (externalDataThreshold !== undefined && (!Number.isInteger(externalDataThreshold) || externalDataThreshold < 0)) {
    throw invalidArgument('externalDataThreshold must be a non-negative integer');
  }
  if (options.dtype !== undefined && !CAST_DTYPES.includes(options.dtype)) {
    throw invalidArgument(`dtype must be 'float16', 'bfloat16' or 'float32', not '${String(options.dtype)}'`);
  }
  if (options.durable !== undefined && typeof options.durable !== 'boolean') throw invalidArgument('durable must be a boolean');
  if (options.recoverShapes !== undefined && typeof options.recoverShapes !== 'boolean') throw invalidArgument('recoverShapes must be a boolean');
  if (options.mergeTraces !== undefined && typeof options.mergeTraces !== 'boolean') throw invalidArgument('mergeTraces must be a boolean');
  if (options.mergeTraces && trace !== undefined && trace !== 0) throw invalidArgument('trace cannot be chosen when the traces are merged');
}

function nativeOptions(options: ConvertOptions, trace: number, opset: number): NativeConvertOptions {
  return {
    trace,
    opset,
    // 'web' lowers as 'standard' (no contrib operators); its check comes after writing.
    target: options.target === 'web' ? 'standard' : options.target ?? 'standard',
    externalData: options.externalData ?? 'auto',
    externalDataThreshold: options.externalDataThreshold ?? 1024,
    durable: options.durable ?? false,
    recoverShapes: options.recoverShapes ?? false,
    mergeTraces: options.mergeTraces ?? false,
    dtype: options.dtype,
    inputNames: options.inputNames,
    outputNames: options.outputNames,
    dynamicDims: Object.entries(options.dynamic ?? {}).flatMap(([input, axes]) =>
      Object.entries(axes).map(([axis, name]) => ({ input, axis: Number(axis), name }))),
    producerVersion: PACKAGE_VERSION,
  };
}

/**
 * Converts one trace of an .mlxfn file to an ONNX model at `output` (plus
 * `output.data` when weights go to external data). The file appears only when the
 * conversion succeeded; with `verify`, the report holds the comparison with MLX and
 * an ERR_VERIFY error is thrown when an output is outside tolerance (the files stay,
 * so they can be examined).
 */
export async function convert(input: string, output: string, options: ConvertOptions = {}): Promise<ConvertReport> {
  const source = path.resolve(requireString(input, 'input'));
  const target = path.resolve(requireString(output, 'output'));
  checkOptions(options);
  if (!existsSync(source)) throw new MlxOnnxError('ERR_IO', `input file ${source} does not exist`);
  const aborted = () => new MlxOnnxError('ERR_ABORTED', 'the conversion was aborted; nothing was written');
  if (options.signal?.aborted) throw aborted();
  // The native work polls this flag; the closure keeps it alive until it settles.
  const abortFlag = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(abortFlag, 0, 1);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const start = performance.now();
  const trace = options.trace ?? 0;
  const opset = options.opset ?? versions().defaultOpset;
  let result;
  try {
    result = await native().convert(source, target, { ...nativeOptions(options, trace, opset), abortFlag });
  } catch (error) {
    throw asMlxOnnxError(error);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const { timings, ...rest } = result;
  const report: ConvertReport = {
    input: source,
    output: target,
    trace,
    opset,
    ...rest,
    ...(options.dtype ? { dtype: options.dtype } : {}),
    timings: { ...timings, totalMs: performance.now() - start },
  };
  delete (report as unknown as Record<string, unknown>).unsupportedOps;
  delete (report as unknown as Record<string, unknown>).constantCount;
  delete (report as unknown as Record<string, unknown>).constantBytes;
  if (options.target === 'web') report.webCompatibility = webCompatibility(target);
  if (options.verify) {
    const verifyStart = performance.now();
    report.verify = await verifyConverted(source, target, options, { ...(options.verify === true ? {} : options.verify), trace });
    report.timings.verifyMs = performance.now() - verifyStart;
    report.timings.totalMs = performance.now() - start;
    throwIfFailed(report.verify, report);
  }
  return report;
}

let twins = 0;

/**
 * Verifies the conversion of `source` that `options` wrote to `target`. onnxruntime-node
 * has no bfloat16 tensors, so a bfloat16 cast with float inputs or outputs is run as a twin
 * with the function's own input and output dtypes (exact casts at the boundary, the same
 * model inside), written beside `target` and removed afterwards.
 */
export async function verifyConverted(source: string, target: string, options: ConvertOptions, verifyOptions: VerifyOptions & { trace: number }): Promise<VerifyReport> {
  const dtypeOptions = { ...verifyOptions, dtype: options.dtype };
  const info = await inspect(source);
  // Merged traces: the one ONNX runs at each trace's sizes against MLX running that trace.
  const traces = options.mergeTraces ? info.traces.map((_, i) => i) : [verifyOptions.trace];
  const each = async (run: (trace: number) => Promise<VerifyReport>) => {
    const reports: VerifyReport[] = [];
    for (const trace of traces) reports.push(await run(trace));
    return reports.length === 1 ? reports[0]! : combineReports(reports, traces);
  };
  if (!castsInterfaceToBfloat16(info.traces[traces[0]!]!, options.dtype)) {
    return each((trace) => verify(source, target, { ...dtypeOptions, trace }));
  }
  const twin = path.join(path.dirname(target), `.${path.basename(target)}.verify-${process.pid}-${twins++}.onnx`);
  try {
    const opset = options.opset ?? versions().defaultOpset;
    await native().convert(source, twin, { ...nativeOptions(options, verifyOptions.trace, opset), durable: false, keepInterfaceDtypes: true });
    return await each((trace) => verifyConversion(source, info.traces[trace]!, info.shapeless, twin, dtypeOptions, true));
  } catch (error) {
    throw asMlxOnnxError(error);
  } finally {
    rmSync(twin, { force: true });
    rmSync(`${twin}.data`, { force: true });
  }
}

/** One report for several traces: each output comparison names its trace. */
function combineReports(reports: VerifyReport[], traces: number[]): VerifyReport {
  return {
    pass: reports.every((r) => r.pass),
    outputs: reports.flatMap((r, i) => r.outputs.map((o) => ({ ...o, trace: traces[i]! }))),
    mlxMs: reports.reduce((sum, r) => sum + r.mlxMs, 0),
    onnxRuntimeMs: reports.reduce((sum, r) => sum + r.onnxRuntimeMs, 0),
  };
}

/** Where `convertAll` writes trace `i` of `output`: model.onnx → model.trace1.onnx. */
export function traceOutputPath(output: string, trace: number): string {
  const ext = path.extname(output) || '.onnx';
  return `${output.slice(0, output.length - path.extname(output).length)}.trace${trace}${ext}`;
}

/**
 * Converts every trace of an .mlxfn file (e.g. prefill and decode), one ONNX file each,
 * named by `traceOutputPath`.
 */
export async function convertAll(input: string, output: string, options: Omit<ConvertOptions, 'trace'> = {}): Promise<ConvertReport[]> {
  const info = await inspect(input);
  const reports: ConvertReport[] = [];
  for (let trace = 0; trace < info.traces.length; trace++) {
    reports.push(await convert(input, traceOutputPath(path.resolve(output), trace), { ...options, trace }));
  }
  return reports;
}

/**
 * Runs one trace of an .mlxfn file with MLX and an ONNX file (converted from it) with
 * ONNX Runtime on the same inputs, and compares every output. ONNX inputs are matched
 * to the function's inputs by position.
 */
export async function verify(mlxfn: string, onnxFile: string, options: VerifyOptions & { trace?: number } = {}): Promise<VerifyReport> {
  const source = path.resolve(requireString(mlxfn, 'mlxfn'));
  const target = path.resolve(requireString(onnxFile, 'onnx'));
  const info = await inspect(source);
  const trace = info.traces[options.trace ?? 0];
  if (!trace) throw invalidArgument(`trace ${options.trace} does not exist; ${source} holds ${info.traces.length}`);
  if (!existsSync(target)) throw new MlxOnnxError('ERR_IO', `ONNX file ${target} does not exist`);
  return verifyConversion(source, trace, info.shapeless, target, options);
}

/** Throws ERR_VERIFY, carrying `report`, when an output is outside tolerance. */
export function throwIfFailed(result: VerifyReport, report?: unknown): void {
  if (result.pass) return;
  const failed = result.outputs.filter((o) => !o.pass)
    .map((o) => `${o.name} (max abs error ${o.maxAbsError.toExponential(2)}, atol ${o.atol}, rtol ${o.rtol})`);
  const error = new MlxOnnxError('ERR_VERIFY', `ONNX Runtime and MLX disagree on ${failed.join(', ')}`);
  Object.assign(error, { report: report ?? result });
  throw error;
}

/** Every MLX 0.32 primitive with its conversion status. */
export function ops(): OpCoverage[] {
  return native().ops();
}

/** The MLX version the addon links, and the ONNX opsets it can write. */
export function versions(): { mlx: string; mlxOnnx: string; defaultOpset: number; minOpset: number; maxOpset: number } {
  return { ...native().versions(), mlxOnnx: PACKAGE_VERSION };
}
