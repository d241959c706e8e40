// What every model of the zoo offers: a Module with mlx-lm's parameter names whose forward
// pass is written once, shape-agnostic, so that the same code runs in MLX and is traced
// for ONNX export.
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Embedding, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { QuantizedEmbedding, QuantizedLinear } from '../nn/quantized.js';
import type { DType } from '../types.js';
import { type StepInputs, type StepOutputs, indicesLike, onesLike } from './decoder.js';
import { type ExportOptions, type ExportReport, exportModel } from './export.js';

export type Projection = Linear | QuantizedLinear;
export type TokenEmbedding = Embedding | QuantizedEmbedding;

/** A model's config.json as parsed. */
export type Config = Record<string, unknown>;

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
      if (array.dtype === 'float32' || array.dtype === 'float16' || array.dtype === 'bfloat16') return array.dtype;
    }
    return 'float32';
  }

  /** Writes outDir/model.onnx and copies the tokenizer and config files of the source folder. */
  exportOnnx(outDir: string, options: ExportOptions = {}): Promise<ExportReport> {
    return exportModel(this as unknown as LanguageModel, outDir, options);
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
}

export interface EncoderInputs {
  /** [batch, sequence] */
  inputIds: MxArray;
  /** [batch, sequence]; 0 marks padding. */
  attentionMask: MxArray;
  /** [batch, sequence] segment ids. */
  tokenTypeIds: MxArray;
}

/** An encoder (BERT): hidden states for every token. */
export abstract class Encoder extends ZooModel {
  readonly kind = 'encoder' as const;

  /** last_hidden_state [batch, sequence, hidden] */
  abstract encode(inputs: EncoderInputs): MxArray;

  forward(inputIds: MxArray): MxArray {
    const zeros = mx.multiply(inputIds, 0);
    return this.encode({ inputIds, attentionMask: onesLike(inputIds), tokenTypeIds: zeros });
  }
}

export type LanguageModel = CausalLM | Encoder;
