// Shapeless exports: symbolic input dimensions, and the ONNX model runs at other sizes
// with results matching MLX at those sizes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert, inspect, mx, readSafetensors, verify } from '../dist/index.js';
import { randomArray } from '../dist/tensors.js';
import { fixture } from './setup/fixtures-manifest.js';
import { DOUBLE, onnxElementTypes } from './setup/onnx-types.js';
import { PYTHON, ROOT } from './setup/paths.js';

const workDir = () => mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-dynamic-'));

function tokenIds(batch: number, length: number, seed: number) {
  const ids = randomArray('int32', [batch, length], seed);
  const view = new Int32Array(ids.data.buffer, ids.data.byteOffset, batch * length);
  view.forEach((_, i) => (view[i] = (i * 7 + seed) % 50)); // valid token ids
  return ids;
}

describe('shapeless exports', () => {
  it('name every input dimension by default', async () => {
    const report = await convert(fixture('shapeless_block.mlxfn'), path.join(workDir(), 'b.onnx'));
    expect(report.inputs).toEqual([{ name: 'input_0', shape: [1, 5], dtype: 'int32' }]);
    const { execFileSync } = await import('node:child_process');
    const { PYTHON } = await import('./setup/paths.js');
    const dims = execFileSync(PYTHON, ['-c',
      'import onnx,sys; m=onnx.load(sys.argv[1]); print([d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim])',
      report.output], { encoding: 'utf8' }).trim();
    expect(dims).toBe("['input_0_0', 'input_0_1']");
  });

  it.each([[1, 3], [2, 8], [3, 17]])('runs at batch %i, sequence %i and matches MLX there', async (batch, length) => {
    const out = path.join(workDir(), 'block.onnx');
    await convert(fixture('shapeless_block.mlxfn'), out, { dynamic: { input_0: { 0: 'batch', 1: 'sequence' } } });
    const report = await verify(fixture('shapeless_block.mlxfn'), out, {
      inputs: { input_0: tokenIds(batch, length, batch + length) }, atol: 1e-4, rtol: 1e-3,
    });
    expect(report.outputs.map((o) => o.shape)).toEqual([[batch, length, 32], [batch, 32]]);
    expect(report.pass).toBe(true);
  });

  it('refuses dynamic dimensions for a file with fixed shapes', async () => {
    const error = await convert(fixture('valid.mlxfn'), path.join(workDir(), 'x.onnx'), { dynamic: { input_0: { 0: 'batch' } } }).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe('dynamic dimensions need a file exported with shapeless=True, or traces merged; this one has fixed shapes');
  });

  it('refuses a dynamic dimension of an unknown input or axis', async () => {
    const dir = workDir();
    const unknown = await convert(fixture('shapeless_block.mlxfn'), path.join(dir, 'x.onnx'), { dynamic: { ids: { 0: 'b' } } }).catch((e) => e);
    expect(unknown.message).toBe("dynamic dimension of unknown input 'ids'");
    const axis = await convert(fixture('shapeless_block.mlxfn'), path.join(dir, 'x.onnx'), { dynamic: { input_0: { 5: 'b' } } }).catch((e) => e);
    expect(axis.message).toBe("input 'input_0' has no axis 5");
  });
});

// Sizes known at export time are constants in the ONNX graph; only those that follow a
// named input dimension are read with Shape at run time. x is [batch, sequence, 8]. MLX's
// own import of a shapeless file does not run this function at other sizes, so the
// reference there is the function run by MLX directly.
describe('shapeless exports with fixed and dynamic dimensions', () => {
  const weight = mx.array(Array.from({ length: 32 }, (_, i) => Math.sin(i)), [8, 4]);
  const fn = (x: mx.MxArray) => {
    const centred = mx.subtract(x, mx.mean(x, -1, true)); // NumberOfElements over the fixed axis
    const pooled = mx.mean(x, 1, true); // ... and over the dynamic one
    const y = mx.matmul(mx.add(centred, pooled), weight); // [batch, sequence, 4]
    return [y, mx.transpose(mx.expandDims(y, 1), [0, 1, 3, 2]), mx.softmax(mx.multiply(y, 2), -1)];
  };
  const dir = workDir();
  const onnx = path.join(dir, 'mixed.onnx');
  let report: Awaited<ReturnType<typeof convert>>;

  it('converts with no float64, no broadcast copies and Shape only for the dynamic sizes', async () => {
    report = await mx.trace(fn, [{ shape: [2, 3, 8] }], { shapeless: true })
      .toOnnx(onnx, { dynamic: { input_0: { 0: 'batch', 1: 'sequence' } } });
    expect(report.onnxOpHistogram).not.toHaveProperty('Expand');
    // The sequence mean's element count is read at run time (in float32); the fixed axis's is a constant.
    expect(report.onnxOpHistogram.Shape).toBe(1);
    expect(onnxElementTypes(onnx)).not.toContain(DOUBLE);
    expect(report.inputs).toEqual([{ name: 'input_0', shape: [2, 3, 8], dtype: 'float32' }]);
  });

  it.each([[1, 1], [2, 3], [3, 7]])('runs at batch %i, sequence %i and matches MLX there (atol 1e-5)', async (batch, length) => {
    const input = Float32Array.from({ length: batch * length * 8 }, (_, i) => Math.cos(i * 0.37) * 3);
    const session = await ort.InferenceSession.create(onnx);
    const got = await session.run({ input_0: new ort.Tensor('float32', input, [batch, length, 8]) });
    const want = fn(mx.array(input, [batch, length, 8]));
    session.outputNames.forEach((name, i) => {
      expect(got[name]!.dims).toEqual(want[i]!.shape);
      const a = got[name]!.data as Float32Array;
      const b = want[i]!.toTypedArray() as Float32Array;
      expect(Math.max(...a.map((v, j) => Math.abs(v - b[j]!)))).toBeLessThan(1e-5);
    });
  });
});

