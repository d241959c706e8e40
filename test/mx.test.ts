// mx in TypeScript: arrays and operations are MLX's own; traced functions become .mlxfn
// files that MLX Python loads and ONNX models that match MLX.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlxOnnxError, mx } from '../dist/index.js';
import { PYTHON } from './setup/paths.js';

const workDir = () => mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-mx-'));

describe('arrays', () => {
  it('are made from numbers and typed arrays, and read back', () => {
    const a = mx.array([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.toTypedArray() as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(mx.array(Int32Array.from([7, 8]), [2], 'int32').toTypedArray()).toEqual(Int32Array.from([7, 8]));
    expect(mx.array([0.1], [1]).astype('float16').item()).toBeCloseTo(0.0999755859375, 10);
    expect(mx.array([1.5], [1]).astype('bfloat16').item()).toBe(1.5);
  });

  it('compute with MLX: elementwise math with numbers, reductions, softmax', () => {
    const a = mx.array([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(Array.from(mx.add(mx.multiply(a, 2), 1).toTypedArray() as Float32Array)).toEqual([3, 5, 7, 9, 11, 13]);
    expect(Array.from(mx.sum(a, 1).toTypedArray() as Float32Array)).toEqual([6, 15]);
    const s = mx.softmax(a).toTypedArray() as Float32Array;
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const z = e[0]! + e[1]! + e[2]!;
    s.slice(0, 3).forEach((v, i) => expect(v).toBeCloseTo(e[i]! / z, 6));
    expect(mx.argmax(a, 1).toTypedArray()).toEqual(Uint32Array.from([2, 2]));
  });

  it('report MLX errors as ERR_INVALID_ARGUMENT', () => {
    const a = mx.array([1, 2, 3, 4, 5, 6], [2, 3]);
    let error: unknown;
    try {
      mx.matmul(a, a);
    } catch (e) {
      error = e;
    }
    expect((error as MlxOnnxError).code).toBe('ERR_INVALID_ARGUMENT');
    expect((error as Error).message).toContain('[matmul] Last dimension of first input with shape (2,3)');
  });

  it('can be disposed early; a disposed array is refused', () => {
    const a = mx.ones([2]);
    a.dispose();
    expect(() => mx.exp(a)).toThrow(/disposed/);
  });
});

describe('trace', () => {
  const key = mx.random.key(3);
  const w = mx.random.normal([8, 4], { key });
  mx.eval(w);
  const fn = (x: ReturnType<typeof mx.ones>) => mx.tanh(mx.matmul(x, w));

  it('writes an .mlxfn that MLX Python imports and runs to the same values', () => {
    const file = path.join(workDir(), 'f.mlxfn');
    const x = mx.random.normal([2, 8], { key: mx.random.key(4) });
    mx.trace(fn, [x]).toMlxfn(file);
    const ours = Array.from(fn(x).toTypedArray() as Float32Array);
    const python = execFileSync(PYTHON, ['-c', `
import mlx.core as mx, json, sys
f = mx.import_function(sys.argv[1])
x = mx.array(json.loads(sys.argv[2])).reshape(2, 8)
print(json.dumps(f(x)[0].flatten().tolist()))`, file, JSON.stringify(Array.from(x.toTypedArray() as Float32Array))], { encoding: 'utf8' });
    JSON.parse(python).forEach((v: number, i: number) => expect(v).toBeCloseTo(ours[i]!, 6));
  });

  it('converts to ONNX that matches MLX', async () => {
    const report = await mx.trace(fn, [{ shape: [3, 8] }]).toOnnx(path.join(workDir(), 'f.onnx'), { verify: true });
    expect(report.verify!.pass).toBe(true);
    expect(report.onnxOpHistogram).toHaveProperty('MatMul');
  });
});

describe('the README example (examples/mlp.mjs)', () => {
  it('runs a TypeScript-built model in MLX and exports a verified ONNX', async () => {
    const { spawnSync } = await import('node:child_process');
    const { ROOT } = await import('./setup/paths.js');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'examples', 'mlp.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('MLX output shape: [ 8, 4 ]');
    expect(r.stdout).toMatch(/ONNX: \d+ nodes, verify pass/);
  });
});
