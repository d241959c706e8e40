// onnxruntime-web's WebGPU in headless Chromium (a SwiftShader adapter: no GPU needed), on
// both of its WebGPU bundles: 'native' (ort.webgpu.min.mjs) and 'jsep' (ort.min.mjs).
// - The forward graphs of mlx-lm llama, qwen3, gemma2, phi3 and gpt2 (convert --target web)
//   give MLX's logits and its token at every position.
// - The export-model decoders of gpt2, llama, qwen3 and a 4-bit llama (--target web) give,
//   through examples/browser/runtime.js, onnxruntime-node's prompt logits and its 16 greedy
//   tokens, which are also MLX's.
// - webCompatibility's prediction for each bundle (loads, operators that fall back to the
//   CPU) is what ONNX Runtime did, read from its node placement log.
// Tolerance against onnxruntime-node and MLX: 2e-3 absolute on logits. SwiftShader's sin and
// cos are off by ~2e-4, which rotary embeddings carry into the logits.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, inspect, models, mx, readSafetensors } from '../dist/index.js';
import { toNumbers } from '../dist/tensors.js';
import type { WebGpuCompatibility } from '../dist/index.js';
import { argmaxRows, greedyWithOrt } from './setup/decoding.js';
import { fixture } from './setup/fixtures-manifest.js';
import { onnxNodeTypes } from './setup/onnx-types.js';
import { CHROMIUM, HAS_CHROMIUM, launchChromium, serveModel } from './setup/serve.js';
import { PYTHON, ROOT } from './setup/paths.js';

const ATOL = 2e-3;
const PROMPT = [1, 45, 3, 88, 19, 7, 60];
const COUNT = 16;
const BUNDLES = ['native', 'jsep'] as const;
type Bundle = (typeof BUNDLES)[number];

const root = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-webgpu-'));
const served = path.join(root, 'served');
mkdirSync(served);
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface PageRun {
  error?: string;
  /** The page's console. */
  log: string[];
  outputs?: Record<string, { dims: number[]; data: number[] }>;
  tokens?: number[];
  promptLogits?: number[];
  tokensPerSecond?: number;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
};

