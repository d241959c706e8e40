// What every model of the zoo offers: a Module with mlx-lm's parameter names whose forward
// pass is written once, shape-agnostic, so that the same code runs in MLX and is traced
// for ONNX export; and its ONNX signature, declared once for export and verification.
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Embedding, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { QuantizedEmbedding, QuantizedLinear } from '../nn/quantized.js';
import { isFloat } from '../tensors.js';
import type { DType } from '../types.js';
import { type KV, type StepInputs, type StepOutputs, indicesLike, onesLike } from './decoder.js';

export type Projection = Linear | QuantizedLinear;
export type TokenEmbedding = Embedding | QuantizedEmbedding;

/** A model's config.json as parsed. */
export type Config = Record<string, unknown>;

/** An input or output of a model's ONNX file; dims are numbers (fixed) or names (symbolic). */
export interface TensorSpec {
  name: string;
  dtype: DType;
  dims: Array<number | string>;
}

/** What a model's ONNX file takes and gives, and the function of them it computes. */
export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /**
   * The outputs for arrays given in `inputs`' order. shapeless: written for a shapeless
   * trace (ops that follow any size, where MLX's own would record the traced sizes).
   */
  run(inputs: MxArray[], options: { shapeless: boolean }): MxArray[];
}

const TOKENS = ['batch_size', 'sequence_length'];

abstract class ZooModel extends Module {
  /** The architecture (config.json's model_type after mlx-lm's remapping, e.g. mistral → llama). */
  abstract readonly modelType: string;
  /** The folder the model was loaded from: its tokenizer and config files go with an export. */
  sourceDir?: string;

  /** Renames or drops checkpoint tensors as mlx-lm's sanitize() does for this architecture. */
  sanitize(weights: Record<string, MxArray>): Record<string, MxArray> {
    return weights;
  }

  /** The dtype activations run in: that of the first float parameter (scales for quantized layers). */
  dtype(): DType {
    for (const array of Object.values(this.parameters())) {
      if (isFloat(array.dtype)) return array.dtype;
    }
    return 'float32';
  }
}

/** A decoder-only language model with a key/value cache. */
export abstract class CausalLM extends ZooModel {
  readonly kind = 'causal-lm' as const;
  abstract readonly numLayers: number;
  abstract readonly numKvHeads: number;
  abstract readonly headDim: number;
  abstract readonly vocabSize: number;

  /** One decoder step: logits for the new tokens and the cache extended by them. */
  abstract step(inputs: StepInputs): StepOutputs;

  /** Logits [batch, sequence, vocab] for whole sequences (no padding, no cache). */
  forward(inputIds: MxArray): MxArray {
    return this.step({ inputIds, attentionMask: onesLike(inputIds), positionIds: indicesLike(inputIds) }).logits;
  }

  /**
   * The layout transformers.js and Optimum use: input_ids, attention_mask, position_ids,
   * past_key_values.N.key/.value → logits, present.N.key/.value (without a cache: the first
   * three → logits), the cache in the activations' dtype.
   */
  signature({ kvCache, dtype }: { kvCache: boolean; dtype: DType }): ModelSignature {
    const layers = Array.from({ length: kvCache ? this.numLayers : 0 }, (_, i) => [`${i}.key`, `${i}.value`]).flat();
    const cache = (batch: string, length: string) => [batch, this.numKvHeads, length, this.headDim];
    const total = kvCache ? 'total_sequence_length' : 'sequence_length';
    return {
      inputs: [
        { name: 'input_ids', dtype: 'int64', dims: TOKENS },
        { name: 'attention_mask', dtype: 'int64', dims: ['batch_size', total] },
        { name: 'position_ids', dtype: 'int64', dims: TOKENS },
        ...layers.map((n) => ({ name: `past_key_values.${n}`, dtype, dims: cache('batch_size', 'past_sequence_length') })),
      ],
      outputs: [
        { name: 'logits', dtype, dims: [...TOKENS, this.vocabSize] },
        ...layers.map((n) => ({ name: `present.${n}`, dtype, dims: cache('batch_size', 'total_sequence_length') })),
      ],
      run: ([inputIds, attentionMask, positionIds, ...flat], { shapeless }) => {
        const past: KV[] | undefined = kvCache
          ? Array.from({ length: this.numLayers }, (_, i) => ({ key: flat[2 * i]!, value: flat[2 * i + 1]! }))
          : undefined;
        const { logits, present } = this.step({ inputIds: inputIds!, attentionMask: attentionMask!, positionIds: positionIds!, past, shapeless });
        return kvCache ? [logits, ...present.flatMap((kv) => [kv.key, kv.value])] : [logits];
      },
    };
  }
}

export interface EncoderInputs {
  /** [batch, sequence] */
  inputIds: MxArray;
  /** [batch, sequence]; 0 marks padding. */
  attentionMask: MxArray;
  /** [batch, sequence] segment ids. */
  tokenTypeIds: MxArray;
  /** Written for a shapeless trace (see ModelSignature.run). */
  shapeless?: boolean;
}

/** An encoder (BERT): hidden states for every token. */
export abstract class Encoder extends ZooModel {
  readonly kind = 'encoder' as const;
  abstract readonly vocabSize: number;
  abstract readonly hiddenSize: number;

  /** last_hidden_state [batch, sequence, hidden] */
  abstract encode(inputs: EncoderInputs): MxArray;

  forward(inputIds: MxArray): MxArray {
    const zeros = mx.multiply(inputIds, 0);
    return this.encode({ inputIds, attentionMask: onesLike(inputIds), tokenTypeIds: zeros });
  }

  /** input_ids, attention_mask, token_type_ids → last_hidden_state. */
  signature({ dtype }: { dtype: DType }): ModelSignature {
    const names = ['input_ids', 'attention_mask', 'token_type_ids'];
    return {
      inputs: names.map((name) => ({ name, dtype: 'int64', dims: TOKENS })),
      outputs: [{ name: 'last_hidden_state', dtype, dims: [...TOKENS, this.hiddenSize] }],
      run: ([inputIds, attentionMask, tokenTypeIds], { shapeless }) =>
        [this.encode({ inputIds: inputIds!, attentionMask: attentionMask!, tokenTypeIds: tokenTypeIds!, shapeless })],
    };
  }
}

export type LanguageModel = CausalLM | Encoder;
