#!/usr/bin/env node
// Runs the models of make_models.py on onnxruntime-web in headless Chromium (JSEP WebGPU,
// native WebGPU, WASM) and compares each output with onnxruntime-node's.
// usage: node scripts/webgpu-repro/run.mjs [out-dir] [--log]   (out-dir default: a new temporary folder)
//   --log  also print JSEP's verbose log of CPU-to-GPU copies and kernel starts, per model
// Needs /usr/bin/chromium (or CHROMIUM=path) and .venv/bin/python with the onnx package.
// Prints a table model x backend -> right / wrong (max abs diff) / error; exits 0 either way.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ortNode from 'onnxruntime-node';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const args = parseArgs({ options: { log: { type: 'boolean' } }, allowPositionals: true });
const OUT = args.positionals[0] ? path.resolve(args.positionals[0]) : mkdtempSync(path.join(os.tmpdir(), 'webgpu-repro-'));
const TOLERANCE = 1e-4;
const BACKENDS = [
  { name: 'JSEP webgpu', bundle: 'ort.min.mjs', ep: 'webgpu' },
  { name: 'native webgpu', bundle: 'ort.webgpu.min.mjs', ep: 'webgpu' },
  { name: 'wasm', bundle: 'ort.min.mjs', ep: 'wasm' },
];

// 1. The models, and the reference outputs of onnxruntime-node (CPU).
// make_models.py prints the name of each model it writes, in order.
const made = spawnSync(path.join(REPO, '.venv/bin/python'), [path.join(HERE, 'make_models.py'), OUT], {
  stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8',
});
if (made.status !== 0) {
  process.stderr.write(`make_models.py failed${made.error ? `: ${made.error.message}` : ''}\n`);
  process.exit(1);
}
const models = made.stdout.trim().split('\n').map((name) => ({
  name, feeds: JSON.parse(readFileSync(path.join(OUT, `${name}.json`), 'utf8')),
}));
const toTensor = (ort, { type, dims, data }) =>
  new ort.Tensor(type, type === 'int64' ? BigInt64Array.from(data, BigInt) : Float32Array.from(data), dims);
const plain = (outputs) => Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, { dims: t.dims, data: Array.from(t.data, Number) }]));
const reference = {};
for (const { name, feeds } of models) {
  const session = await ortNode.InferenceSession.create(path.join(OUT, `${name}.onnx`));
  reference[name] = plain(await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toTensor(ortNode, v)]))));
  await session.release();
}

// 2. A server on 127.0.0.1 (a secure context, so navigator.gpu exists): / an empty page,
// /ort/ onnxruntime-web's dist folder, /models/ the models. It notes the /ort/ files fetched.
let fetched = [];
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>repro</title>');
  const [root, prefix] = url.startsWith('/ort/') ? [ORT_DIST, '/ort/'] : url.startsWith('/models/') ? [OUT, '/models/'] : [];
  const file = root && path.resolve(root, url.slice(prefix.length));
  if (!file || !file.startsWith(root + path.sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
    return res.writeHead(404).end();
  }
  if (prefix === '/ort/') fetched.push(path.basename(file));
  const type = { '.mjs': 'text/javascript', '.wasm': 'application/wasm' }[path.extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type });
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// 3. Each backend in a fresh page: load the bundle, run every model, return outputs or errors.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const results = {};
let adapter;
for (const backend of BACKENDS) {
  const page = await browser.newPage();
  const verbose = Boolean(args.values.log) && backend.name.startsWith('JSEP');
  backend.log = [];
  const wanted = /^\[model |jsepCopy|Start to run kernel/;
  if (verbose) page.on('console', (m) => wanted.test(m.text()) && backend.log.push(m.text()));
  page.on('pageerror', (e) => process.stderr.write(`[${backend.name}] page error: ${e.message}\n`));
  await page.goto(`${origin}/`);
  fetched = [];
  const { info, runs } = await page.evaluate(async ({ bundle, ep, models, verbose }) => {
    const ort = await import(`${location.origin}/ort/${bundle}`);
    ort.env.wasm.numThreads = 1; // no cross-origin isolation here, so no threads
    if (verbose) Object.assign(ort.env, { logLevel: 'verbose', debug: true });
    const a = await navigator.gpu?.requestAdapter();
    const info = a ? `${a.info.vendor} ${a.info.architecture}${a.info.isFallbackAdapter ? ' (fallback adapter)' : ''}` : 'none';
    const runs = {};
    for (const { name, feeds } of models) {
      if (verbose) console.log(`[model ${name}]`);
      try {
        const session = await ort.InferenceSession.create(`/models/${name}.onnx`, { executionProviders: [ep] });
        const tensors = {};
        for (const [k, { type, dims, data }] of Object.entries(feeds)) {
          tensors[k] = new ort.Tensor(type, type === 'int64' ? BigInt64Array.from(data, BigInt) : Float32Array.from(data), dims);
        }
        const out = await session.run(tensors);
        runs[name] = { outputs: {} };
        for (const [k, t] of Object.entries(out)) runs[name].outputs[k] = { dims: t.dims, data: Array.from(t.data, Number) };
        await session.release();
      } catch (e) {
        runs[name] = { error: String(e?.message ?? e) };
      }
    }
    return { info, runs };
  }, { bundle: backend.bundle, ep: backend.ep, models, verbose });
  adapter ??= info;
  backend.files = [...new Set(fetched)];
  results[backend.name] = runs;
  await page.close();
}
const version = browser.version();
await browser.close();
server.close();

// 4. The table.
function verdict(ref, run) {
  if (run.error) return `error: ${run.error.split('\n')[0].slice(0, 90)}`;
  let worst = 0;
  for (const [k, want] of Object.entries(ref)) {
    const got = run.outputs[k];
    if (!got || got.dims.join() !== want.dims.join()) return `wrong (${k}: dims [${got?.dims}] not [${want.dims}])`;
    for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - want.data[i]) || 0);
  }
  return worst <= TOLERANCE ? 'right' : `wrong (max abs diff ${worst})`;
}
console.log(`models: ${OUT}\nChromium ${version}, WebGPU adapter: ${adapter}`);
for (const b of BACKENDS) console.log(`${b.name}: ${b.bundle}, executionProviders ['${b.ep}'], loads ${b.files.join(', ')}`);
const rows = [['model', ...BACKENDS.map((b) => b.name)]];
for (const { name } of models) rows.push([name, ...BACKENDS.map((b) => verdict(reference[name], results[b.name][name]))]);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(['', line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n'));

// 5. What the backends that were not right gave.
const head = (data) => `[${data.slice(0, 8).join(', ')}${data.length > 8 ? ', ...' : ''}]`;
for (const b of BACKENDS) {
  for (const { name } of models) {
    const run = results[b.name][name];
    if (run.error) console.log(`\n${name} on ${b.name}:\n  ${run.error.trim().replace(/\n/g, '\n  ')}`);
    else if (verdict(reference[name], run) !== 'right') {
      console.log(`\n${name} on ${b.name}:`);
      for (const [k, want] of Object.entries(reference[name])) {
        const got = run.outputs[k];
        const shown = got ? `[${got.dims}] ${head(got.data)}` : 'missing';
        console.log(`  ${k}: ${shown}   onnxruntime-node: [${want.dims}] ${head(want.data)}`);
      }
    }
  }
}
for (const b of BACKENDS) {
  if (b.log.length) console.log(`\n${b.name} log:\n  ${b.log.map((l) => l.replace(/^\[[A-Z],[^\]]*\]/, '')).join('\n  ')}`);
}
