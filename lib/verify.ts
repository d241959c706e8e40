// Verification: the same inputs through MLX (the .mlxfn evaluated on the CPU by the
// real MLX) and through ONNX Runtime (on a worker thread), compared output by output.
import { Worker } from 'node:worker_threads';
import { MlxOnnxError, asMlxOnnxError, invalidArgument } from './errors.js';
import { native } from './native.js';
import { DEFAULT_TOLERANCE, castFloats, castTolerance, compareArrays, isFloat, randomArray } from './tensors.js';
import type { CastDType, HostArray, OutputComparison, TraceInfo, VerifyOptions, VerifyReport } from './types.js';
import type { WorkerRequest, WorkerResponse } from './verify-worker.js';

export interface OnnxRun {
  outputs: Array<{ name: string } & HostArray>;
  ms: number;
}

/** Runs an ONNX file in ONNX Runtime off the main thread. */
export function runOnnx(onnxPath: string, feeds: WorkerRequest['feeds']): Promise<OnnxRun> {
  // feeds are matched to the session's inputs by position
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./verify-worker.js', import.meta.url), {
      workerData: { onnxPath, feeds } satisfies WorkerRequest,
      execArgv: [], // the host's flags (e.g. --input-type, --eval) do not apply to the worker file
    });
    worker.once('message', async (response: WorkerResponse) => {
      // Settle only once the worker (and its session's memory) is gone.
      await worker.terminate();
      if (response.error !== undefined) {
        reject(new MlxOnnxError('ERR_VERIFY', `ONNX Runtime could not run ${onnxPath}: ${response.error}`));
      } else {
        resolve({ outputs: response.outputs!, ms: response.ms! });
      }
    });
    worker.once('error', (error) => reject(new MlxOnnxError('ERR_VERIFY', `ONNX Runtime worker failed: ${error.message}`)));
  });
}

/** Runs the MLX function of an .mlxfn file on the CPU with the real MLX. */
export async function runMlx(mlxfnPath: string, trace: TraceInfo, inputs: HostArray[]): Promise<HostArray[]> {
  const positional: HostArray[] = [];
  const keyword: Record<string, HostArray> = {};
  trace.inputs.forEach((info, i) => {
    if (info.keyword) keyword[info.name] = inputs[i]!;
    else positional.push(inputs[i]!);
  });
  try {
    return await native().evaluate(mlxfnPath, positional, keyword);
  } catch (error) {
    throw asMlxOnnxError(error);
  }
}

function inputsFor(trace: TraceInfo, shapeless: boolean, options: VerifyOptions): HostArray[] {
  const given = options.inputs ?? {};
  for (const name of Object.keys(given)) {
    if (!trace.inputs.some((i) => i.name === name)) {
      throw invalidArgument(`verification input '${name}' is not an input of the function (${trace.inputs.map((i) => i.name).join(', ')})`);
    }
  }
  return trace.inputs.map((info, i) => {
    const array = given[info.name];
    if (!array) return randomArray(info.dtype, info.shape, (options.seed ?? 0) * 1000 + i);
    // A shapeless function takes any shape of the recorded rank.
    const shapeOk = shapeless ? array.shape.length === info.shape.length : array.shape.join() === info.shape.join();
    if (array.dtype !== info.dtype || !shapeOk) {
      const wanted = shapeless ? `${info.dtype} of rank ${info.shape.length}` : `${info.dtype}[${info.shape}]`;
      throw invalidArgument(`input '${info.name}' must be ${wanted}, got ${array.dtype}[${array.shape}]`);
    }
    return array;
  });
}

/** True when a cast to `dtype` makes float inputs or outputs bfloat16, which onnxruntime-node cannot feed or read. */
export function castsInterfaceToBfloat16(trace: TraceInfo, dtype: CastDType | undefined): boolean {
  return dtype === 'bfloat16' && [...trace.inputs, ...trace.outputs].some((t) => isFloat(t.dtype));
}

/**
 * Checks an ONNX file converted from one trace of an .mlxfn file: both run on the same
 * inputs and every output must agree within tolerance. `interfaceKept`: the file is a
 * twin of a cast whose inputs and outputs kept the function's dtypes.
 */
export async function verifyConversion(
  mlxfnPath: string,
  trace: TraceInfo,
  shapeless: boolean,
  onnxPath: string,
  options: VerifyOptions = {},
  interfaceKept = false,
): Promise<VerifyReport> {
  const dtype = options.dtype;
  if (!interfaceKept && castsInterfaceToBfloat16(trace, dtype)) {
    throw invalidArgument('a model cast to bfloat16 has bfloat16 inputs or outputs, which onnxruntime-node cannot feed or read; verify it with convert (verify option, or --verify), which runs a twin with the function\'s own input and output dtypes');
  }
  // A cast model takes its float inputs rounded to its dtype; MLX gets the same values
  // (and so does a twin that kept the function's input dtypes).
  const rounded = inputsFor(trace, shapeless, options).map((a) => (dtype && isFloat(a.dtype) ? castFloats(a, dtype) : a));
  const mlxInputs = rounded.map((a, i) => (a.dtype === trace.inputs[i]!.dtype ? a : castFloats(a, trace.inputs[i]!.dtype as CastDType | 'float64')));
  const onnxInputs = interfaceKept ? mlxInputs : rounded;
  const mlxStart = performance.now();
  const expected = await runMlx(mlxfnPath, trace, mlxInputs);
  const mlxMs = performance.now() - mlxStart;
  const onnx = await runOnnx(onnxPath, onnxInputs);
  const outputs: OutputComparison[] = onnx.outputs.map((actual, i) => {
    const reference = expected[i];
    if (!reference) throw new MlxOnnxError('ERR_VERIFY', `MLX returned no output ${i}`);
    const tolerance = dtype && isFloat(reference.dtype) ? castTolerance(dtype, reference.dtype) : DEFAULT_TOLERANCE[reference.dtype];
    const atol = options.atol ?? tolerance.atol;
    const rtol = options.rtol ?? tolerance.rtol;
    const diff = compareArrays(actual, reference, atol, rtol);
    return { name: actual.name, dtype: reference.dtype, shape: reference.shape, atol, rtol, ...diff };
  });
  return { pass: outputs.every((o) => o.pass), outputs, mlxMs, onnxRuntimeMs: onnx.ms };
}