describe.skipIf(!HAS_CHROMIUM)(`onnxruntime-web WebGPU in headless Chromium${HAS_CHROMIUM ? '' : ` — skipped: ${CHROMIUM} is absent (apt-get install chromium)`}`, () => {
  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'make_lm_checkpoint.py'),
      `${root}/gpt2:gpt2`, `${root}/llama:llama`, `${root}/qwen3:qwen3`, `${root}/llama_4bit:llama:4`]);
    context = await launchChromium(root, { webgpu: true });
    ({ server, baseUrl } = await serveModel(served));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    server?.kill();
  });

  /** Runs `body` in a page of the served origin with runtime.js imported as `rt`. */
  async function inPage(body: string, arg: unknown): Promise<PageRun> {
    const page = await context!.newPage();
    const log: string[] = [];
    page.on('console', (message) => log.push(message.text()));
    try {
      await page.goto(`${baseUrl}runtime.js`);
      // A string, so that the test runner does not rewrite its import().
      const result = await page.evaluate(`(async () => {
        const rt = await import('/runtime.js');
        const arg = ${JSON.stringify(arg)};
        try {
          ${body}
        } catch (error) {
          return { error: String(error?.message ?? error) };
        }
      })()`);
      return { ...(result as object), log };
    } finally {
      await page.close();
    }
  }

  it('has a WebGPU adapter (SwiftShader)', async () => {
    const run = await inPage('return { outputs: { adapter: { dims: [], data: [Number(await rt.hasWebGpu())] } } };', null);
    expect(run.outputs!.adapter!.data).toEqual([1]);
  });

  const forward = ['llama', 'qwen3', 'gemma2', 'phi3', 'gpt2'];
  describe.each(forward)('mlx-lm %s, convert --target web', (name) => {
    const dir = path.join(served, `forward-${name}`);
    let report: Awaited<ReturnType<typeof convert>>;
    let feeds: Record<string, { type: string; dims: number[]; data: number[] }>;
    let expected: { shape: number[]; values: Float64Array };

    beforeAll(async () => {
      const file = fixture(`llm_${name}.mlxfn`);
      mkdirSync(dir, { recursive: true });
      report = await convert(file, path.join(dir, 'model.onnx'), { target: 'web' });
      const inputs = await readSafetensors(fixture(`llm_${name}.inputs.safetensors`));
      const info = await inspect(file);
      feeds = Object.fromEntries(info.traces[0]!.inputs.map((i) => {
        const a = inputs[i.name]!;
        return [i.name, { type: a.dtype, dims: a.shape, data: Array.from(toNumbers(a)) }];
      }));
      const output = (await readSafetensors(fixture(`llm_${name}.outputs.safetensors`))).output_0!;
      expected = { shape: output.shape, values: toNumbers(output) };
    });

    it.each(BUNDLES)('%s: loads as predicted, falls back as predicted, and gives MLX\'s logits and tokens', async (bundle: Bundle) => {
      const run = await inPage(`
        const ort = await rt.loadOrt(arg.bundle);
        const session = await rt.createSession(ort, arg.url, 'webgpu', { verbose: true });
        const feeds = Object.fromEntries(Object.entries(arg.feeds).map(([k, v]) =>
          [k, new ort.Tensor(v.type, v.type === 'int64' ? BigInt64Array.from(v.data, BigInt) : v.type === 'int32' ? Int32Array.from(v.data) : Float32Array.from(v.data), v.dims)]));
        const out = await session.run(feeds);
        return { outputs: Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims, data: Array.from(t.data, Number) }])) };
      `, { bundle, url: `/model/forward-${name}/`, feeds });
      const predicted = report.webCompatibility![bundle];
      expect(run.error ?? 'loaded').toBe(predicted.loads ? 'loaded' : run.error);
      if (!predicted.loads) return;
      expectPlacements(run.log, predicted, path.join(dir, 'model.onnx'));
      const logits = Object.values(run.outputs!)[0]!;
      expect(logits.dims).toEqual(expected.shape);
      expect(maxAbsDiff(logits.data, expected.values)).toBeLessThan(ATOL);
      const vocab = expected.shape.at(-1)!;
      expect(argmaxRows(logits.data, vocab)).toEqual(argmaxRows(expected.values, vocab));
    });
  });

  // A function that computes in float64 keeps it (MLX's own numbers); the native bundle
  // cannot load that, as predicted, and JSEP runs the float64 part on the CPU.
  describe('a function that computes in float64', () => {
    const dir = path.join(served, 'float64');
    let report: Awaited<ReturnType<typeof convert>>;
    beforeAll(async () => {
      mkdirSync(dir, { recursive: true });
      const fn = (x: mx.MxArray) => [mx.astype(mx.exp(mx.astype(x, 'float64')), 'float32')];
      report = await mx.trace(fn, [{ shape: [2, 3] }]).toOnnx(path.join(dir, 'model.onnx'), { target: 'web' });
    });

    it.each(BUNDLES)('%s: loads as predicted, and runs right where it loads', async (bundle: Bundle) => {
      const x = [0.5, -1, 2, 0, 1.5, -2.5];
      const run = await inPage(`
        const ort = await rt.loadOrt(arg.bundle);
        const session = await rt.createSession(ort, arg.url, 'webgpu', { verbose: true });
        const out = await session.run({ input_0: new ort.Tensor('float32', Float32Array.from(arg.x), [2, 3]) });
        return { outputs: { y: { dims: out[session.outputNames[0]].dims, data: Array.from(out[session.outputNames[0]].data) } } };
      `, { bundle, url: '/model/float64/', x });
      const predicted = report.webCompatibility![bundle];
      expect(predicted.loads).toBe(bundle === 'jsep');
      if (!predicted.loads) {
        expect(predicted.problems).toEqual(['float64 tensors: the native WebGPU provider has no float64 Cast, and the session fails to load']);
        expect(run.error).toMatch(/Cast node with name 'n_Cast_0' is not set|Could not find an implementation for Cast/);
        return;
      }
      expect(run.error).toBeUndefined();
      expect(maxAbsDiff(run.outputs!.y!.data, x.map(Math.exp))).toBeLessThan(1e-5);
    });
  });

  const decoders = ['gpt2', 'llama', 'qwen3', 'llama_4bit'];
  describe.each(decoders)('export-model %s --target web', (name) => {
    let report: models.ExportReport;
    let reference: Awaited<ReturnType<typeof greedyWithOrt>>;

    beforeAll(async () => {
      const model = models.loadModel(path.join(root, name)) as InstanceType<typeof models.CausalLM>;
      report = await models.exportModel(model, path.join(served, `decoder-${name}`), { target: 'web' });
      reference = await greedyWithOrt(report.onnx, PROMPT, COUNT);
      expect(reference.tokens).toEqual(models.generateGreedy(model, PROMPT, { maxNewTokens: COUNT }));
      expect(new Set(reference.tokens).size).toBeGreaterThan(1);
    });

    it.each(BUNDLES)('%s: prompt logits and 16 greedy tokens of onnxruntime-node (and MLX), with the cache', async (bundle: Bundle) => {
      const run = await inPage(`
        const ort = await rt.loadOrt(arg.bundle);
        const session = await rt.createSession(ort, arg.url, 'webgpu', { verbose: true });
        return { ...(await rt.generate(ort, session, arg.prompt, arg.count)) };
      `, { bundle, url: `/model/decoder-${name}/`, prompt: PROMPT, count: COUNT });
      const predicted = report.webCompatibility![bundle];
      expect(run.error ?? 'loaded').toBe(predicted.loads ? 'loaded' : run.error);
      if (!predicted.loads) return;
      expectPlacements(run.log, predicted, report.onnx);
      expect(maxAbsDiff(run.promptLogits!, reference.promptLogits)).toBeLessThan(ATOL);
      expect(run.tokens).toEqual(reference.tokens);
    });

    it('examples/browser picks WebGPU on its own, shows it and the speed, and gives the same tokens', async () => {
      const page = await context!.newPage();
      try {
        await page.goto(`${baseUrl}?prompt=${PROMPT.join(',')}&tokens=${COUNT}&model=/model/decoder-${name}/`);
        await page.waitForSelector('body[data-done]', { timeout: 60_000 });
        expect(await page.getAttribute('body', 'data-done'), await page.textContent('#error') ?? '').toBe('true');
        expect(await page.textContent('#provider')).toBe('webgpu');
        expect(await page.textContent('#bundle-file')).toBe('ort.webgpu.min.mjs');
        expect(Number(await page.textContent('#speed'))).toBeGreaterThan(0);
        expect(JSON.parse((await page.textContent('#tokens'))!)).toEqual(reference.tokens);
      } finally {
        await page.close();
      }
    });
  });
});

