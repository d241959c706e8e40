// Reading .safetensors files (8-byte header length, JSON header, raw data): used for
// verification inputs and expected outputs.
import { readFile } from 'node:fs/promises';
import { MlxOnnxError } from './errors.js';
import { DTYPE_SIZE, elementCount } from './tensors.js';
import type { DType, HostArray } from './types.js';

const DTYPES: Record<string, DType> = {
  BOOL: 'bool', U8: 'uint8', U16: 'uint16', U32: 'uint32', U64: 'uint64', I8: 'int8', I16: 'int16',
  I32: 'int32', I64: 'int64', F16: 'float16', F32: 'float32', F64: 'float64', BF16: 'bfloat16', C64: 'complex64',
};

const MAX_HEADER_BYTES = 100 << 20;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export async function readSafetensors(path: string): Promise<Record<string, HostArray>> {
  const bytes = await readFile(path).catch((error: Error) => {
    throw new MlxOnnxError('ERR_IO', `cannot read ${path}: ${error.message}`, { cause: error });
  });
  const bad = (what: string) => new MlxOnnxError('ERR_INVALID_INPUT', `${path}: ${what}`);
  if (bytes.length < 8) throw bad('too short for a safetensors header');
  const headerBytes = Number(bytes.readBigUInt64LE(0));
  if (headerBytes > MAX_HEADER_BYTES || 8 + headerBytes > bytes.length) throw bad('header length out of range');
  let header: Record<string, HeaderEntry>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerBytes).toString('utf8'));
  } catch {
    throw bad('header is not valid JSON');
  }
  const dataStart = 8 + headerBytes;
  const tensors: Record<string, HostArray> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const dtype = DTYPES[entry.dtype];
    if (!dtype) throw bad(`tensor ${name} has unknown dtype ${entry.dtype}`);
    const [begin, end] = entry.data_offsets;
    const expected = elementCount(entry.shape) * DTYPE_SIZE[dtype];
    if (end - begin !== expected || dataStart + end > bytes.length || begin < 0) {
      throw bad(`tensor ${name} has data offsets that do not fit its shape or the file`);
    }
    tensors[name] = { dtype, shape: entry.shape, data: bytes.subarray(dataStart + begin, dataStart + end) };
  }
  return tensors;
}
