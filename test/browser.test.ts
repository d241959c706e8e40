// The browser path. Target 'web' converts with standard operators and reports where
// onnxruntime-web runs each one (WebGPU kernel, or the WASM CPU build). The example page
// (examples/browser), served from 127.0.0.1 and opened in headless Chromium, must generate
// from the exported gpt2 decoder, with its KV cache, exactly the greedy tokens that
// onnxruntime-node gives for the same model and prompt (and MLX, through the zoo model).
// Chromium runs with --disable-gpu, so the page takes its WASM fallback.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, models, mx } from '../dist/index.js';
import { checkOperators, inRanges } from '../dist/web/compat.js';
import { readOperators } from '../dist/web/onnx-operators.js';
import { greedyWithOrt } from './setup/decoding.js';
import { CHROMIUM, HAS_CHROMIUM, launchChromium, serveModel } from './setup/serve.js';
import { CLI, PYTHON, ROOT } from './setup/paths.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-browser-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const use = (opType: string, opset: number, domain = 'ai.onnx') => ({ domain, opType, opset, count: 1 });

describe('the onnxruntime-web operator table', () => {
  it('reads kernel ranges as since-versions: 7-12,13,14+', () => {
    expect([6, 7, 12, 13, 14, 23].map((v) => inRanges('7-12,13,14+', v))).toEqual([false, true, true, true, true, true]);
    expect([15, 16, 19, 20].map((v) => inRanges('16-19', v))).toEqual([false, true, true, false]);
  });

  it('falls back to WASM where WebGPU has no kernel for the opset, and names what neither runs', () => {
    // GridSample's WebGPU kernels stop at 19; Upsample was deprecated at 10; MatMulNBits is a
    // contrib op of all three; Constant nodes become initializers; Mod has only a CPU kernel.
    const webgpu = (bundle: string, fallback: string[], problems: string[] = []) =>
      ({ bundle, loads: problems.length === 0, supported: fallback.length === 0, fallback, problems });
    expect(checkOperators([use('Add', 18), use('Constant', 18), use('GridSample', 16), use('MatMulNBits', 1, 'com.microsoft')])).toEqual({
      native: webgpu('ort.webgpu.min.mjs', []), jsep: webgpu('ort.min.mjs', []), wasm: { supported: true, unsupported: [] },
    });
    const missing = ['no kernel, on WebGPU or on the CPU, for Upsample, com.example.NoSuchOp'];
    const fallback = ['GridSample', 'Mod', 'Upsample', 'com.example.NoSuchOp'];
    expect(checkOperators([use('GridSample', 20), use('Mod', 18), use('Upsample', 10), use('NoSuchOp', 1, 'com.example')])).toEqual({
      native: webgpu('ort.webgpu.min.mjs', fallback, missing),
      jsep: webgpu('ort.min.mjs', fallback, missing),
      wasm: { supported: false, unsupported: ['Upsample', 'com.example.NoSuchOp'] },
    });
  });

  it('differs between the bundles: the native one runs Max and And on WebGPU; neither has a kernel for schema 22 of Sin', () => {
    const ops = [use('Max', 21), use('And', 21), use('Sin', 22)];
    expect(checkOperators(ops).native.fallback).toEqual(['Sin']);
    expect(checkOperators(ops).jsep.fallback).toEqual(['And', 'Max', 'Sin']);
    expect(checkOperators([use('Sin', 21)]).jsep.fallback).toEqual([]);
  });
});

