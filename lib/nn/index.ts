// `nn`: layers with mlx.nn's parameter names, for models written in TypeScript.
export { Module } from './module.js';
export { Embedding, LayerNorm, Linear, RMSNorm, gelu, geluApprox, relu, silu } from './layers.js';
export { QuantizedEmbedding, QuantizedLinear, quantize } from './quantized.js';
export type { QuantizationMode, QuantizationOptions, QuantizePredicate } from './quantized.js';
export { RoPE } from './rope.js';
export type { RoPEOptions } from './rope.js';
export { MultiHeadAttention } from './attention.js';
export type { AttentionMask, MultiHeadAttentionOptions } from './attention.js';
export { Conv1d, Conv2d } from './conv.js';
export type { ConvOptions } from './conv.js';
export { checkpointPredicate, loadWeightsFromDir, readModelConfig } from './weights.js';
export type { LoadedWeights, ModelConfig, QuantizationConfig } from './weights.js';
