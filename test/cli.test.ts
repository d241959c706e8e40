// The mlx-onnx command: reports, JSON, and exit codes (0 ok, 1 usage, 2 bad input, 3 verify).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from './setup/fixtures-manifest.js';
import { CLI } from './setup/paths.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const workDir = () => mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-cli-'));

describe('mlx-onnx convert', () => {
  it('--verify --json prints one JSON report with per-output errors', () => {
    const out = path.join(workDir(), 'block.onnx');
    const r = cli('convert', fixture('model_transformer_block.mlxfn'), '-o', out, '--verify', '--json', '--atol', '1e-4', '--rtol', '1e-3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.inputs[0]).toMatchObject({ name: 'input_0' });
    expect(report.nodeCount).toBeGreaterThan(10);
    expect(report.files[0].path).toBe(out);
    expect(report.verify.pass).toBe(true);
    expect(report.verify.outputs[0]).toHaveProperty('maxAbsError');
    expect(report.verify.outputs[0]).toHaveProperty('maxRelError');
    expect(report.timings).toHaveProperty('verifyMs');
  });

  it('prints the report\'s warnings on stderr, one line each, and exits 0', () => {
    const r = cli('convert', fixture('quantized_qmm_g64_b3.mlxfn'), '-o', path.join(workDir(), 'q3.onnx'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: 3-bit affine quantized weights are unpacked in the graph: ONNX Runtime expands them to float32 when it loads the model\n');
    expect(r.stdout).toMatch(/^converted /);
  });

  it('exits 3 when outputs are outside tolerance, and keeps the file for inspection', () => {
    const out = path.join(workDir(), 'm.onnx');
    // Zero tolerance: matmul and softmax round differently in MLX and ONNX Runtime.
    const r = cli('convert', fixture('model_transformer_block.mlxfn'), '-o', out, '--verify', '--atol', '0', '--rtol', '0');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mlx-onnx: ERR_VERIFY: ONNX Runtime and MLX disagree on output_0/);
    expect(existsSync(out)).toBe(true);
  });

  it('exits 2 with one line for an unsupported primitive', () => {
    const r = cli('convert', fixture('unsupported.mlxfn'), '-o', path.join(workDir(), 'x.onnx'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^mlx-onnx: ERR_UNSUPPORTED_OP: no ONNX lowering for 2 MLX primitives/);
  });

  it('exits 1 on a usage error', () => {
    expect(cli('convert', fixture('valid.mlxfn')).code).toBe(1);
    expect(cli('convert', fixture('valid.mlxfn'), '-o', 'x.onnx', '--trace', 'abc').code).toBe(1);
    expect(cli('frobnicate').code).toBe(1);
  });
});

describe('mlx-onnx inspect and ops', () => {
  it('inspect --json lists traces, inputs, outputs and unsupported primitives', () => {
    const r = cli('inspect', fixture('unsupported.mlxfn'), '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.traces[0].unsupportedOps).toEqual({ Cholesky: 1, FFT: 2 });
    expect(info.traces[0].inputs).toEqual([{ name: 'input_0', shape: [2, 2], dtype: 'float32' }]);
  });

  it('inspect of a bad file exits 2', () => {
    expect(cli('inspect', CLI).code).toBe(2);
  });

  it('ops --json gives every MLX 0.32 primitive with a status', () => {
    const r = cli('ops', '--json');
    expect(r.code).toBe(0);
    const coverage = JSON.parse(r.stdout) as Array<{ name: string; status: string; reason?: string }>;
    expect(coverage.length).toBeGreaterThanOrEqual(116);
    expect(coverage.find((c) => c.name === 'Matmul')).toEqual({ name: 'Matmul', status: 'lowered' });
    expect(coverage.find((c) => c.name === 'FFT')).toMatchObject({ status: 'unsupported' });
    for (const c of coverage) expect(['lowered', 'decomposed', 'unsupported']).toContain(c.status);
  });
});

describe('mlx-onnx convert --trace all', () => {
  it('writes one ONNX file per trace, each verified', () => {
    const out = path.join(workDir(), 'f.onnx');
    const r = cli('convert', fixture('two_traces.mlxfn'), '-o', out, '--trace', 'all', '--verify', '--json');
    expect(r.code).toBe(0);
    const { results, passed, failed } = JSON.parse(r.stdout);
    expect([passed, failed]).toEqual([2, 0]);
    const traces = results.map((t: { report: unknown }) => t.report);
    expect(traces.map((t: { output: string }) => path.basename(t.output))).toEqual(['f.trace0.onnx', 'f.trace1.onnx']);
    expect(traces.map((t: { inputs: Array<{ dtype: string }> }) => t.inputs[0]!.dtype)).toEqual(['float32', 'float16']);
    expect(traces.every((t: { verify: { pass: boolean } }) => t.verify.pass)).toBe(true);
    for (const t of traces) expect(existsSync(t.output)).toBe(true);
  });
});

describe('mlx-onnx convert --out-dir (batch)', () => {
  it('converts every input with a bounded pool; a bad one fails alone and the exit is non-zero', () => {
    const dir = workDir();
    const inputs = ['valid.mlxfn', 'unsupported.mlxfn', 'keywords.mlxfn', 'model_mlp.mlxfn'].map(fixture);
    const r = cli('convert', ...inputs, '--out-dir', dir, '--jobs', '2', '--verify', '--atol', '1e-4', '--rtol', '1e-3', '--json');
    expect(r.code).toBe(2);
    const summary = JSON.parse(r.stdout);
    expect([summary.passed, summary.failed]).toEqual([3, 1]);
    expect(summary.results.map((x: { ok: boolean }) => x.ok)).toEqual([true, false, true, true]);
    expect(summary.results[1].error.code).toBe('ERR_UNSUPPORTED_OP');
    for (const name of ['valid.onnx', 'keywords.onnx', 'model_mlp.onnx']) expect(existsSync(path.join(dir, name))).toBe(true);
    expect(existsSync(path.join(dir, 'unsupported.onnx'))).toBe(false);
  });

  it('refuses several inputs with -o', () => {
    const r = cli('convert', fixture('valid.mlxfn'), fixture('keywords.mlxfn'), '-o', 'x.onnx');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('mlx-onnx: ERR_INVALID_ARGUMENT: 2 inputs need --out-dir DIR, not -o\n');
  });
});
