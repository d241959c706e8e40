// safetensors through MLX's own loader: arrays are read lazily, when first evaluated.
import path from 'node:path';
import { asMlxOnnxError } from '../errors.js';
import { type MxArray, mxNative } from './array.js';

export interface Safetensors {
  tensors: Record<string, MxArray>;
  metadata: Record<string, string>;
}

export function loadSafetensors(file: string): Safetensors {
  try {
    return mxNative().loadSafetensors(path.resolve(file));
  } catch (error) {
    throw asMlxOnnxError(error);
  }
}

export function saveSafetensors(file: string, tensors: Record<string, MxArray>, metadata: Record<string, string> = {}): void {
  try {
    mxNative().saveSafetensors(path.resolve(file), tensors, metadata);
  } catch (error) {
    throw asMlxOnnxError(error);
  }
}
