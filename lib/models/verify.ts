// Checks an exported model: the TypeScript model in MLX and the ONNX file in ONNX Runtime
// on the same tokens — a batch of two with left padding in one row, the prompt step and
// (with a cache) a decode step that feeds each side its own present tensors back.
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { compareArrays } from '../tensors.js';
import type { DType, HostArray, OutputComparison, VerifyReport } from '../types.js';
import { runOnnx } from '../verify.js';
import type { KV } from './decoder.js';
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
  const tolerance = TOLERANCE[model.dtype()] ?? TOLERANCE.float32!;
  const atol = options.atol ?? tolerance.atol;
  const rtol = options.rtol ?? tolerance.rtol;
  const outputs: OutputComparison[] = [];
  const timing = { mlxMs: 0, onnxRuntimeMs: 0 };
  const compare = async (label: string, names: string[], expected: MxArray[], feeds: HostArray[]) => {
    const mlxStart = performance.now();
    const reference = expected.map(host); // evaluates
    timing.mlxMs += performance.now() - mlxStart;
    const run = await runOnnx(onnxPath, feeds);
    timing.onnxRuntimeMs += run.ms;
    run.outputs.forEach((actual, i) => {
      const diff = compareArrays(actual, reference[i]!, atol, rtol);
      outputs.push({ name: `${names[i]} (${label})`, dtype: reference[i]!.dtype, shape: reference[i]!.shape, atol, rtol, ...diff });
    });
    return run.outputs;
  };
  if (model.kind === 'encoder') await checkEncoder(model, compare);
  else await checkDecoder(model, options.kvCache, compare);
  return { pass: outputs.every((o) => o.pass), outputs, ...timing };
}

type Compare = (label: string, names: string[], expected: MxArray[], feeds: HostArray[]) => Promise<HostArray[]>;

async function checkEncoder(model: Encoder, compare: Compare): Promise<void> {
  const vocab = model.parameters()['embeddings.word_embeddings.weight']?.shape[0] ?? 2;
  const inputIds = int64([...tokens(6, vocab, 1), ...tokens(6, vocab, 2)], [2, 6]);
  const attentionMask = int64([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], [2, 6]);
  const tokenTypeIds = int64([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0], [2, 6]);
  const hidden = model.encode({ inputIds, attentionMask, tokenTypeIds });
  await compare('padded batch', ['last_hidden_state'], [hidden], [inputIds, attentionMask, tokenTypeIds].map(host));
}

async function checkDecoder(model: CausalLM, kvCache: boolean, compare: Compare): Promise<void> {
  const dtype = model.dtype();
  // Row 1 is left-padded by two; its positions count from its first real token.
  const inputIds = int64([...tokens(PROMPT, model.vocabSize, 1), ...tokens(PROMPT, model.vocabSize, 2)], [2, PROMPT]);
  const attentionMask = int64([1, 1, 1, 1, 1, 0, 0, 1, 1, 1], [2, PROMPT]);
  const positionIds = int64([0, 1, 2, 3, 4, 1, 1, 0, 1, 2], [2, PROMPT]);
  const names = ['logits', ...Array.from({ length: model.numLayers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat()];
  const empty = mx.zeros([2, model.numKvHeads, 0, model.headDim], dtype);
  const past: KV[] | undefined = kvCache ? Array.from({ length: model.numLayers }, () => ({ key: empty, value: empty })) : undefined;
  const flat = (kvs: KV[]) => kvs.flatMap((kv) => [kv.key, kv.value]);
  const prefill = model.step({ inputIds, attentionMask, positionIds, past });
  const first = [inputIds, attentionMask, positionIds, ...(past ? flat(past) : [])].map(host);
  const expected = kvCache ? [prefill.logits, ...flat(prefill.present)] : [prefill.logits];
  const onnxPresent = (await compare('prompt', names, expected, first)).slice(1);
  if (!kvCache) return;
  // One more token per row; each side continues from its own cache.
  const nextIds = int64(tokens(2, model.vocabSize, 3), [2, 1]);
  const nextMask = int64([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], [2, PROMPT + 1]);
  const nextPositions = int64([5, 3], [2, 1]);
  const decode = model.step({ inputIds: nextIds, attentionMask: nextMask, positionIds: nextPositions, past: prefill.present });
  await compare('decode', names, [decode.logits, ...flat(decode.present)], [nextIds, nextMask, nextPositions].map(host).concat(onnxPresent));
}
