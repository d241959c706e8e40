// config.json's model_type → the TypeScript architecture, with mlx-lm's remapping.
import { MlxOnnxError } from '../errors.js';
import { createBert } from './bert.js';
import { createCohere } from './cohere.js';
import { createGemma, createGemma2 } from './gemma.js';
import { createGpt2 } from './gpt2.js';
import { createGranite } from './granite.js';
import { createLlama } from './llama.js';
import { createMiniCPM } from './minicpm.js';
import { createMixtral } from './mixtral.js';
import { createOlmo2 } from './olmo2.js';
import { createPhi3 } from './phi3.js';
import type { Config, LanguageModel } from './model.js';
import { createQwen2 } from './qwen2.js';
import { createQwen2Moe } from './qwen2_moe.js';
import { createQwen3 } from './qwen3.js';
import { createQwen3Moe } from './qwen3_moe.js';
import { createSmolLM3 } from './smollm3.js';
import { createStableLM } from './stablelm.js';
import { createStarcoder2 } from './starcoder2.js';

const ARCHITECTURES: Record<string, (config: Config) => LanguageModel> = {
  llama: createLlama,
  qwen2: createQwen2,
  qwen2_moe: createQwen2Moe,
  qwen3: createQwen3,
  qwen3_moe: createQwen3Moe,
  gpt2: createGpt2,
  cohere: createCohere,
  gemma: createGemma,
  gemma2: createGemma2,
  granite: createGranite,
  minicpm: createMiniCPM,
  mixtral: createMixtral,
  olmo2: createOlmo2,
  phi3: createPhi3,
  smollm3: createSmolLM3,
  stablelm: createStableLM,
  starcoder2: createStarcoder2,
  bert: createBert,
};

// As mlx_lm.utils.MODEL_REMAPPING, for the architectures here.
const REMAPPING: Record<string, string> = { mistral: 'llama', iquestcoder: 'llama', xverse: 'llama' };

/** The model types loadModel() accepts. */
export const SUPPORTED_MODEL_TYPES = [...Object.keys(ARCHITECTURES), ...Object.keys(REMAPPING)].sort();

/** A model with freshly initialised weights for a config.json. */
export function createModel(config: Config): LanguageModel {
  const type = config.model_type;
  if (typeof type !== 'string') throw new MlxOnnxError('ERR_INVALID_INPUT', 'config.json has no "model_type"');
  // Own keys only: a model_type such as "constructor" must not reach Object.prototype.
  const name = Object.hasOwn(REMAPPING, type) ? REMAPPING[type]! : type;
  const create = Object.hasOwn(ARCHITECTURES, name) ? ARCHITECTURES[name] : undefined;
  if (!create) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `model type '${type}' is not supported (${SUPPORTED_MODEL_TYPES.join(', ')}); see "Model folders: export-model" in the README`);
  }
  return create(config);
}
