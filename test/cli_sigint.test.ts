// Ctrl-C during `mlx-onnx convert`: once the temporary output file exists, SIGINT makes
// the command exit 130 and leaves neither the output nor the temporary file.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, PYTHON } from './setup/paths.js';

// 48 float32 2048x2048 layers: 768 MB of weights, about a second to convert, far longer
// than the few milliseconds between polls of the output folder.
const MAKE_MODEL = `
import sys
import mlx.core as mx
import mlx.nn as nn
mx.set_default_device(mx.cpu)
model = nn.Sequential(*[nn.Linear(2048, 2048, bias=False) for _ in range(48)])
mx.eval(model.parameters())
mx.export_function(sys.argv[1], lambda x: [model(x)], mx.ones((1, 2048)))
`;

const work = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-sigint-'));
const input = path.join(work, 'big.mlxfn');

beforeAll(() => {
  execFileSync(PYTHON, ['-c', MAKE_MODEL, input], { stdio: ['ignore', 'ignore', 'inherit'] });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('mlx-onnx convert and SIGINT', () => {
  it('exits 130 and leaves no output and no temporary file', async () => {
    const outDir = path.join(work, 'out');
    mkdirSync(outDir);
    const child = spawn(process.execPath, [CLI, 'convert', input, '-o', path.join(outDir, 'big.onnx')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));

    // Poll until the writer's temporary file appears (the conversion is then writing).
    let sawTemp = false;
    while (running && !sawTemp) {
      sawTemp = readdirSync(outDir).some((name) => name.startsWith('.big.onnx.tmp-'));
      if (!sawTemp) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(sawTemp, `the conversion ended before its temporary file was seen: ${stderr}`).toBe(true);
    child.kill('SIGINT');

    expect(await exited).toBe(130);
    expect(stderr).toContain('ERR_ABORTED');
    expect(readdirSync(outDir)).toEqual([]);
  }, 120_000);
});
