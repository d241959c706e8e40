// `nn`: layers with mlx.nn's parameter names, for models written in TypeScript.
export { Module } from './module.js';
export { Embedding, LayerNorm, Linear, RMSNorm, gelu, geluApprox, relu, silu } from './layers.js';
