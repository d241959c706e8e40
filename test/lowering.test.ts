// Every lowering case (test/cases/*.py): converted, run in ONNX Runtime and compared
// with MLX Python's outputs and with MLX C++ (the package's own verify); the ONNX
// passes the official checker. And every lowered primitive has a case.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert, inspect, ops, readSafetensors, verify } from '../dist/index.js';
import { compareArrays } from '../dist/tensors.js';
import { runOnnx } from '../dist/verify.js';
import { fixture, loadManifest } from './setup/fixtures-manifest.js';
import { PYTHON, ROOT } from './setup/paths.js';

const manifest = loadManifest();
const outDir = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-lowering-'));
const written: string[] = [];
const seenPrimitives = new Set<string>();

describe.each([...new Set(manifest.cases.map((c) => c.family))])('%s rules', (family) => {
  it.each(manifest.cases.filter((c) => c.family === family).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const info = await inspect(fixture(c.file));
    for (const op of Object.keys(info.traces[0]!.opHistogram)) seenPrimitives.add(op);
    for (const op of c.covers) expect(info.traces[0]!.opHistogram, `${c.name} records ${op}`).toHaveProperty(op);

    const onnxPath = path.join(outDir, `${c.name}.onnx`);
    const converted = await convert(fixture(c.file), onnxPath, c.options);
    written.push(onnxPath);
    if (c.onnxOps) expect(converted.onnxOpHistogram).toEqual(c.onnxOps);

    // Against MLX Python's outputs for the same inputs.
    const inputs = await readSafetensors(fixture(c.inputs));
    const expected = await readSafetensors(fixture(c.outputs));
    const ordered = info.traces[0]!.inputs.map((i) => inputs[i.name]!);
    const run = await runOnnx(onnxPath, ordered);
    expect(run.outputs).toHaveLength(Object.keys(expected).length);
    run.outputs.forEach((actual, i) => {
      const reference = expected[`output_${i}`]!;
      expect(actual.shape, `output_${i} shape`).toEqual(reference.shape);
      const diff = compareArrays(actual, reference, c.atol, c.rtol);
      expect(diff.pass, `output_${i}: max abs error ${diff.maxAbsError} (atol ${c.atol}, rtol ${c.rtol})`).toBe(true);
    });

    // Against MLX C++ through the package's verify.
    if (!c.mlxVerifiable) return;
    const report = await verify(fixture(c.file), onnxPath, { inputs, atol: c.atol, rtol: c.rtol });
    expect(report.outputs.map((o) => [o.name, o.pass])).toEqual(report.outputs.map((o) => [o.name, true]));
  });
});

describe('coverage', () => {
  it('every lowered or decomposed primitive is exercised by a case', () => {
    const lowered = ops().filter((o) => o.status !== 'unsupported').map((o) => o.name);
    // Primitives MLX removes before writing a file (Copy, StopGradient) cannot occur in one.
    const neverRecorded = new Set(['Copy', 'StopGradient']);
    const missing = lowered.filter((name) => !neverRecorded.has(name) && !seenPrimitives.has(name));
    expect(missing).toEqual([]);
  });
});

// The official onnx checker over everything written above, in one Python process.
// Runs after the cases above (tests in a file run in order).
describe('onnx checker', () => {
  it('passes check_model(full_check=True) on every converted case', () => {
  expect(written.length).toBe(manifest.cases.length);
  const output = execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'check_onnx.py'), ...written], { encoding: 'utf8' });
  const { results } = JSON.parse(output) as { results: Array<{ path: string; ok: boolean; error?: string }> };
  const failures = results.filter((r) => !r.ok).map((r) => `${path.basename(r.path)}: ${r.error}`);
  expect(failures).toEqual([]);
  });
});
