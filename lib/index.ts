export { convert, convertAll, inspect, ops, traceOutputPath, verify, versions } from './api.js';
export { MlxOnnxError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { readSafetensors } from './safetensors.js';
export { exactSessionOptions } from './session-options.js';
export type * from './types.js';
export * as mx from './mx/index.js';
export * as nn from './nn/index.js';
export * as models from './models/index.js';
