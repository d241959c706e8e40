// The model zoo: mlx-lm architectures (llama/mistral, mixtral, qwen2, qwen2_moe, qwen3,
// qwen3_moe, cohere, gemma, gemma2, granite, minicpm, olmo2, phi3, smollm3, stablelm,
// starcoder2, gpt2) and BERT in TypeScript, loaded from model folders and exported to ONNX
// with a key/value cache.
export { loadModel } from './load.js';
export type { LoadOptions } from './load.js';
export { SUPPORTED_MODEL_TYPES, architectures, createModel } from './registry.js';
export { CausalLM, Encoder } from './model.js';
export type { Config, EncoderInputs, LanguageModel } from './model.js';
export type { KV, StepInputs, StepOutputs } from './decoder.js';
export { exportModel } from './export.js';
export type { ExportOptions, ExportReport, ExportStage, ExportedTensor } from './export.js';
export { generateGreedy } from './generate.js';
export type { GenerateOptions } from './generate.js';
