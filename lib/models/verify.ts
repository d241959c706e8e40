// Checks an exported model: the TypeScript model in MLX and the ONNX file in ONNX Runtime
// on the same tokens, fed and read by the names of the model's signature — a batch of two
// with left padding in one row, the prompt step and (with a cache) a decode step that feeds
// each side its own present tensors back.
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { compareArrays } from '../tensors.js';
import type { DType, HostArray, OutputComparison, VerifyReport } from '../types.js';
import { runOnnx } from '../verify.js';
import type { CausalLM, Encoder, LanguageModel } from './model.js';

export interface ExportCheckOptions {
  kvCache: boolean;
  atol?: number;
  rtol?: number;
}

// Defaults by dtype: float32 ONNX Runtime kernels sum in other orders than MLX's.
const TOLERANCE: Partial<Record<DType, { atol: number; rtol: number }>> = {
  float32: { atol: 1e-4, rtol: 1e-4 },
  float16: { atol: 2e-2, rtol: 1e-2 },
};

const PROMPT = 5;

const host = (a: MxArray): HostArray => ({ dtype: a.dtype, shape: a.shape, data: a.bytes() });
const int64 = (values: number[], shape: number[]) => mx.array(values, shape, 'int64');

/** Token ids spread over the vocabulary, the same on every run. */
function tokens(count: number, vocab: number, seed: number): number[] {
  return Array.from({ length: count }, (_, i) => (i * 7919 + seed * 104729 + 11) % vocab);
}

export async function verifyExport(model: LanguageModel, onnxPath: string, options: ExportCheckOptions): Promise<VerifyReport> {
  const dtype = model.dtype();
  const tolerance = TOLERANCE[dtype] ?? TOLERANCE.float32!;
  const atol = options.atol ?? tolerance.atol;
  const rtol = options.rtol ?? tolerance.rtol;
  const signature = model.kind === 'causal-lm' ? model.signature({ kvCache: options.kvCache, dtype }) : model.signature({ dtype });
  const outputs: OutputComparison[] = [];
  const timing = { mlxMs: 0, onnxRuntimeMs: 0 };
  // Runs both sides on inputs given by name (ONNX Runtime's own where `onnxInputs` has them);
  // returns each side's outputs by name.
  const compare: Compare = async (label, inputs, onnxInputs = {}) => {
    const ordered = (values: Record<string, MxArray | HostArray>) => signature.inputs.map((t) => values[t.name]!);
    const mlxStart = performance.now();
    const expected = signature.run(ordered(inputs) as MxArray[], { shapeless: false });
    const reference = expected.map(host); // evaluates
    timing.mlxMs += performance.now() - mlxStart;
    const feeds = ordered({ ...Object.fromEntries(Object.entries(inputs).map(([n, a]) => [n, host(a)])), ...onnxInputs }) as HostArray[];
    const run = await runOnnx(onnxPath, feeds);
    timing.onnxRuntimeMs += run.ms;
    run.outputs.forEach((actual, i) => {
      const name = signature.outputs[i]!.name;
      const diff = compareArrays(actual, reference[i]!, atol, rtol);
      outputs.push({ name: `${name} (${label})`, dtype: reference[i]!.dtype, shape: reference[i]!.shape, atol, rtol, ...diff });
    });
    const byName = <T>(values: T[]) => Object.fromEntries(signature.outputs.map((t, i) => [t.name, values[i]!]));
    return { mlx: byName(expected), onnx: byName(run.outputs) };
  };
  if (model.kind === 'encoder') await checkEncoder(model, compare);
  else await checkDecoder(model, options.kvCache, compare);
  return { pass: outputs.every((o) => o.pass), outputs, ...timing };
}

type Compare = (label: string, inputs: Record<string, MxArray>, onnxInputs?: Record<string, HostArray>) =>
  Promise<{ mlx: Record<string, MxArray>; onnx: Record<string, HostArray> }>;

async function checkEncoder(model: Encoder, compare: Compare): Promise<void> {
  await compare('padded batch', {
    input_ids: int64([...tokens(6, model.vocabSize, 1), ...tokens(6, model.vocabSize, 2)], [2, 6]),
    attention_mask: int64([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], [2, 6]),
    token_type_ids: int64([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0], [2, 6]),
  });
}

async function checkDecoder(model: CausalLM, kvCache: boolean, compare: Compare): Promise<void> {
  // Row 1 is left-padded by two; its positions count from its first real token.
  const empty = mx.zeros([2, model.numKvHeads, 0, model.headDim], model.dtype());
  const layers = Array.from({ length: kvCache ? model.numLayers : 0 }, (_, i) => [`${i}.key`, `${i}.value`]).flat();
  const prompt = await compare('prompt', {
    input_ids: int64([...tokens(PROMPT, model.vocabSize, 1), ...tokens(PROMPT, model.vocabSize, 2)], [2, PROMPT]),
    attention_mask: int64([1, 1, 1, 1, 1, 0, 0, 1, 1, 1], [2, PROMPT]),
    position_ids: int64([0, 1, 2, 3, 4, 1, 1, 0, 1, 2], [2, PROMPT]),
    ...Object.fromEntries(layers.map((n) => [`past_key_values.${n}`, empty])),
  });
  if (!kvCache) return;
  // One more token per row; each side continues from its own cache.
  const past = (side: Record<string, MxArray | HostArray>) => Object.fromEntries(layers.map((n) => [`past_key_values.${n}`, side[`present.${n}`]!]));
  await compare('decode', {
    input_ids: int64(tokens(2, model.vocabSize, 3), [2, 1]),
    attention_mask: int64([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], [2, PROMPT + 1]),
    position_ids: int64([5, 3], [2, 1]),
    ...past(prompt.mlx) as Record<string, MxArray>,
  }, past(prompt.onnx) as Record<string, HostArray>);
}
