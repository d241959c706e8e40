/** MLX dtype names, spelled as MLX Python spells them. */
export type DType =
  | 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64'
  | 'int8' | 'int16' | 'int32' | 'int64'
  | 'float16' | 'float32' | 'float64' | 'bfloat16' | 'complex64';

/** The dtypes a conversion can cast a function's float values to. */
export type CastDType = 'float16' | 'bfloat16' | 'float32';

export interface TensorInfo {
  name: string;
  shape: number[];
  dtype: DType;
  /** True for a keyword argument of the MLX function. */
  keyword?: boolean;
  /**
   * Inputs of a shapeless trace (inspect()): per axis, whether the converted model runs at
   * other sizes of it (false: MLX recorded a size that follows it, see shapeWarnings).
   */
  varies?: boolean[];
}

export interface TraceInfo {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** MLX primitives in the trace, by name, with their counts. */
  opHistogram: Record<string, number>;
  /** The primitives among them that have no ONNX lowering. */
  unsupportedOps: Record<string, number>;
  constantCount: number;
  constantBytes: number;
  /** Shapeless or merged traces (inspect()): why input axes cannot vary, naming the primitive that fixes each. */
  shapeWarnings?: string[];
}

export interface FileInfo {
  path: string;
  /** The MLX version that wrote the file. */
  mlxVersion: string;
  shapeless: boolean;
  metadata: string;
  traces: TraceInfo[];
  /**
   * Files of two or more fixed-shape traces: trace 0 as `mergeTraces` converts it (its
   * inputs' `varies`, and `shapeWarnings`), or `mergeError`, why the traces do not merge.
   */
  merged?: TraceInfo;
  mergeError?: string;
}

/** An array in host memory: row-major bytes of `dtype`. */
export interface HostArray {
  dtype: DType;
  shape: number[];
  data: Uint8Array;
}

export type ExternalData = 'auto' | 'always' | 'never';

/**
 * 'standard': ONNX operators only; 'ort': also ONNX Runtime's com.microsoft contrib operators;
 * 'web': standard operators, checked against what onnxruntime-web runs (WebGPU and WASM).
 */
export type Target = 'standard' | 'ort' | 'web';

/** Whether onnxruntime-web runs a model's operators, per execution provider (target 'web'). */
/** How one of onnxruntime-web's WebGPU bundles runs a model. */
export interface WebGpuCompatibility {
  /** The file to import from onnxruntime-web's dist/: 'ort.webgpu.min.mjs' or 'ort.min.mjs'. */
  bundle: string;
  /** An InferenceSession on WebGPU can be created. */
  loads: boolean;
  /** Every operator has a WebGPU kernel. */
  supported: boolean;
  /** Operators without a WebGPU kernel: ONNX Runtime runs them on the CPU (WASM) instead. */
  fallback: string[];
  /** Why it does not load, and known bugs of this bundle that the model meets. */
  problems: string[];
}

export interface WebCompatibility {
  /** onnxruntime-web's native WebGPU provider (ONNX Runtime's C++ one, built to WASM). */
  native: WebGpuCompatibility;
  /** onnxruntime-web's JSEP WebGPU provider, its default import. */
  jsep: WebGpuCompatibility;
  /** supported: the WASM (CPU) build runs every operator; unsupported: the ones it lacks. */
  wasm: { supported: boolean; unsupported: string[] };
}

export interface VerifyOptions {
  /**
   * Inputs by name (the MLX input names: input_0, ..., or keyword names); random when absent.
   * For shapeless files they may have other sizes than the recorded ones (same rank).
   */
  inputs?: Record<string, HostArray>;
  /** Seed for random inputs (default 0). */
  seed?: number;
  /** Absolute tolerance; default by output dtype (float32 1e-5, float16 2e-3, bfloat16 2e-2, integers 0). */
  atol?: number;
  /** Relative tolerance; default by output dtype (float32 1e-4, float16 2e-3, bfloat16 2e-2, integers 0). */
  rtol?: number;
  /**
   * The dtype the ONNX model was cast to (convert's `dtype`). MLX still runs the original
   * function: float inputs are rounded to this dtype for ONNX Runtime and MLX gets the
   * same rounded values, and default tolerances are those of a cast (CAST_TOLERANCE).
   */
  dtype?: CastDType;
}

