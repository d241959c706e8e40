// The model zoo: 25 mlx-lm decoder architectures (one configurable family, MoE included)
// and BERT in TypeScript, loaded from model folders and exported to ONNX with a key/value
// cache.
export { loadModel } from './load.js';
export type { LoadOptions } from './load.js';
export { SUPPORTED_MODEL_TYPES, architectures, createModel } from './registry.js';
export { CausalLM, Encoder } from './model.js';
export type { Config, EncoderInputs, LanguageModel, ModelSignature, TensorSpec } from './model.js';
export type { KV, StepInputs, StepOutputs } from './decoder.js';
export { exportModel } from './export.js';
export type { ExportOptions, ExportReport, ExportStage, ExportedTensor } from './export.js';
export { generateGreedy } from './generate.js';
export type { GenerateOptions } from './generate.js';