// A Slice names only the axes it cuts: whole axes stay out, so a dynamic axis keeps its
// run-time size and no layout rewrite can put the axes out of order (docs/webgpu.md, bug 2).
describe('Slice', () => {
  it('lists only the axes it cuts, and matches MLX', async () => {
    const fn = (x: mx.MxArray) => [mx.slice(x, [0, 0, 0, 8], [1, 2, 7, 16]), mx.slice(x, [0, 1, 0, 0], [1, 2, 7, 16], [1, 1, 2, 3])];
    const onnx = path.join(workDir(), 'slice.onnx');
    await mx.trace(fn, [{ shape: [1, 2, 7, 16] }]).toOnnx(onnx);
    const axes = execFileSync(PYTHON, ['-c', SLICE_AXES, onnx], { encoding: 'utf8' }).trim();
    expect(axes).toBe('[[3], [1, 2, 3]]');
    const input = Float32Array.from({ length: 224 }, (_, i) => i);
    const session = await ort.InferenceSession.create(onnx);
    const got = await session.run({ input_0: new ort.Tensor('float32', input, [1, 2, 7, 16]) });
    const want = fn(mx.array(input, [1, 2, 7, 16]));
    session.outputNames.forEach((name, i) => {
      expect(got[name]!.dims).toEqual(want[i]!.shape);
      expect(Array.from(got[name]!.data as Float32Array)).toEqual(Array.from(want[i]!.toTypedArray() as Float32Array));
    });
  });
});

// The axes input of each Slice node, in order.
const SLICE_AXES = `
import onnx, sys
from onnx import numpy_helper
g = onnx.load(sys.argv[1]).graph
init = {t.name: numpy_helper.to_array(t).tolist() for t in g.initializer}
print([init[n.input[3]] for n in g.node if n.op_type == 'Slice'])
`;

