// The browser side of an exported decoder, with no UI: which onnxruntime-web bundle and
// execution provider to use, a session on the model, and decoding with the
// key/value cache, greedy or sampled (inputs input_ids, attention_mask, position_ids, past_key_values.N.key/
// .value; outputs logits, present.N.key/.value). main.js drives it from the page; the
// tests import it into headless Chromium.

// onnxruntime-web ships two WebGPU implementations, each its own bundle (served under /ort/):
// - 'native': ort.webgpu.min.mjs, ONNX Runtime's C++ WebGPU provider compiled to WASM;
// - 'jsep': ort.min.mjs (the package's default import), kernels written in JavaScript.
// Both fall back to WASM for operators they have no kernel for, and both run 'wasm' alone.
// 'native' is the default: 'jsep' 1.30 mixes up CPU tensors uploaded mid-graph and
// mis-slices with unordered axes (docs/webgpu.md).
export const BUNDLES = { native: 'ort.webgpu.min.mjs', jsep: 'ort.min.mjs' };

/** The onnxruntime-web module of a bundle ('native' or 'jsep'). */
export async function loadOrt(bundle = 'native') {
  const file = BUNDLES[bundle];
  if (!file) throw new Error(`unknown bundle '${bundle}': one of ${Object.keys(BUNDLES).join(', ')}`);
  const ort = await import(`/ort/${file}`);
  // Without cross-origin isolation the browser has no SharedArrayBuffer: one WASM thread.
  if (!globalThis.crossOriginIsolated) ort.env.wasm.numThreads = 1;
  return ort;
}

/** True when the browser gives a WebGPU adapter. */
export async function hasWebGpu() {
  if (!navigator.gpu) return false;
  try {
    return (await navigator.gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** 'webgpu' where the browser has it, else 'wasm'. */
export async function pickProvider(wanted = 'auto') {
  if (wanted !== 'auto') return wanted;
  return (await hasWebGpu()) ? 'webgpu' : 'wasm';
}

/**
 * A session on `${modelUrl}model.onnx` (weights in model.onnx.data beside it are loaded
 * along). With `verbose`, ONNX Runtime logs everything to the console, among it where it
 * placed each node ("Node placements").
 */
export async function createSession(ort, modelUrl, provider, { verbose = false } = {}) {
  // Float32 activations in the kernel ONNX Runtime makes of quantized layers (MLX's numbers).
  const options = {
    executionProviders: [provider],
    extra: { session: { qdq_matmulnbits_accuracy_level: '0' } },
    ...(verbose ? { logSeverityLevel: 0, logVerbosityLevel: 0 } : {}),
  };
  const data = await fetch(`${modelUrl}model.onnx.data`, { method: 'HEAD' });
  if (data.ok) options.externalData = [{ path: 'model.onnx.data', data: `${modelUrl}model.onnx.data` }];
  return ort.InferenceSession.create(`${modelUrl}model.onnx`, options);
}

const int64 = (ort, values) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);

function lastRow(logits) {
  if (logits.type !== 'float32') throw new Error(`this example reads float32 logits, not ${logits.type}`);
  const vocab = logits.dims[2];
  return logits.data.subarray((logits.dims[1] - 1) * vocab, logits.dims[1] * vocab);
}

function argmax(row) {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** A seeded generator of floats in [0, 1) (mulberry32): a seed gives the same draws. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sampler drawing from softmax(logits / temperature), with `random` in [0, 1). */
export function sampleWithTemperature(temperature, random = Math.random) {
  return (row) => {
    let max = -Infinity;
    for (const x of row) max = Math.max(max, x);
    const weights = Float64Array.from(row, (x) => Math.exp((x - max) / temperature));
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) <= 0) return i;
    return weights.length - 1;
  };
}

/**
 * Decoding: the prompt in one run, then one token per run, the cache of each run fed to
 * the next. Each token is `pick(logits of the last position)` (greedy by default); a token
 * in `stop` ends it (and is not returned). Returns the new tokens, the prompt's logits (for
 * checks) and timings.
 */
export async function generate(ort, session, prompt, count, onToken = () => {}, { pick = argmax, stop = [] } = {}) {
  // Empty caches: [batch 1, kv heads, 0 positions, head dim], in the model's cache dtype.
  const pastNames = session.inputNames.filter((name) => name.startsWith('past_key_values.'));
  let past = pastNames.map((name) => {
    const meta = session.inputMetadata.find((m) => m.name === name);
    const dims = [1, meta.shape[1], 0, meta.shape[3]];
    return new ort.Tensor(meta.type, meta.type === 'float16' ? new Uint16Array(0) : new Float32Array(0), dims);
  });
  const tokens = [];
  let promptLogits;
  let ids = prompt;
  let position = 0;
  const start = performance.now();
  let firstTokenMs = 0;
  while (tokens.length < count) {
    const feeds = {
      input_ids: int64(ort, ids),
      attention_mask: int64(ort, Array(position + ids.length).fill(1)),
      position_ids: int64(ort, ids.map((_, i) => position + i)),
    };
    pastNames.forEach((name, i) => (feeds[name] = past[i]));
    const out = await session.run(feeds);
    const next = pick(lastRow(out.logits));
    if (!promptLogits) {
      promptLogits = Array.from(out.logits.data);
      firstTokenMs = performance.now() - start;
    }
    if (stop.includes(next)) break;
    tokens.push(next);
    onToken(tokens);
    past = pastNames.map((name) => out[name.replace('past_key_values.', 'present.')]);
    position += ids.length;
    ids = [next];
  }
  const decodeMs = performance.now() - start - firstTokenMs;
  return { tokens, promptLogits, firstTokenMs, tokensPerSecond: tokens.length > 1 ? ((tokens.length - 1) * 1000) / decodeMs : 0 };
}
