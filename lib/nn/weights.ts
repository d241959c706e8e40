// Reading a model folder as Hugging Face / mlx-lm lay it out: config.json, and the weights
// in model.safetensors or in the shards named by model.safetensors.index.json. Tensors are
// MLX arrays read lazily (when first evaluated) by MLX's own loader.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import { loadSafetensors } from '../mx/safetensors.js';
import type { QuantizationMode, QuantizePredicate } from './quantized.js';

export interface LoadedWeights {
  /** Every tensor by its name in the checkpoint. */
  weights: Record<string, MxArray>;
  /** The safetensors header metadata (`__metadata__`) of the files, merged. */
  metadata: Record<string, string>;
  /** The safetensors files read, in order. */
  files: string[];
}

const SINGLE = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';

/**
 * The weights of a model folder: `model.safetensors`, or the shards listed in
 * `model.safetensors.index.json` (its `weight_map`, tensor name → shard file). A missing
 * folder, file or listed shard is ERR_IO; a bad index, an unreadable safetensors file or a
 * tensor the index places in a shard that lacks it is ERR_INVALID_INPUT, naming the files
 * and tensors.
 */
export function loadWeightsFromDir(dir: string): LoadedWeights {
  requireDir(dir);
  const indexFile = path.join(dir, INDEX);
  if (existsSync(indexFile)) return loadSharded(dir, indexFile);
  const single = path.join(dir, SINGLE);
  if (!existsSync(single)) throw new MlxOnnxError('ERR_IO', `no ${SINGLE} or ${INDEX} in ${dir}`);
  const { tensors, metadata } = readShard(single);
  return { weights: tensors, metadata, files: [single] };
}

function loadSharded(dir: string, indexFile: string): LoadedWeights {
  const index = readJson(indexFile) as { weight_map?: unknown };
  const map = index?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `${indexFile} has no "weight_map" object (tensor name → shard file)`);
  }
  // Tensor names by shard, in the order the shards first appear.
  const byShard = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || shard === '' || path.isAbsolute(shard) || shard.split(/[\\/]/).includes('..')) {
      throw new MlxOnnxError('ERR_INVALID_INPUT', `${indexFile}: tensor ${name} maps to ${JSON.stringify(shard)}, not a file in ${dir}`);
    }
    byShard.set(shard, [...(byShard.get(shard) ?? []), name]);
  }
  const absent = [...byShard.keys()].filter((shard) => !existsSync(path.join(dir, shard)));
  if (absent.length > 0) {
    throw new MlxOnnxError('ERR_IO', `${indexFile} lists shards that are missing from ${dir}: ${absent.join(', ')}`);
  }
  // Entries merged with fromEntries (own properties: names such as "__proto__" stay names).
  const weights: [string, MxArray][] = [];
  const metadata: [string, string][] = [];
  const problems: string[] = [];
  const files: string[] = [];
  for (const [shard, names] of byShard) {
    const file = path.join(dir, shard);
    const loaded = readShard(file);
    files.push(file);
    weights.push(...Object.entries(loaded.tensors));
    metadata.push(...Object.entries(loaded.metadata));
    const lacking = names.filter((name) => !Object.hasOwn(loaded.tensors, name));
    if (lacking.length > 0) problems.push(`${shard} lacks ${lacking.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `tensors listed in ${indexFile} are not in their shards: ${problems.join('; ')}`);
  }
  return { weights: Object.fromEntries(weights), metadata: Object.fromEntries(metadata), files };
}

function readShard(file: string): { tensors: Record<string, MxArray>; metadata: Record<string, string> } {
  try {
    return loadSafetensors(file);
  } catch (error) {
    // The header check's errors name the file, the tensor and the byte already.
    if (error instanceof MlxOnnxError && error.code === 'ERR_INVALID_INPUT') throw error;
    throw new MlxOnnxError('ERR_INVALID_INPUT', `cannot read ${file} as safetensors: ${(error as Error).message}`, { cause: error });
  }
}

export interface QuantizationConfig {
  groupSize: number;
  bits: number;
  mode: QuantizationMode;
  /**
   * Per-layer entries of the config's `quantization` (mlx-lm writes them for mixed
   * quantization): a layer path → its own settings, or false for a layer left in float.
   */
  layers: Record<string, { groupSize: number; bits: number; mode: QuantizationMode } | false>;
}

export interface ModelConfig {
  /** config.json as parsed. */
  config: Record<string, unknown>;
  /** Its `quantization` section (MLX-quantized checkpoints), if present. */
  quantization?: QuantizationConfig;
}

/** The parsed config.json of a model folder (ERR_IO if absent, ERR_INVALID_INPUT if not a JSON object). */
export function readModelConfig(dir: string): ModelConfig {
  requireDir(dir);
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) throw new MlxOnnxError('ERR_IO', `no config.json in ${dir}`);
  const config = readJson(file);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `${file} is not a JSON object`);
  }
  const section = (config as Record<string, unknown>).quantization;
  if (section === undefined || section === null) return { config: config as Record<string, unknown> };
  return { config: config as Record<string, unknown>, quantization: quantizationOf(section, file) };
}

/**
 * The quantize() predicate for a checkpoint, as mlx-lm loads one: a layer is quantized when
 * the checkpoint has its `<path>.scales`, with its per-layer settings if the config has any.
 */
export function checkpointPredicate(weights: Record<string, MxArray>, quantization?: QuantizationConfig): QuantizePredicate {
  return (layerPath) => {
    const own = quantization?.layers[layerPath];
    if (own !== undefined) return own;
    return `${layerPath}.scales` in weights;
  };
}

function quantizationOf(section: unknown, file: string): QuantizationConfig {
  const bad = (what: string) => new MlxOnnxError('ERR_INVALID_INPUT', `${file}: "quantization" ${what}`);
  if (typeof section !== 'object' || section === null || Array.isArray(section)) throw bad('is not an object');
  const settings = (value: Record<string, unknown>, where: string) => {
    const { group_size: groupSize, bits, mode = 'affine' } = value;
    if (!Number.isInteger(groupSize) || !Number.isInteger(bits) || typeof mode !== 'string') {
      throw bad(`${where}needs integer "group_size" and "bits" (and a string "mode" if any)`);
    }
    if ((bits as number) < 1 || (bits as number) > 8 || (groupSize as number) < 1) {
      throw bad(`${where}has "bits" ${bits} and "group_size" ${groupSize}; bits are 1 to 8 and groups positive`);
    }
    return { groupSize: groupSize as number, bits: bits as number, mode: mode as QuantizationMode };
  };
  const entries = section as Record<string, unknown>;
  const layers: QuantizationConfig['layers'] = {};
  for (const [key, value] of Object.entries(entries)) {
    if (key === 'group_size' || key === 'bits' || key === 'mode') continue;
    if (value === false) layers[key] = false;
    else if (typeof value === 'object' && value !== null) layers[key] = settings(value as Record<string, unknown>, `entry ${key} `);
  }
  return { ...settings(entries, ''), layers };
}

/** config.json and shard indexes are small; a larger file is refused before it is read. */
const MAX_JSON_BYTES = 64 << 20;

function readJson(file: string): unknown {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_JSON_BYTES) {
      throw new MlxOnnxError('ERR_INVALID_INPUT', `${file} is ${size} bytes, more than the ${MAX_JSON_BYTES} a model folder's JSON may have`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof MlxOnnxError) throw error;
    throw new MlxOnnxError('ERR_IO', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function requireDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new MlxOnnxError('ERR_IO', `model folder ${dir} does not exist`);
}