// Shapeless exports as people write them (test/tools/shapeless_exports.py): mlx-lm models
// traced at (1, 12), whose sizes MLX bakes, convert with those input axes fixed and a
// warning naming what fixes them; a Whisper-style encoder written with sizes that follow
// its input stays dynamic and matches MLX (run eagerly) at sizes never traced.
describe('shapeless exports as people write them', () => {
  const dir = workDir();
  // Tensors of a safetensors file (copied: their bytes may not be aligned in the file).
  const floats = (a: { data: Uint8Array }) => new Float32Array(new Uint8Array(a.data).buffer);
  const ortTensor = (a: { dtype: string; data: Uint8Array; shape: number[] }) => a.dtype === 'int32'
    ? new ort.Tensor('int32', new Int32Array(new Uint8Array(a.data).buffer), a.shape)
    : new ort.Tensor('float32', floats(a), a.shape);
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

  beforeAll(() => {
    execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'shapeless_exports.py'), dir]);
  }, 120_000);

  it.each(['llama', 'qwen3', 'gemma2', 'phi3', 'gpt2', 'whisper_baked'])(
    '%s: the baked axes are kept at their traced sizes, named in warnings and by inspect, and the file runs there',
    async (name) => {
      const file = path.join(dir, `${name}.mlxfn`);
      const onnx = path.join(dir, `${name}.onnx`);
      const report = await convert(file, onnx);
      const traced = report.inputs[0]!.shape;
      for (const axis of [0, 1]) {
        expect(report.warnings).toContainEqual(expect.stringMatching(
          new RegExp(`^input 'input_0' axis ${axis} is kept at ${traced[axis]}: [A-Za-z]+ `)));
      }
      const info = await inspect(file);
      expect(info.traces[0]!.inputs[0]!.varies!.slice(0, 2)).toEqual([false, false]);
      expect(info.traces[0]!.shapeWarnings).toEqual(report.warnings);
      const refs = await readSafetensors(path.join(dir, `${name}.safetensors`));
      const session = await ort.InferenceSession.create(onnx);
      const out = await session.run({ input_0: ortTensor(refs.input_0!) });
      expect(maxDiff(out[session.outputNames[0]!]!.data as Float32Array, floats(refs.output_0!))).toBeLessThanOrEqual(1e-4);
      // Declared fixed: another size is refused by ONNX Runtime's input check, not run wrong.
      const other = [traced[0]! + 1, ...traced.slice(1)];
      const wider = refs.input_0!.dtype === 'int32' ? new ort.Tensor('int32', new Int32Array(other.reduce((x, y) => x * y, 1)), other)
        : new ort.Tensor('float32', new Float32Array(other.reduce((x, y) => x * y, 1)), other);
      await expect(session.run({ input_0: wider })).rejects.toThrow(/invalid dimensions/);
    });

  it('a Whisper-style encoder written to follow its input stays dynamic and matches MLX at three sizes never traced', async () => {
    const file = path.join(dir, 'whisper_dynamic.mlxfn');
    const onnx = path.join(dir, 'whisper_dynamic.onnx');
    const report = await convert(file, onnx);
    // Only the mel channels, contracted with the convolution's weight, stay fixed.
    expect(report.warnings).toEqual(["input 'input_0' axis 2 is kept at 16: Convolution contracts varying channels with a fixed weight"]);
    expect((await inspect(file)).traces[0]!.inputs[0]!.varies).toEqual([true, true, false]);
    const refs = await readSafetensors(path.join(dir, 'whisper_dynamic.safetensors'));
    const session = await ort.InferenceSession.create(onnx);
    for (const k of [1, 2, 3]) {
      const input = refs[`input_${k}`]!;
      const expected = refs[`output_${k}`]!;
      const out = (await session.run({ input_0: ortTensor(input) }))[session.outputNames[0]!]!;
      expect(out.dims).toEqual(expected.shape);
      expect(maxDiff(out.data as Float32Array, floats(expected))).toBeLessThanOrEqual(1e-4);
    }
  });

  // recoverShapes (experimental): reshape sizes MLX recorded at the traced batch and length
  // (`B, L = x.shape; x.reshape(B, L, heads, -1)`) are read from the input at run time.
  describe('with recovered sizes', () => {
    it.each([['llama', 16, 4], ['qwen3', 16, 4], ['gemma2', 24, 5], ['gpt2', 32, 1]])('%s becomes fully dynamic and matches MLX at (2, 5), (1, 31) and (3, 17)', async (name, sizes, aranges) => {
      const onnx = path.join(dir, `${name}-recovered.onnx`);
      const report = await convert(path.join(dir, `${name}.mlxfn`), onnx, { recoverShapes: true });
      expect(report.warnings).toEqual([
        `${sizes} reshape size(s) and ${aranges} arange length(s) recorded at traced values are read from the inputs at run time (recoverShapes)`,
      ]);
      const refs = await readSafetensors(path.join(dir, `${name}.safetensors`));
      const session = await ort.InferenceSession.create(onnx);
      for (const k of [1, 2, 3]) {
        const out = (await session.run({ input_0: ortTensor(refs[`input_${k}`]!) }))[session.outputNames[0]!]!;
        expect(out.dims).toEqual(refs[`output_${k}`]!.shape);
        expect(maxDiff(out.data as Float32Array, floats(refs[`output_${k}`]!))).toBeLessThanOrEqual(1e-4);
      }
    });

    // Baked where recovery does not reach: phi3's rope writes with a slice update.
    it('phi3 stays fixed, naming SliceUpdate', async () => {
      const report = await convert(path.join(dir, 'phi3.mlxfn'), path.join(dir, 'phi3-recovered.onnx'), { recoverShapes: true });
      expect(report.warnings[0]).toMatch(/^input 'input_0' axis 0 is kept at 1: SliceUpdate /);
    });

    it('is refused when not a boolean', async () => {
      const error = await convert(path.join(dir, 'llama.mlxfn'), path.join(dir, 'x.onnx'), { recoverShapes: 'yes' as never }).catch((e) => e);
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.message).toBe('recoverShapes must be a boolean');
    });
  });

  // mergeTraces: the same functions traced with fixed shapes at two sizes, one mx.exporter
  // call each ((1, 12) and (2, 7) token ids; 40 frames of batch 1 and 52 of batch 2).
  describe('with traces merged', () => {
    const dimsOf = (onnx: string) => execFileSync(PYTHON, ['-c',
      'import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print([[d.dim_param or d.dim_value or \'?\' for d in v.type.tensor_type.shape.dim] for v in [*m.graph.input, *m.graph.output]])',
      onnx], { encoding: 'utf8' }).trim();
    const runAt = async (onnx: string, name: string, sizes: number[]) => {
      const refs = await readSafetensors(path.join(dir, `${name}.safetensors`));
      const session = await ort.InferenceSession.create(onnx);
      for (const k of sizes) {
        const out = (await session.run({ input_0: ortTensor(refs[`input_${k}`]!) }))[session.outputNames[0]!]!;
        expect(out.dims).toEqual(refs[`output_${k}`]!.shape);
        expect(maxDiff(out.data as Float32Array, floats(refs[`output_${k}`]!))).toBeLessThanOrEqual(1e-4);
      }
    };

    it.each(['llama', 'qwen3', 'gemma2', 'phi3', 'gpt2', 'whisper_baked', 'whisper_dynamic'])(
      '%s becomes fully dynamic, passes the onnx checker and matches MLX run eagerly at three sizes never traced', async (name) => {
        const onnx = path.join(dir, `${name}-merged.onnx`);
        const file = path.join(dir, `${name}_traces.mlxfn`);
        const report = await convert(file, onnx, { mergeTraces: true });
        expect(report.warnings).toEqual([]);
        expect(report.mergedTraces).toBe(2);
        const whisper = name.startsWith('whisper');
        const info = await inspect(file);
        expect(info.merged!.inputs[0]!.varies).toEqual(whisper ? [true, true, false] : [true, true]);
        expect(info.merged!.shapeWarnings).toBeUndefined();
        // The mel channels are 16 in both traces, so they stay fixed.
        expect(dimsOf(onnx)).toBe(whisper ? "[['input_0_0', 'input_0_1', 16], ['?', '?', 32]]"
          : "[['input_0_0', 'input_0_1'], ['?', '?', 128]]");
        await runAt(onnx, name, [1, 2, 3]);
      });

    it('checks each trace against MLX with verify, and names the dimensions given', async () => {
      const onnx = path.join(dir, 'whisper-named.onnx');
      const report = await convert(path.join(dir, 'whisper_baked_traces.mlxfn'), onnx,
        { mergeTraces: true, dynamic: { input_0: { 0: 'batch', 1: 'frames' } }, verify: true });
      expect(report.verify!.pass).toBe(true);
      expect(report.verify!.outputs.map((o) => [o.trace, o.shape])).toEqual([[0, [1, 20, 32]], [1, [2, 26, 32]]]);
      expect(dimsOf(onnx)).toBe("[['batch', 'frames', 16], ['?', '?', 32]]");
    });

    it('keeps the dimensions a size that no function fits follows fixed, and says why', async () => {
      const onnx = path.join(dir, 'halving-merged.onnx');
      const report = await convert(path.join(dir, 'halving_traces.mlxfn'), onnx, { mergeTraces: true });
      expect(report.warnings).toEqual([
        "input 'input_0' axis 0 is kept at 1: Slice records its end differently in each trace",
        "input 'input_0' axis 1 is kept at 12: Slice records its end differently in each trace",
      ]);
      expect(dimsOf(onnx)).toBe('[[1, 12], [1, 9]]');
      const info = await inspect(path.join(dir, 'halving_traces.mlxfn'));
      expect(info.merged!.inputs[0]!.varies).toEqual([false, false]);
      expect(info.merged!.shapeWarnings).toEqual(report.warnings);
    });

    it('refuses traces of different primitives, naming the first', async () => {
      const error = await convert(path.join(dir, 'branching_traces.mlxfn'), path.join(dir, 'x.onnx'), { mergeTraces: true }).catch((e) => e);
      expect(error.code).toBe('ERR_INVALID_INPUT');
      expect(error.message).toBe('trace 1 differs from trace 0 at primitive 1 (Multiply), where it records Add: merging needs one function traced at different input sizes');
      expect((await inspect(path.join(dir, 'branching_traces.mlxfn'))).mergeError).toBe(error.message);
    });

    it.each([
      ['llama.mlxfn', { mergeTraces: true }, 'merging traces needs a file with two or more traces; this one holds 1'],
      ['whisper_baked_traces.mlxfn', { mergeTraces: true, dynamic: { input_0: { 2: 'mels' } } },
        "input 'input_0' axis 2 has the same size in every trace, so it cannot be dynamic; add a trace at another size"],
      ['llama_traces.mlxfn', { mergeTraces: true, trace: 1 }, 'trace cannot be chosen when the traces are merged'],
      ['llama_traces.mlxfn', { mergeTraces: 'yes' }, 'mergeTraces must be a boolean'],
    ])('%s with %j is refused', async (file, options, message) => {
      const error = await convert(path.join(dir, file), path.join(dir, 'x.onnx'), options as never).catch((e) => e);
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.message).toBe(message);
    });
  });
});
