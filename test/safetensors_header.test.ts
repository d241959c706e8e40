// Malformed .safetensors files: the addon checks the header before MLX's loader sees the
// file (mx.loadSafetensors, and through it model folders), and readSafetensors checks the
// same in TypeScript. Each gives ERR_INVALID_INPUT naming the file, tensor and byte.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlxOnnxError, mx, nn, readSafetensors } from '../dist/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-safetensors-'));
let count = 0;

/** A file of: 8-byte length (given, or that of `json`), the JSON text, then `data`. */
function file(json: string, data = Buffer.alloc(0), length?: bigint): string {
  const text = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(length ?? BigInt(text.length));
  const name = path.join(dir, `f${count++}.safetensors`);
  writeFileSync(name, Buffer.concat([prefix, text, data]));
  return name;
}

/** The file offset of `needle` in the JSON text of a file made by file(). */
const at = (json: string, needle: string) => 8 + Buffer.from(json.slice(0, json.indexOf(needle)), 'utf8').length;

function nativeError(name: string): MlxOnnxError {
  try {
    mx.loadSafetensors(name);
  } catch (error) {
    expect(error).toBeInstanceOf(MlxOnnxError);
    return error as MlxOnnxError;
  }
  throw new Error(`${name} loaded`);
}

async function hostError(name: string): Promise<MlxOnnxError> {
  const error = await readSafetensors(name).then(() => new Error(`${name} read`), (e: unknown) => e);
  expect(error).toBeInstanceOf(MlxOnnxError);
  return error as MlxOnnxError;
}

/** Both readers refuse `name` with ERR_INVALID_INPUT; the addon's message ends with the byte offset. */
async function expectRefused(name: string, what: string, byte?: number): Promise<void> {
  const native = nativeError(name);
  expect(native.code).toBe('ERR_INVALID_INPUT');
  expect(native.message).toBe(`${name}: ${what}${byte === undefined ? '' : ` (at byte ${byte})`}`);
  const host = await hostError(name);
  expect(host.code).toBe('ERR_INVALID_INPUT');
  expect(host.message).toBe(`${name}: ${what}`);
}

const f32 = (shape: number[], begin: number, end: number) =>
  `{"dtype":"F32","shape":[${shape.join(',')}],"data_offsets":[${begin},${end}]}`;

