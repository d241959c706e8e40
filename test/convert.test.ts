// Conversion features: traces, names, keyword inputs, external data, determinism,
// and that the event loop keeps running while a conversion works.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert, inspect, verify } from '../dist/index.js';
import { readOperators } from '../dist/web/onnx-operators.js';
import { fixture } from './setup/fixtures-manifest.js';
import { PYTHON, ROOT } from './setup/paths.js';

const workDir = () => mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-convert-'));

describe('traces and names', () => {
  it('inspect lists every trace of a file', async () => {
    const info = await inspect(fixture('two_traces.mlxfn'));
    expect(info.mlxVersion).toBe('0.32.4');
    expect(info.traces.map((t) => t.inputs[0]!.dtype)).toEqual(['float32', 'float16']);
  });

  it('converts the trace chosen by index, and it matches MLX', async () => {
    const out = path.join(workDir(), 'half.onnx');
    const report = await convert(fixture('two_traces.mlxfn'), out, { trace: 1, verify: true });
    expect(report.inputs).toEqual([{ name: 'input_0', shape: [3], dtype: 'float16' }]);
    expect(report.verify!.pass).toBe(true);
    expect(report.verify!.outputs[0]!.atol).toBe(2e-3);
  });

  it('keyword arguments become inputs named after them', async () => {
    const out = path.join(workDir(), 'kw.onnx');
    const report = await convert(fixture('keywords.mlxfn'), out, { verify: true });
    expect(report.inputs.map((i) => [i.name, i.keyword])).toEqual([['bias', true], ['scale', true]]);
    expect(report.verify!.pass).toBe(true);
  });

  it('renames inputs and outputs', async () => {
    const out = path.join(workDir(), 'named.onnx');
    const report = await convert(fixture('valid.mlxfn'), out, { inputNames: ['x'], outputNames: ['y'], verify: true });
    expect(report.inputs[0]!.name).toBe('x');
    expect(report.outputs[0]!.name).toBe('y');
    expect(report.verify!.outputs[0]!.name).toBe('y');
  });
});

describe('opsets', () => {
  it.each([18, 19, 20, 21, 22, 23])('opset %i: the transformer block loads in ONNX Runtime and matches MLX', async (opset) => {
    const out = path.join(workDir(), `block${opset}.onnx`);
    const report = await convert(fixture('model_transformer_block.mlxfn'), out, { opset, verify: { atol: 1e-4, rtol: 1e-3 } });
    expect(report.opset).toBe(opset);
    expect(report.verify!.pass).toBe(true);
    const checked = JSON.parse(execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'check_onnx.py'), out], { encoding: 'utf8' }));
    expect(checked.results[0]).toMatchObject({ ok: true });
  });
});

// Initializer element types and shapes of an ONNX file, by the official onnx package.
function initializers(file: string): Array<{ name: string; type: number; dims: number[] }> {
  const script = 'import json,sys,onnx\nm=onnx.load(sys.argv[1])\n' +
    'print(json.dumps([dict(name=t.name,type=t.data_type,dims=list(t.dims)) for t in m.graph.initializer]))';
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' }));
}

describe('quantized weights', () => {
  const UINT4 = 21;
  const UINT8 = 2;
  const UINT32 = 12;
  // Linear layers' codes as uint4 [K, N] with uint4 zero points [K / group, N], behind a
  // DequantizeLinear on axis 0 (what ONNX Runtime fuses into MatMulNBits); 8-bit codes as two
  // 4-bit planes. As many code bytes as MLX stores, and no uint32 words left.
  it.each([
    ['quantized_linear_mlp.mlxfn', 1, [[64, 32], [2, 32], [32, 16], [1, 16]]],
    ['quantized_linear_b8_seq.mlxfn', 2, [[128, 32], [4, 32], [128, 32], [4, 32], [32, 8], [1, 8], [32, 8], [1, 8]]],
  ] as const)('%s: the packed codes become uint4 [K, N] behind a DequantizeLinear per plane', async (file, planes, shapes) => {
    const out = path.join(workDir(), 'q.onnx');
    const report = await convert(fixture(file), out, { verify: { atol: 1e-4, rtol: 1e-3 } });
    expect(report.opset).toBe(21);
    expect(report.verify!.pass).toBe(true);
    const uint4 = initializers(out).filter((t) => t.type === UINT4).map((t) => t.dims);
    expect(uint4).toEqual(shapes);
    expect(initializers(out).filter((t) => t.type === UINT32 || t.type === UINT8)).toEqual([]);
    expect(readOperators(out).find((o) => o.opType === 'DequantizeLinear')?.count).toBe(2 * planes);
    expect(report.warnings).toEqual([]);
  });

  it.each([
    ['quantized_qmm_g64_b3.mlxfn', {}, '3-bit affine quantized weights are unpacked in the graph: ONNX Runtime expands them to float32 when it loads the model'],
    ['quantized_qmm_mxfp4.mlxfn', {}, 'mxfp4 quantized weights are unpacked in the graph: ONNX Runtime expands them to float32 when it loads the model'],
    ['quantized_linear_mlp.mlxfn', { opset: 18 }, '4-bit affine quantized weights are unpacked in the graph: ONNX Runtime expands them to float32 when it loads the model (from opset 21 on they stay packed)'],
  ] as const)('%s %j: the report warns that constant weights unpacked in the graph grow at load', async (file, options, warning) => {
    const report = await convert(fixture(file), path.join(workDir(), 'w.onnx'), options);
    expect(report.warnings).toEqual([warning]);
  });

  it('weights passed as inputs are not warned about', async () => {
    const report = await convert(fixture('quantized_qmm_weight_inputs_nt_b5.mlxfn'), path.join(workDir(), 'i.onnx'));
    expect(report.warnings).toEqual([]);
  });

  it('before opset 21 the uint32 words are unpacked in the graph', async () => {
    const out = path.join(workDir(), 'q18.onnx');
    await convert(fixture('quantized_linear_mlp.mlxfn'), out, { opset: 18, verify: { atol: 1e-4, rtol: 1e-3 } });
    expect(initializers(out).filter((t) => t.type === UINT32 && t.dims.length === 2).map((t) => t.dims)).toEqual([[32, 8], [16, 4]]);
    expect(readOperators(out).map((o) => o.opType)).not.toContain('DequantizeLinear');
  });
});

