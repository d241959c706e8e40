// Greedy decoding helpers the tests share: the argmax of each row, and greedy decoding of
// an export-model decoder with onnxruntime-node and its key/value cache (as
// examples/browser/runtime.js does it in the browser).
import * as ort from 'onnxruntime-node';
import { exactSessionOptions } from '../../lib/session-options.js';

/** The index of the largest value of each row of `width` values. */
export function argmaxRows(values: ArrayLike<number>, width: number): number[] {
  const rows: number[] = [];
  for (let start = 0; start < values.length; start += width) {
    let best = start;
    for (let i = start; i < start + width; i++) if (values[i]! > values[best]!) best = i;
    rows.push(best - start);
  }
  return rows;
}

/** `count` greedy tokens after `prompt` (batch 1), and the logits of the prompt's run. */
export async function greedyWithOrt(onnx: string, prompt: number[], count: number): Promise<{ tokens: number[]; promptLogits: Float32Array }> {
  const session = await ort.InferenceSession.create(onnx, { ...exactSessionOptions, logSeverityLevel: 3 });
  const int64 = (v: number[]) => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), [1, v.length]);
  const pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
  let past = pastNames.map((name) => {
    const meta = session.inputMetadata.find((m) => m.name === name) as { shape: Array<number | string> };
    return new ort.Tensor('float32', new Float32Array(0), [1, Number(meta.shape[1]), 0, Number(meta.shape[3])]);
  });
  const tokens: number[] = [];
  let promptLogits: Float32Array | undefined;
  let ids = prompt;
  let position = 0;
  while (tokens.length < count) {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: int64(ids), attention_mask: int64(Array(position + ids.length).fill(1)), position_ids: int64(ids.map((_, i) => position + i)),
    };
    pastNames.forEach((name, i) => (feeds[name] = past[i]!));
    const out = await session.run(feeds);
    const logits = out.logits!.data as Float32Array;
    const [, rows, vocab] = out.logits!.dims as number[];
    promptLogits ??= logits;
    tokens.push(argmaxRows(logits.subarray((rows! - 1) * vocab!), vocab!)[0]!);
    past = pastNames.map((name) => out[name.replace('past_key_values.', 'present.')]!);
    position += ids.length;
    ids = [tokens.at(-1)!];
  }
  await session.release();
  return { tokens, promptLogits: promptLogits! };
}