describe('safetensors header checks', () => {
  it('a valid file loads through both readers, bytes intact', async () => {
    const data = Buffer.from(new Float32Array([1, 2, 3, 4, 5]).buffer);
    const json = `{"__metadata__":{"format":"pt","n\\u00e9":"\\"q\\""},"a":${f32([2, 2], 4, 20)},"b":${f32([], 0, 4)},"e":${f32([0, 3], 4, 4)}}  `;
    const name = file(json, data);
    const { tensors, metadata } = mx.loadSafetensors(name);
    expect(metadata).toEqual({ format: 'pt', 'né': '"q"' });
    expect(Array.from(new Float32Array(Uint8Array.from(tensors.a!.bytes()).buffer))).toEqual([2, 3, 4, 5]);
    expect(tensors.e!.shape).toEqual([0, 3]);
    const host = await readSafetensors(name);
    expect(host.b!.shape).toEqual([]);
    expect(Array.from(new Float32Array(Uint8Array.from(host.b!.data).buffer))).toEqual([1]);
  });

  it('a tensor named __proto__ is an own entry in both readers, not a prototype', async () => {
    const json = `{"__proto__":${f32([1], 0, 4)}}`;
    const name = file(json, Buffer.from(new Float32Array([7]).buffer));
    const { tensors } = mx.loadSafetensors(name);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(tensors, '__proto__')!.value.shape).toEqual([1]);
    const host = await readSafetensors(name);
    expect(Object.keys(host)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(host)).toBe(Object.prototype);
  });

  it('a file shorter than the length word', async () => {
    const name = path.join(dir, 'short.safetensors');
    writeFileSync(name, Buffer.from([1, 2, 3, 4, 5]));
    await expectRefused(name, 'file is 5 bytes, too short for a safetensors header');
  });

  it('a header length past the end of the file, or past the limit', async () => {
    const json = `{"a":${f32([1], 0, 4)}}`;
    const past = file(json, Buffer.alloc(4), 1000n);
    await expectRefused(past, `header length 1000 runs past the end of the file (${8 + json.length + 4} bytes)`);
    const huge = file(json, Buffer.alloc(4), 1n << 40n);
    await expectRefused(huge, 'header length 1099511627776 exceeds the limit of 104857600 bytes');
  });

  it('a header that is not well-formed JSON', async () => {
    const json = `{"a":${f32([1], 0, 4)}`;
    const name = file(json, Buffer.alloc(4));
    const native = nativeError(name);
    expect(native.code).toBe('ERR_INVALID_INPUT');
    expect(native.message).toBe(`${name}: unexpected end of JSON in header (at byte ${8 + json.length})`);
    const host = await hostError(name);
    expect(host.code).toBe('ERR_INVALID_INPUT');
    expect(host.message).toMatch(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: header is not valid JSON \\(`));
  });

  it('an unknown dtype', async () => {
    const json = '{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}';
    await expectRefused(file(json, Buffer.alloc(16)), "tensor 'w': unknown dtype 'F128'", at(json, '"F128"'));
  });

  it('data offsets past the data section', async () => {
    const json = `{"w":${f32([4], 0, 16)}}`;
    await expectRefused(file(json, Buffer.alloc(8)), "tensor 'w': data_offsets [0, 16] run past the end of the data section (8 bytes)",
      at(json, '[0,16]'));
  });

  it('data offsets out of order', async () => {
    const json = `{"w":${f32([0], 8, 4)}}`;
    await expectRefused(file(json, Buffer.alloc(8)), "tensor 'w': data_offsets [8, 4] are not ordered", at(json, '[8,4]'));
  });

  it('a size that does not match shape and dtype', async () => {
    const json = `{"w":${f32([3], 0, 8)}}`;
    await expectRefused(file(json, Buffer.alloc(8)), "tensor 'w': data_offsets [0, 8] hold 8 bytes; shape [3] of F32 needs 12",
      at(json, '{"dtype"'));
  });

  it('a shape whose byte size overflows 64 bits', async () => {
    const json = `{"w":${f32([4294967296, 4294967296], 0, 8)}}`;
    const name = file(json, Buffer.alloc(8));
    const native = nativeError(name);
    expect(native.message).toBe(`${name}: tensor 'w': shape [4294967296, 4294967296] overflows 64 bits (at byte ${at(json, '{"dtype"')})`);
    const host = await hostError(name);
    expect(host.message).toBe(`${name}: tensor 'w': data_offsets [0, 8] hold 8 bytes; shape [4294967296, 4294967296] of F32 needs 73786976294838206464`);
  });

  it('overlapping tensors', async () => {
    const json = `{"a":${f32([2], 0, 8)},"b":${f32([2], 4, 12)}}`;
    await expectRefused(file(json, Buffer.alloc(12)), "tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]", at(json, '{"dtype":"F32","shape":[2],"data_offsets":[4'));
  });

  it('negative dimensions, a rank past the limit, missing and unexpected fields', async () => {
    const negative = `{"w":${f32([-1], 0, 0)}}`;
    const native = nativeError(file(negative));
    expect(native.message).toMatch(/tensor 'w': negative dimension -1 \(at byte \d+\)$/);
    const deep = `{"w":${f32(Array(65).fill(1), 0, 4)}}`;
    expect(nativeError(file(deep, Buffer.alloc(4))).message).toMatch(/tensor 'w': rank exceeds 64 \(at byte \d+\)$/);
    const missing = '{"w":{"dtype":"F32","shape":[1]}}';
    await expectRefused(file(missing, Buffer.alloc(4)), 'tensor \'w\': needs "dtype", "shape" and "data_offsets"', at(missing, '{"dtype"'));
    const extra = `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`;
    await expectRefused(file(extra, Buffer.alloc(4)), 'tensor \'w\': unexpected or repeated field "x"', at(extra, '"x"'));
  });

  it('a model folder with a malformed shard names the shard and tensor', () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-weights-'));
    const json = `{"w":${f32([4], 0, 16)}}`;
    const shard = path.join(folder, 'model.safetensors');
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(shard, Buffer.concat([prefix, Buffer.from(json), Buffer.alloc(8)]));
    let error: unknown;
    try {
      nn.loadWeightsFromDir(folder);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MlxOnnxError);
    expect((error as MlxOnnxError).code).toBe('ERR_INVALID_INPUT');
    expect((error as MlxOnnxError).message).toBe(
      `${shard}: tensor 'w': data_offsets [0, 16] run past the end of the data section (8 bytes) (at byte ${at(json, '[0,16]')})`);
  });
});
