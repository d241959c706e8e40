// Reading .safetensors files (8-byte header length, JSON header, raw data): used for
// verification inputs and expected outputs. The header is checked as the addon checks it
// before MLX's loader (native/capture/safetensors_header.cpp), with the same limits.
import { readFile } from 'node:fs/promises';
import { MlxOnnxError } from './errors.js';
import { DTYPE_SIZE } from './tensors.js';
import type { DType, HostArray } from './types.js';

const DTYPES: Record<string, DType> = {
  BOOL: 'bool', U8: 'uint8', U16: 'uint16', U32: 'uint32', U64: 'uint64', I8: 'int8', I16: 'int16',
  I32: 'int32', I64: 'int64', F16: 'float16', F32: 'float32', F64: 'float64', BF16: 'bfloat16', C64: 'complex64',
};

/** Limits on untrusted headers (README, "Security and limits"). */
const MAX_HEADER_BYTES = 100 << 20;
const MAX_RANK = 64;

const FIELDS = ['dtype', 'shape', 'data_offsets'];

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export async function readSafetensors(path: string): Promise<Record<string, HostArray>> {
  const bytes = await readFile(path).catch((error: Error) => {
    throw new MlxOnnxError('ERR_IO', `cannot read ${path}: ${error.message}`, { cause: error });
  });
  const bad = (what: string) => new MlxOnnxError('ERR_INVALID_INPUT', `${path}: ${what}`);
  if (bytes.length < 8) throw bad(`file is ${bytes.length} bytes, too short for a safetensors header`);
  const length = bytes.readBigUInt64LE(0);
  if (length > BigInt(MAX_HEADER_BYTES)) throw bad(`header length ${length} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (length > BigInt(bytes.length - 8)) throw bad(`header length ${length} runs past the end of the file (${bytes.length} bytes)`);
  const dataStart = 8 + Number(length);
  const dataBytes = bytes.length - dataStart;
  let header: unknown;
  try {
    header = JSON.parse(bytes.subarray(8, dataStart).toString('utf8'));
  } catch (error) {
    throw bad(`header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header is not a JSON object');

  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      const strings = value === null || (typeof value === 'object' && !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'string'));
      if (!strings) throw bad('__metadata__ is not a map of strings');
      continue;
    }
    entries.push(checkEntry(name, value, dataBytes, (what) => bad(`tensor '${name}': ${what}`)));
  }
  // No two tensors may share bytes (empty tensors occupy none).
  const placed = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < placed.length; ++i) {
    const [prev, next] = [placed[i - 1]!, placed[i]!];
    if (next.begin < prev.end) {
      throw bad(`tensor '${next.name}': data_offsets [${next.begin}, ${next.end}] overlap tensor '${prev.name}' [${prev.begin}, ${prev.end}]`);
    }
  }
  // fromEntries defines own properties: a tensor named "__proto__" stays a tensor.
  return Object.fromEntries(entries.map((e) => [e.name, {
    dtype: e.dtype, shape: e.shape, data: bytes.subarray(dataStart + e.begin, dataStart + e.end),
  }]));
}

function checkEntry(name: string, value: unknown, dataBytes: number, bad: (what: string) => MlxOnnxError): Entry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('is not a JSON object');
  const fields = value as Record<string, unknown>;
  const unexpected = Object.keys(fields).find((key) => !FIELDS.includes(key));
  if (unexpected !== undefined) throw bad(`unexpected or repeated field "${unexpected}"`);
  if (!FIELDS.every((key) => key in fields)) throw bad('needs "dtype", "shape" and "data_offsets"');
  const { dtype: code, shape, data_offsets: offsets } = fields;
  const dtype = typeof code === 'string' ? DTYPES[code] : undefined;
  if (dtype === undefined) throw bad(`unknown dtype '${String(code)}'`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad('shape is not a list of non-negative integers');
  if (shape.length > MAX_RANK) throw bad(`rank exceeds ${MAX_RANK}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) throw bad('data_offsets must be [begin, end]');
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw bad(`data_offsets [${begin}, ${end}] are not ordered`);
  if (end > dataBytes) throw bad(`data_offsets [${begin}, ${end}] run past the end of the data section (${dataBytes} bytes)`);
  const needed = shape.reduce((n: bigint, d: number) => n * BigInt(d), BigInt(DTYPE_SIZE[dtype]));
  if (BigInt(end - begin) !== needed) {
    throw bad(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes; shape [${shape.join(', ')}] of ${code} needs ${needed}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}
