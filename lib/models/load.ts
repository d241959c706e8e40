// loadModel(dir): a model folder (config.json + safetensors, as Hugging Face and mlx-lm
// write them, MLX-quantized or not) as a TypeScript model with its weights, the way
// mlx_lm.utils.load_model builds one: architecture, sanitize, quantize, load (strict).
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { quantize } from '../nn/quantized.js';
import { checkpointPredicate, loadWeightsFromDir, readModelConfig } from '../nn/weights.js';
import type { LanguageModel } from './model.js';
import { createModel } from './registry.js';

export interface LoadOptions {
  /** Keep the weights unevaluated (read from disk when first used). Default false. */
  lazy?: boolean;
}

export function loadModel(dir: string, options: LoadOptions = {}): LanguageModel {
  const { config, quantization } = readModelConfig(dir);
  const model = createModel(config);
  const weights = model.sanitize(loadWeightsFromDir(dir).weights);
  if (quantization) {
    const { groupSize, bits, mode } = quantization;
    quantize(model, { groupSize, bits, mode, predicate: checkpointPredicate(weights, quantization) });
  }
  model.loadWeights(weights);
  model.sourceDir = dir;
  // Evaluated weights are what a trace records as constants.
  if (!options.lazy) mx.eval(...(Object.values(model.parameters()) as MxArray[]));
  return model;
}
