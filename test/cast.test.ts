// convert's dtype: float32 functions cast to float16 and bfloat16 run in ONNX Runtime with
// inputs and outputs of the new dtype and match MLX's own run of the same function with
// its weights and inputs cast the same way; constants round bit for bit as MLX rounds
// them; the onnx checker passes; --verify compares with the original function.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert, inspect, readSafetensors, verify } from '../dist/index.js';
import { CAST_TOLERANCE, castFloats, compareArrays, isFloat } from '../dist/tensors.js';
import type { CastDType, ConvertOptions, HostArray } from '../dist/types.js';
import { runOnnx } from '../dist/verify.js';
import { fixture } from './setup/fixtures-manifest.js';
import { CLI, PYTHON, ROOT } from './setup/paths.js';

const outDir = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-cast-'));
const written: string[] = [];
// ONNX Runtime and MLX both compute in the cast dtype, each rounding its own way.
const TOLERANCE = { float16: { atol: 1e-2, rtol: 1e-2 }, bfloat16: { atol: 5e-2, rtol: 5e-2 } };
const MODELS: Array<[string, ConvertOptions]> = [
  ['mlp', {}],
  ['transformer_block', {}],
  ['quantized', {}],
  ['quantized', { target: 'ort' }],
];

// onnxruntime-node cannot feed or read bfloat16 tensors: a bfloat16 model runs with exact
// Casts from and to float32 added at its inputs and outputs (test/tools/widen_io.py).
async function runCast(onnxPath: string, feeds: HostArray[], dtype: CastDType): Promise<HostArray> {
  if (dtype !== 'bfloat16') {
    const output = (await runOnnx(onnxPath, feeds)).outputs[0]!;
    expect(output.dtype).toBe(dtype);
    return output;
  }
  const widened = onnxPath.replace(/\.onnx$/, '.float32-io.onnx');
  const result = execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'widen_io.py'), onnxPath, widened], { encoding: 'utf8' });
  expect(JSON.parse(result).widened).toContain('output_0');
  const run = await runOnnx(widened, feeds.map((f) => (f.dtype === 'bfloat16' ? castFloats(f, 'float32') : f)));
  expect(run.outputs[0]!.dtype).toBe('float32');
  return castFloats(run.outputs[0]!, 'bfloat16');
}

describe.each(['float16', 'bfloat16'] as const)('cast to %s', (dtype) => {
  it.each(MODELS)('%s %o matches MLX running it with cast weights', async (name, options) => {
    const file = fixture(`cast_${name}.mlxfn`);
    const out = path.join(outDir, `${name}_${options.target ?? 'standard'}_${dtype}.onnx`);
    const report = await convert(file, out, { ...options, dtype });
    written.push(out);
    expect(report.dtype).toBe(dtype);
    const original = (await inspect(file)).traces[0]!;
    expect(report.inputs.map((i) => i.dtype)).toEqual(original.inputs.map((i) => (isFloat(i.dtype) ? dtype : i.dtype)));
    expect(report.outputs.map((o) => o.dtype)).toEqual([dtype]);

    const inputs = await readSafetensors(fixture(`cast_${name}.inputs.safetensors`));
    const feeds = original.inputs.map((i) => (isFloat(i.dtype) ? castFloats(inputs[i.name]!, dtype) : inputs[i.name]!));
    const actual = await runCast(out, feeds, dtype);
    const expected = (await readSafetensors(fixture(`cast_${name}.${dtype}.outputs.safetensors`))).output_0!;
    const { atol, rtol } = TOLERANCE[dtype];
    const diff = compareArrays(actual, expected, atol, rtol);
    expect(diff.pass, `max abs error ${diff.maxAbsError} (atol ${atol}, rtol ${rtol})`).toBe(true);
  });

  it('constants round bit for bit as MLX casts them (ties to even, subnormals, NaN), finite overflow saturating', async () => {
    const out = path.join(outDir, `rounding_${dtype}.onnx`);
    await convert(fixture('cast_rounding.mlxfn'), out, { dtype });
    written.push(out);
    const inputs = await readSafetensors(fixture('cast_rounding.inputs.safetensors'));
    const actual = await runCast(out, [castFloats(inputs.input_0!, dtype)], dtype);
    const expected = (await readSafetensors(fixture(`cast_rounding.${dtype}.outputs.safetensors`))).output_0!;
    expect(Buffer.from(actual.data).toString('hex')).toBe(Buffer.from(expected.data).toString('hex'));
  });
});

