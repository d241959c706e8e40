// Typed reads of config.json fields, with mlx-lm's defaults and clear errors for missing ones.
import { MlxOnnxError } from '../errors.js';
import type { Config } from './model.js';

function missing(config: Config, key: string, what: string): MlxOnnxError {
  return new MlxOnnxError('ERR_INVALID_INPUT', `config.json of a ${String(config.model_type)} model needs ${what} "${key}"`);
}

export function num(config: Config, key: string, fallback?: number): number {
  const value = config[key];
  if (value === undefined || value === null) {
    if (fallback === undefined) throw missing(config, key, 'a number');
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw missing(config, key, 'a number');
  return value;
}

export function int(config: Config, key: string, fallback?: number): number {
  const value = num(config, key, fallback);
  if (!Number.isInteger(value) || value < 0) throw missing(config, key, 'a non-negative integer');
  return value;
}

/** A positive integer: head counts, which sizes are divided by. */
export function positive(config: Config, key: string, fallback?: number): number {
  const value = int(config, key, fallback);
  if (value === 0) throw missing(config, key, 'a positive integer');
  return value;
}

export function bool(config: Config, key: string, fallback: boolean): boolean {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw missing(config, key, 'a boolean');
  return value;
}

export function object(config: Config, key: string): Record<string, unknown> | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw missing(config, key, 'an object');
  return value as Record<string, unknown>;
}

/** The rotated features of a head of headDim: ⌊partial_rotary_factor · headDim⌋, even and positive. */
export function rotaryDims(config: Config, headDim: number): number {
  const dims = Math.floor(headDim * num(config, 'partial_rotary_factor', 1));
  if (dims <= 0 || dims % 2 !== 0) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `partial_rotary_factor gives ${dims} rotated features, not a positive even number`);
  }
  return dims;
}
