// npm run bench [-- NAME ...]: converts benchmark models and compares, side by side in
// one run, with `cp` of the weights (the disk limit: alone, and with an fsync for the
// durable conversion), MLX's own export_function to .mlxfn, and MLX's CPU evaluation
// against ONNX Runtime (session load + one inference). Medians; results in
// bench/results.json.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench', 'out');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const { convert } = await import(path.join(ROOT, 'dist', 'index.js'));
const { runOnnx } = await import(path.join(ROOT, 'dist', 'verify.js'));
const { randomArray } = await import(path.join(ROOT, 'dist', 'tensors.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Runs the timed steps in turn, `repeats` rounds, so the shared disk's swings reach
// each alike; each writes a fresh file (its old output removed, untimed) as `cp` does.
async function interleavedMedians(steps, repeats) {
  const times = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
  for (let i = 0; i < repeats; i++) {
    for (const [key, { files, run }] of Object.entries(steps)) {
      for (const f of files) rmSync(f, { force: true });
      const start = performance.now();
      await run();
      times[key].push(performance.now() - start);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
}

function copyAndSync(from, to) {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

// Peak RSS of `work` (a JavaScript expression awaited with module `m`, the package file
// `module`, and `stdin`), run in its own process: VmHWM of its own memory map
// (getrusage's maxRSS would include the parent's, as it survives exec).
function peakRssMb(module, work, stdin = '') {
  const script = `import(${JSON.stringify(path.join(ROOT, 'dist', module))}).then(async (m) => {
    const stdin = require('node:fs').readFileSync(0, 'utf8');
    await ${work};
    console.log(require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\\s+(\\d+) kB/)[1]);
  })`;
  return Number(execFileSync(process.execPath, ['-e', script], { input: stdin, encoding: 'utf8' }).trim()) / 1024;
}

// One conversion.
function conversionPeakRssMb(input, output, options) {
  return peakRssMb('index.js', `m.convert(${JSON.stringify(input)}, ${JSON.stringify(output)}, ${JSON.stringify(options)})`);
}

// An ONNX Runtime session load and one inference.
function onnxRuntimePeakRssMb(model, inputs) {
  const feeds = inputs.map((a) => ({ ...a, data: Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('base64') }));
  const decode = `JSON.parse(stdin).map((a) => ({ ...a, data: Buffer.from(a.data, 'base64') }))`;
  return peakRssMb('verify.js', `m.runOnnx(${JSON.stringify(model)}, ${decode})`, JSON.stringify(feeds));
}

// `npm run bench -- decode`: decoding speed instead (bench/decode.mjs).
if (process.argv[2] === 'decode') {
  await import('./decode.mjs');
  process.exit(0);
}

mkdirSync(OUT, { recursive: true });
const DEFAULT_MODELS = ['mlp_10mb', 'transformer_50mb', 'gpt2_small_fp32', 'llama_1b_fp16', 'llama_1b_4bit'];
const names = process.argv.slice(2).length ? process.argv.slice(2) : DEFAULT_MODELS;
execFileSync(PYTHON, [path.join(ROOT, 'bench', 'make_models.py'), OUT, ...names], { stdio: 'inherit' });
const mlx = JSON.parse(readFileSync(path.join(OUT, 'mlx_timings.json'), 'utf8'));

// The 4-bit model both ways: blocked DequantizeLinear (standard) and MatMulNBits (ort).
const TARGETS = { llama_1b_4bit: ['standard', 'ort'] };

const results = [];
for (const [name, reference] of Object.entries(mlx)) for (const target of TARGETS[name] ?? ['standard']) {
  const input = path.join(OUT, `${name}.mlxfn`);
  const output = path.join(OUT, `${name}.onnx`);
  const copy = path.join(OUT, `${name}.copy`);
  const weightsFile = path.join(OUT, `${name}.safetensors`);
  const options = { target };
  const outputs = [output, `${output}.data`];
  const timed = await interleavedMedians({
    convertMs: { files: outputs, run: () => convert(input, output, options) },
    cpMs: { files: [copy], run: () => copyFileSync(weightsFile, copy) },
    durableConvertMs: { files: outputs, run: () => convert(input, output, { ...options, durable: true }) },
    cpSyncMs: { files: [copy], run: () => copyAndSync(weightsFile, copy) },
  }, reference.weightBytes < 1e8 ? 15 : 5); // small models: more rounds against the noise
  rmSync(copy);
  const report = await convert(input, output, options);
  const inputs = report.inputs.map((i, k) => randomArray(i.dtype, i.shape, k));
  const runs = [];
  const loads = [];
  const big = reference.weightBytes > 1e9; // one ONNX Runtime session at a time, once
  for (let i = 0; i < (big ? 1 : 3); i++) {
    const start = performance.now();
    runs.push((await runOnnx(output, inputs)).ms);
    loads.push(performance.now() - start);
  }
  results.push({
    model: name,
    target,
    weightMB: reference.weightBytes / 1e6,
    safetensorsMB: statSync(weightsFile).size / 1e6,
    mlxfnMB: statSync(input).size / 1e6,
    onnxMB: report.files.reduce((s, f) => s + f.bytes, 0) / 1e6,
    ...timed,
    convertOverCp: timed.convertMs / timed.cpMs,
    durableOverCpSync: timed.durableConvertMs / timed.cpSyncMs,
    mlxExportMs: reference.mlxExportMs,
    peakRssMB: conversionPeakRssMb(input, output, options),
    onnxRuntimeInferenceMs: median(runs),
    onnxRuntimeLoadAndRunMs: median(loads),
    onnxRuntimePeakRssMB: onnxRuntimePeakRssMb(output, inputs),
    mlxEvalMs: reference.mlxEvalMs,
  });
}

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}`;
writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify({ machine, date: new Date().toISOString(), results }, null, 2) + '\n');
console.log(`machine: ${machine}\n`);
console.log('| model | target | weights MB | ONNX MB (× safetensors) | convert ms | `cp` ms | convert / `cp` | durable convert ms | `cp` + fsync ms | durable / (`cp` + fsync) | MLX export ms | convert peak RSS MB | ORT load + run ms | ORT run ms | ORT peak RSS MB | MLX eval ms |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  console.log(`| ${r.model} | ${r.target} | ${f(r.weightMB)} | ${f(r.onnxMB)} (${(r.onnxMB / r.safetensorsMB).toFixed(2)}) | ${f(r.convertMs)} | ${f(r.cpMs)} | ${r.convertOverCp.toFixed(2)} | ${f(r.durableConvertMs)} | ${f(r.cpSyncMs)} | ${r.durableOverCpSync.toFixed(2)} | ${f(r.mlxExportMs)} | ${f(r.peakRssMB)} | ${f(r.onnxRuntimeLoadAndRunMs)} | ${f(r.onnxRuntimeInferenceMs)} | ${f(r.onnxRuntimePeakRssMB)} | ${f(r.mlxEvalMs)} |`);
}
