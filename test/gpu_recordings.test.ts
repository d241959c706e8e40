// Files recorded by the real MLX 0.32.4 on a GPU stream (its CUDA backend, which records the
// fused nodes a Mac records: RMSNorm, LayerNorm, RoPE, ScaledDotProductAttention,
// QuantizedMatmul), with MLX's outputs on the CPU for the same inputs
// (test/fixtures/mlx-cuda-recordings/README.md). MLX on a CPU-only machine cannot load these
// files; each must convert for every target and give MLX's CPU outputs in ONNX Runtime.
// Functions recorded in bfloat16 are converted to float32 (onnxruntime-node has no bfloat16
// tensors) and compared with bfloat16's tolerance.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, inspect, readSafetensors } from '../dist/index.js';
import { compareArrays } from '../dist/tensors.js';
import { runOnnx } from '../dist/verify.js';
import { PYTHON, ROOT } from './setup/paths.js';

const RECORDINGS = path.join(ROOT, 'test', 'fixtures', 'mlx-cuda-recordings');
const manifest = JSON.parse(readFileSync(path.join(RECORDINGS, 'manifest.json'), 'utf8')) as { files: Array<{ name: string; ok: boolean }> };
const names = manifest.files.filter((f) => f.ok).map((f) => f.name);
const TARGETS = ['standard', 'ort', 'web'] as const;

// Tolerances against MLX on the CPU. Fused nodes are lowered to other arithmetic than MLX's
// CPU decomposition, so float32 results agree to rounding; float16 and bfloat16 to their
// precision; the language models carry that through two layers into the logits.
function tolerance(name: string): { atol: number; rtol: number } {
  if (/bf16|bfloat16/.test(name)) return { atol: 5e-2, rtol: 5e-2 };
  if (/float16/.test(name)) return { atol: 2e-2, rtol: 2e-2 };
  if (name.startsWith('lm_')) return { atol: 1e-3, rtol: 1e-3 };
  return { atol: 1e-4, rtol: 1e-4 };
}

const work = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-gpu-recordings-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('MLX files recorded on a GPU stream', () => {
  beforeAll(() => {
    execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'npz_to_safetensors.py'), RECORDINGS, work]);
  });

  it('are all here, and hold fused nodes', async () => {
    expect(names).toHaveLength(25);
    const fused = new Set<string>();
    for (const name of names) {
      for (const op of Object.keys((await inspect(path.join(RECORDINGS, `${name}.mlxfn`))).traces[0]!.opHistogram)) fused.add(op);
    }
    expect([...fused]).toEqual(expect.arrayContaining(['RMSNorm', 'LayerNorm', 'RoPE', 'ScaledDotProductAttention', 'QuantizedMatmul']));
  });

  describe.each(names)('%s', (name) => {
    it.each(TARGETS)('converts for target %s and gives MLX\'s CPU outputs', async (target) => {
      const file = path.join(RECORDINGS, `${name}.mlxfn`);
      const onnx = path.join(work, `${name}-${target}.onnx`);
      const bfloat16 = /bf16|bfloat16/.test(name);
      await convert(file, onnx, { target, ...(bfloat16 ? { dtype: 'float32' as const } : {}) });
      const inputs = await readSafetensors(path.join(work, `${name}.inputs.safetensors`));
      const expected = await readSafetensors(path.join(work, `${name}.outputs.safetensors`));
      const info = await inspect(file);
      const fed = info.traces[0]!.inputs.map((i, k) => {
        const a = inputs[`in${k}`]!;
        return bfloat16 && a.dtype === 'bfloat16' ? { ...a, dtype: 'float32' as const, data: toFloat32(a.data) } : a;
      });
      const run = await runOnnx(onnx, fed);
      const { atol, rtol } = tolerance(name);
      run.outputs.forEach((actual, i) => {
        const reference = expected[`cpu${i}`]!;
        expect(actual.shape).toEqual(reference.shape);
        const diff = compareArrays(actual, reference, atol, rtol);
        expect(diff.pass, `cpu${i}: max abs error ${diff.maxAbsError} (atol ${atol}, rtol ${rtol})`).toBe(true);
      });
    });
  });
});

/** bfloat16 bytes as float32 bytes (the upper half of each float32). */
function toFloat32(bytes: Uint8Array): Uint8Array {
  const halves = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out = new Uint32Array(halves.length);
  halves.forEach((h, i) => (out[i] = h << 16));
  return new Uint8Array(out.buffer);
}