describe('verification of casts', () => {
  it('--verify compares a float16 cast with the original float32 function at the cast tolerances', async () => {
    const report = await convert(fixture('cast_transformer_block.mlxfn'), path.join(outDir, 'verify_f16.onnx'), { dtype: 'float16', verify: true });
    expect(report.verify!.pass).toBe(true);
    expect(report.verify!.outputs[0]).toMatchObject({ dtype: 'float32', ...CAST_TOLERANCE.float16 });
  });

  it('--verify checks a bfloat16 cast through a twin with float32 inputs and outputs, then removes it', async () => {
    const dir = mkdtempSync(path.join(outDir, 'bf16-'));
    const report = await convert(fixture('cast_transformer_block.mlxfn'), path.join(dir, 'block.onnx'), { dtype: 'bfloat16', verify: true });
    expect(report.outputs[0]!.dtype).toBe('bfloat16');
    expect(report.verify!.pass).toBe(true);
    expect(report.verify!.outputs[0]).toMatchObject({ dtype: 'float32', ...CAST_TOLERANCE.bfloat16 });
    expect(readdirSync(dir)).toEqual(['block.onnx']);
  });

  it('verify() of a bfloat16 file with bfloat16 inputs or outputs is ERR_INVALID_ARGUMENT', async () => {
    const out = path.join(outDir, 'verify_bf16.onnx');
    await convert(fixture('cast_mlp.mlxfn'), out, { dtype: 'bfloat16' });
    const error = await verify(fixture('cast_mlp.mlxfn'), out, { dtype: 'bfloat16' }).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe("a model cast to bfloat16 has bfloat16 inputs or outputs, which onnxruntime-node cannot feed or read; verify it with convert (verify option, or --verify), which runs a twin with the function's own input and output dtypes");
  });
});

describe('other casts', () => {
  it('an additive causal mask made with float32\'s lowest value stays a mask in float16 (no NaN)', async () => {
    const report = await convert(fixture('model_nn_transformer.mlxfn'), path.join(outDir, 'mask_f16.onnx'), { dtype: 'float16', verify: true });
    expect(report.verify!.outputs[0]!.pass).toBe(true);
    expect(report.verify!.outputs[0]!.maxAbsError).toBeLessThan(CAST_TOLERANCE.float16.atol);
  });

  it('a float16 trace cast to float32 has float32 inputs and outputs and verifies against MLX', async () => {
    const report = await convert(fixture('two_traces.mlxfn'), path.join(outDir, 'up.onnx'), { trace: 1, dtype: 'float32', verify: true });
    expect(report.inputs[0]!.dtype).toBe('float32');
    expect(report.outputs[0]!.dtype).toBe('float32');
    expect(report.verify!.pass).toBe(true);
    expect(report.verify!.outputs[0]).toMatchObject({ dtype: 'float16', ...CAST_TOLERANCE.float16 });
  });

  it('16 MB of float32 weights become 8 MB of float16 external data and still verify', async () => {
    const out = path.join(outDir, 'weights_f16.onnx');
    const report = await convert(fixture('weights_16mb.mlxfn'), out, { dtype: 'float16', externalData: 'always', verify: true });
    expect(statSync(`${out}.data`).size).toBe(8 * 1024 * 512 * 2);
    expect(report.verify!.pass).toBe(true);
  });

  it.each(['fp16', 'int32', 'float64', ''])('dtype %j is ERR_INVALID_ARGUMENT', async (dtype) => {
    const error = await convert(fixture('valid.mlxfn'), path.join(outDir, 'bad.onnx'), { dtype: dtype as CastDType }).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe(`dtype must be 'float16', 'bfloat16' or 'float32', not '${dtype}'`);
  });

  it('a function that views float bits, or has complex values, cannot be cast (ERR_INVALID_ARGUMENT)', async () => {
    const view = await convert(fixture('misc_view_const_f32_i32.mlxfn'), path.join(outDir, 'view.onnx'), { dtype: 'float16' }).catch((e) => e);
    expect(view.code).toBe('ERR_INVALID_ARGUMENT');
    expect(view.message).toBe('the function views the bits of float32 values as another type; it cannot be cast to float16');
    const complex = await convert(fixture('unsupported.mlxfn'), path.join(outDir, 'complex.onnx'), { dtype: 'bfloat16' }).catch((e) => e);
    expect(complex.code).toBe('ERR_INVALID_ARGUMENT');
    expect(complex.message).toBe('a function with complex64 values cannot be cast to bfloat16');
  });

  it('the CLI casts with --dtype and rejects other types (exit 1)', () => {
    const out = path.join(outDir, 'cli.onnx');
    const ok = spawnSync(process.execPath, [CLI, 'convert', fixture('cast_mlp.mlxfn'), '-o', out, '--dtype', 'float16', '--verify', '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.dtype).toBe('float16');
    expect(report.verify.pass).toBe(true);
    const bf16 = spawnSync(process.execPath, [CLI, 'convert', fixture('cast_mlp.mlxfn'), '-o', out, '--dtype', 'bfloat16', '--verify', '--json'], { encoding: 'utf8' });
    expect(bf16.status).toBe(0);
    expect(JSON.parse(bf16.stdout).verify.outputs[0]).toMatchObject({ pass: true, ...CAST_TOLERANCE.bfloat16 });
    const bad = spawnSync(process.execPath, [CLI, 'convert', fixture('cast_mlp.mlxfn'), '-o', out, '--dtype', 'half'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("mlx-onnx: ERR_INVALID_ARGUMENT: dtype must be 'float16', 'bfloat16' or 'float32', not 'half'\n");
  });
});

// Runs after the conversions above (tests in a file run in order).
describe('onnx checker', () => {
  it('passes check_model(full_check=True) on every cast model', () => {
    expect(written.length).toBe(2 * (MODELS.length + 1));
    const output = execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'check_onnx.py'), ...written], { encoding: 'utf8' });
    const { results } = JSON.parse(output) as { results: Array<{ path: string; ok: boolean; error?: string }> };
    expect(results.filter((r) => !r.ok).map((r) => `${path.basename(r.path)}: ${r.error}`)).toEqual([]);
  });
});
