// `mx`: MLX arrays and operations in TypeScript, named after MLX Python in camelCase.
export type { MxArray, TypedArray } from './array.js';
export { isArray } from './array.js';
export * from './ops.js';
export { loadSafetensors, saveSafetensors } from './safetensors.js';
export type { Safetensors } from './safetensors.js';
export { trace } from './trace.js';
export type { InputSpec, TraceOptions, Traced, TracedFn } from './trace.js';