describe('weights and files', () => {
  it('externalData "always" moves weights to OUTPUT.data and the model still matches MLX', async () => {
    const dir = workDir();
    const out = path.join(dir, 'ext.onnx');
    const report = await convert(fixture('model_mlp.mlxfn'), out, { externalData: 'always', externalDataThreshold: 0 });
    expect(report.files.map((f) => path.basename(f.path))).toEqual(['ext.onnx', 'ext.onnx.data']);
    expect(statSync(`${out}.data`).size).toBe(report.files[1]!.bytes);
    expect(readdirSync(dir).sort()).toEqual(['ext.onnx', 'ext.onnx.data']);
    const check = await verify(fixture('model_mlp.mlxfn'), out, { atol: 1e-4, rtol: 1e-3 });
    expect(check.pass).toBe(true);
  });

  it('by default small models are one self-contained file', async () => {
    const out = path.join(workDir(), 'inline.onnx');
    const report = await convert(fixture('model_mlp.mlxfn'), out);
    expect(report.files).toHaveLength(1);
    expect(existsSync(`${out}.data`)).toBe(false);
  });

  it('the same input gives byte-identical output', async () => {
    const dir = workDir();
    await convert(fixture('model_transformer_block.mlxfn'), path.join(dir, 'a.onnx'));
    await convert(fixture('model_transformer_block.mlxfn'), path.join(dir, 'b.onnx'));
    expect(readFileSync(path.join(dir, 'a.onnx')).equals(readFileSync(path.join(dir, 'b.onnx')))).toBe(true);
  });

  // Large weights go from the .mlxfn to the ONNX file inside the kernel (copy_file_range)
  // where both are on one filesystem, and through memory to another (tmpfs /dev/shm).
  it.runIf(process.platform === 'linux')('weights copied file to file or written from memory give the same bytes, durable or not', async () => {
    const local = workDir();
    const shm = mkdtempSync('/dev/shm/mlx-onnx-convert-');
    try {
      const outputs = [path.join(local, 'copied.onnx'), path.join(shm, 'written.onnx'), path.join(local, 'durable.onnx')];
      await convert(fixture('weights_16mb.mlxfn'), outputs[0]!, { externalData: 'always' });
      await convert(fixture('weights_16mb.mlxfn'), outputs[1]!, { externalData: 'always' });
      await convert(fixture('weights_16mb.mlxfn'), outputs[2]!, { externalData: 'always', durable: true });
      const data = outputs.map((o) => readFileSync(`${o}.data`));
      expect(data[0]!.length).toBeGreaterThan(16e6);
      expect(data[1]!.equals(data[0]!)).toBe(true);
      expect(data[2]!.equals(data[0]!)).toBe(true);
      await convert(fixture('weights_16mb.mlxfn'), outputs[1]!);
      await convert(fixture('weights_16mb.mlxfn'), outputs[0]!);
      expect(readFileSync(outputs[1]!).equals(readFileSync(outputs[0]!))).toBe(true);
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  });

  it('replaces an existing output file only when the conversion succeeds', async () => {
    const dir = workDir();
    const out = path.join(dir, 'model.onnx');
    await convert(fixture('valid.mlxfn'), out);
    const before = readFileSync(out);
    await expect(convert(fixture('unsupported.mlxfn'), out)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_OP' });
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });
});

describe('async work', () => {
  it('the event loop keeps turning while conversions run', async () => {
    const dir = workDir();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all(Array.from({ length: 4 }, (_, i) =>
      convert(fixture('model_transformer_block.mlxfn'), path.join(dir, `m${i}.onnx`), { verify: true })));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