/**
 * The nodes ONNX Runtime placed on the CPU, from its verbose "Node placements" log:
 *   "... Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3" then "...   And (n_And_12)".
 */
function cpuNodes(log: string[]): Array<{ op: string; name: string }> {
  const nodes: Array<{ op: string; name: string }> = [];
  let onCpu = false;
  for (const line of log) {
    const placed = /placed on \[(\w+)\]/.exec(line);
    const node = /\]\s+(\w+) \(([^)]+)\)$/.exec(line);
    if (placed) onCpu = placed[1] === 'CPUExecutionProvider';
    else if (onCpu && node) nodes.push({ op: node[1]!, name: node[2]! });
    else onCpu = false;
  }
  return nodes;
}

const INTEGER_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]); // TensorProto: (u)int8..64, bool

/**
 * What ONNX Runtime placed on the CPU is what webCompatibility predicts: every operator it
 * names as a fallback, and besides those only nodes that read or make integer tensors
 * (masks, positions), which ONNX Runtime keeps on the CPU by choice.
 */
function expectPlacements(log: string[], predicted: WebGpuCompatibility, onnx: string): void {
  const cpu = cpuNodes(log);
  expect(log.some((line) => line.includes('Node placements')), 'ONNX Runtime\'s verbose log').toBe(true);
  expect([...new Set(cpu.map((n) => n.op))]).toEqual(expect.arrayContaining(predicted.fallback));
  const types = onnxNodeTypes(onnx);
  const unexplained = cpu.filter((n) => !predicted.fallback.includes(n.op) && !(types[n.name] ?? []).some((t) => INTEGER_TYPES.has(t)));
  expect(unexplained).toEqual([]);
}