export interface ConvertOptions {
  /** Which trace of the file to convert (default 0). */
  trace?: number;
  /** ONNX opset (default 21). */
  opset?: number;
  /**
   * 'standard' (default): ONNX operators only, for any runtime. 'ort': also ONNX Runtime's
   * com.microsoft contrib operators where they are faster (fused attention, normalization,
   * quantized matmul). 'web': as 'standard', and the report says which operators
   * onnxruntime-web runs on WebGPU and on WASM (`webCompatibility`).
   */
  target?: Target;
  /** Where weights go: 'auto' (inline unless the model would pass 2 GiB), 'always' or 'never'. */
  externalData?: ExternalData;
  /** Tensors smaller than this many bytes stay inline when data goes external (default 1024). */
  externalDataThreshold?: number;
  /**
   * Cast every float value of the function (inputs, weights, intermediate results,
   * outputs) to this dtype; weights are converted as they are written, rounding to
   * nearest even as MLX does.
   */
  dtype?: CastDType;
  /**
   * Sync the written files and their folder to the disk before resolving (default false,
   * as `cp` and most model savers do: the kernel writes them back in its own time). Either
   * way the files appear whole or not at all: they are written under temporary names and
   * renamed at the end.
   */
  durable?: boolean;
  /** New names for the ONNX inputs, one per input in order. */
  inputNames?: string[];
  /** New names for the ONNX outputs, one per output in order. */
  outputNames?: string[];
  /**
   * For files exported with `shapeless=True`: the input dimensions that vary, by (final)
   * input name and axis, e.g. `{ input_ids: { 0: 'batch', 1: 'sequence' } }`; the others
   * keep their recorded size. Default: every input dimension is symbolic (`<input>_<axis>`).
   * With `mergeTraces`: names for dimensions that differ between the traces.
   */
  dynamic?: Record<string, Record<number, string>>;
  /**
   * For shapeless files, experimental: a reshape size MLX recorded at the traced value of one
   * varying input dimension (`B, L = x.shape; x.reshape(B, L, heads, -1)`) is read from the
   * input at run time instead of fixing that dimension (default false). A warning counts them.
   */
  recoverShapes?: boolean;
  /**
   * For files holding several fixed-shape traces of one function (`mx.exporter`, one call
   * per size): convert them as one ONNX whose input dimensions that differ between the
   * traces are dynamic. The sizes MLX recorded are fitted as functions of those dimensions
   * (`B * L`, `L + 1`), checked on every trace and computed at run time; a size that fits
   * none keeps the dimensions it follows fixed, with a warning (default false).
   */
  mergeTraces?: boolean;
  /** Check the ONNX against MLX with ONNX Runtime after writing it. */
  verify?: boolean | VerifyOptions;
  /** Stops the conversion (ERR_ABORTED); nothing is left behind. */
  signal?: AbortSignal;
}

export interface OutputComparison {
  name: string;
  dtype: DType;
  shape: number[];
  maxAbsError: number;
  maxRelError: number;
  atol: number;
  rtol: number;
  pass: boolean;
  /** With `mergeTraces`: the trace whose input sizes this comparison ran at. */
  trace?: number;
}

export interface VerifyReport {
  pass: boolean;
  outputs: OutputComparison[];
  mlxMs: number;
  onnxRuntimeMs: number;
}

export interface WrittenFile {
  path: string;
  bytes: number;
}

export interface ConvertReport {
  input: string;
  output: string;
  /** The trace converted (with `mergeTraces`, 0: the one whose sizes the inputs show). */
  trace: number;
  /** With `mergeTraces`: how many traces were merged. */
  mergedTraces?: number;
  opset: number;
  /** The ONNX model's inputs and outputs (in the cast dtype with `dtype`). */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** The dtype the function was cast to, with the `dtype` option. */
  dtype?: CastDType;
  /** ONNX nodes written. */
  nodeCount: number;
  /** MLX primitives converted, by name. */
  opHistogram: Record<string, number>;
  /** ONNX operators written, by name. */
  onnxOpHistogram: Record<string, number>;
  /** What the user should know about the written model (e.g. quantized weights ONNX Runtime expands at load). */
  warnings: string[];
  files: WrittenFile[];
  timings: { readMs: number; lowerMs: number; writeMs: number; totalMs: number; verifyMs?: number };
  verify?: VerifyReport;
  /** With target 'web': where onnxruntime-web runs the written model's operators. */
  webCompatibility?: WebCompatibility;
}

export type OpStatus = 'lowered' | 'decomposed' | 'unsupported';

export interface OpCoverage {
  /** MLX primitive name, as MLX's `name()` gives it. */
  name: string;
  status: OpStatus;
  /** Why an unsupported primitive is not converted. */
  reason?: string;
}
