// Greedy decoding in MLX with the key/value cache: the prompt in one step, then one token
// per step — the same calls an ONNX runtime makes with the exported decoder.
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import type { KV } from './decoder.js';
import type { CausalLM } from './model.js';

export interface GenerateOptions {
  /** Tokens to add after the prompt. */
  maxNewTokens: number;
  /** Stop after producing one of these. */
  eosTokenIds?: number[];
}

/** The token ids after `prompt` (one sequence), chosen by argmax at each step. */
export function generateGreedy(model: CausalLM, prompt: number[], options: GenerateOptions): number[] {
  const tokens: number[] = [];
  let past: KV[] | undefined;
  let ids = prompt;
  let position = 0;
  while (tokens.length < options.maxNewTokens) {
    const inputIds = mx.array(ids, [1, ids.length], 'int32');
    const positionIds = mx.array(ids.map((_, i) => position + i), [1, ids.length], 'int32');
    const attentionMask = mx.ones([1, position + ids.length], 'int32');
    const { logits, present } = model.step({ inputIds, attentionMask, positionIds, past });
    const last = mx.slice(logits, [0, ids.length - 1, 0], [1, ids.length, logits.shape[2]!]);
    const next = mx.argmax(last, -1).item();
    mx.eval(...present.flatMap((kv): MxArray[] => [kv.key, kv.value]));
    tokens.push(next);
    if (options.eosTokenIds?.includes(next)) break;
    past = present;
    position += ids.length;
    ids = [next];
  }
  return tokens;
}