describe("target 'web'", () => {
  const mlxfn = path.join(root, 'fn.mlxfn');
  // exp, maximum (Max) and logical_and (And): the native bundle has WebGPU kernels for all
  // three, JSEP for exp only. The bool And is a result, not an input of other nodes.
  const FN_COMPATIBILITY = {
    native: { bundle: 'ort.webgpu.min.mjs', loads: true, supported: true, fallback: [], problems: [] },
    jsep: { bundle: 'ort.min.mjs', loads: true, supported: false, fallback: ['And', 'Max'], problems: [] },
    wasm: { supported: true, unsupported: [] },
  };
  beforeAll(() => {
    const fn = (x: mx.MxArray, y: mx.MxArray) => [mx.exp(x), mx.maximum(x, y), mx.logicalAnd(mx.greater(x, 0), mx.greater(y, 0))];
    mx.trace(fn, [{ shape: [2, 3] }, { shape: [2, 3] }]).toMlxfn(mlxfn);
  });

  it('converts with standard operators and reports the WebGPU fallbacks', async () => {
    const report = await convert(mlxfn, path.join(root, 'fn.onnx'), { target: 'web' });
    expect(Object.keys(report.onnxOpHistogram).sort()).toEqual(['And', 'Exp', 'Greater', 'Max']);
    expect(report.webCompatibility).toEqual(FN_COMPATIBILITY);
    const standard = await convert(mlxfn, path.join(root, 'fn-standard.onnx'));
    expect(standard.webCompatibility).toBeUndefined();
  });

  it('mlx-onnx convert --target web prints the check, and --json includes it', () => {
    const out = path.join(root, 'fn-cli.onnx');
    const text = spawnSync(process.execPath, [CLI, 'convert', mlxfn, '-o', out, '--target', 'web'], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('web: WebGPU (native, ort.webgpu.min.mjs) runs every operator\n' +
      'web: WebGPU (jsep, ort.min.mjs) runs all but And, Max (these fall back to WASM)\nweb: WASM runs every operator\n');
    const json = spawnSync(process.execPath, [CLI, 'convert', mlxfn, '-o', out, '--target', 'web', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(json.stdout).webCompatibility).toEqual(FN_COMPATIBILITY);
  });

  it('rejects an unknown target, naming the three', async () => {
    await expect(convert(mlxfn, path.join(root, 'x.onnx'), { target: 'webnn' as 'web' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT', message: "target must be 'standard', 'ort' or 'web', not 'webnn'",
    });
  });
});

describe.skipIf(!HAS_CHROMIUM)(`examples/browser in headless Chromium${HAS_CHROMIUM ? '' : ` — skipped: ${CHROMIUM} is absent (apt-get install chromium)`}`, () => {
  const PROMPT = [1, 45, 3, 88, 19, 7, 60];
  const COUNT = 16;
  const exports: Record<string, string> = {};
  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'make_lm_checkpoint.py'), `${root}/gpt2:gpt2`, `${root}/llama_4bit:llama:4`]);
    context = await launchChromium(root);
  });

  afterAll(async () => {
    await context?.close();
    server?.kill();
  });

  /** Serves `modelDir` (examples/browser/serve.mjs), in place of the one served before. */
  async function serve(modelDir: string): Promise<void> {
    server?.kill();
    ({ server, baseUrl } = await serveModel(modelDir));
  }

  /** Opens the page on the served model; its provider and tokens once it is done. */
  async function runPage(): Promise<{ provider: string; tokens: number[] }> {
    const page = await context!.newPage();
    try {
      await page.goto(`${baseUrl}?prompt=${PROMPT.join(',')}&tokens=${COUNT}`);
      await page.waitForSelector('body[data-done]', { timeout: 30_000 });
      expect(await page.getAttribute('body', 'data-done'), await page.textContent('#error') ?? '').toBe('true');
      return { provider: (await page.textContent('#provider'))!, tokens: JSON.parse((await page.textContent('#tokens'))!) };
    } finally {
      await page.close();
    }
  }

  it("generates onnxruntime-node's (and MLX's) greedy tokens from the gpt2 export for target 'web', on WASM", async () => {
    const model = models.loadModel(path.join(root, 'gpt2')) as InstanceType<typeof models.CausalLM>;
    const report = await models.exportModel(model, path.join(root, 'gpt2-web'), { target: 'web' });
    expect(report.webCompatibility!.wasm).toEqual({ supported: true, unsupported: [] });
    // The protobuf reader sees the nodes the converter says it wrote.
    const read = readOperators(report.onnx);
    expect(Object.fromEntries(read.map((op) => [op.opType, op.count]))).toEqual(report.onnxOpHistogram);
    expect(new Set(read.map((op) => `${op.domain}@${op.opset}`))).toEqual(new Set(['ai.onnx@21']));

    const expected = (await greedyWithOrt(report.onnx, PROMPT, COUNT)).tokens;
    expect(expected).toEqual(models.generateGreedy(model, PROMPT, { maxNewTokens: COUNT }));
    await serve(report.outDir);
    const page = await runPage();
    expect(page.provider).toBe('wasm');
    expect(page.tokens).toEqual(expected);
    expect(new Set(expected).size).toBeGreaterThan(1);
  });

  it('runs a contrib operator (MatMulNBits of a 4-bit llama, target ort) on WASM, as the table says', async () => {
    const model = models.loadModel(path.join(root, 'llama_4bit'));
    const report = await models.exportModel(model, path.join(root, 'llama4-ort'), { target: 'ort' });
    const operators = readOperators(report.onnx);
    expect(operators.filter((op) => op.domain === 'com.microsoft').map((op) => op.opType)).toEqual(['MatMulNBits']);
    expect(checkOperators(operators).wasm).toEqual({ supported: true, unsupported: [] });
    await serve(report.outDir);
    const page = await runPage();
    expect(page.tokens).toEqual((await greedyWithOrt(report.onnx, PROMPT, COUNT)).tokens);
  });

  it('runs the 4-bit llama\'s packed uint4 weights (blocked DequantizeLinear, target web) on WASM', async () => {
    const model = models.loadModel(path.join(root, 'llama_4bit'));
    const report = await models.exportModel(model, path.join(root, 'llama4-web'), { target: 'web' });
    expect(report.onnxOpHistogram).toHaveProperty('DequantizeLinear');
    expect(report.webCompatibility!.wasm).toEqual({ supported: true, unsupported: [] });
    await serve(report.outDir);
    const page = await runPage();
    expect(page.tokens).toEqual((await greedyWithOrt(report.onnx, PROMPT, COUNT)).tokens);
  });
});
