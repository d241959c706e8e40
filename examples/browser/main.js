// Greedy decoding in the browser with the ONNX decoder `mlx-onnx export-model` writes
// (inputs input_ids, attention_mask, position_ids, past_key_values.N.key/.value; outputs
// logits, present.N.key/.value): the prompt in one run, then one token per run, the
// cache of each run fed to the next. The page's query gives ?prompt=1,2,3&tokens=16&ep=wasm.
// The tokens are written to <pre id="tokens"> as JSON, and #status becomes "done".
import * as ort from '/ort/ort.min.mjs';

const params = new URLSearchParams(location.search);
const prompt = (params.get('prompt') ?? '1,45,3,88,19').split(',').map((s) => Number(s.trim()));
const maxNewTokens = Number(params.get('tokens') ?? 16);
// WASM by default: onnxruntime-web 1.30's WebGPU provider mixes up the indices of two
// Cast -> Gather pairs (examples/browser/README.md); ?ep=auto or ?ep=webgpu to try it.
const wanted = params.get('ep') ?? 'wasm';
const $ = (id) => document.getElementById(id);
$('prompt').value = prompt.join(',');
$('count').value = String(maxNewTokens);
$('ep').value = wanted;

async function hasWebGpu() {
  if (!navigator.gpu) return false;
  try {
    return (await navigator.gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** A session on the first execution provider that loads the model: WebGPU, else WASM. */
async function createSession() {
  const options = {};
  // Weights of large models sit in model.onnx.data beside the model.
  const data = await fetch('/model/model.onnx.data', { method: 'HEAD' });
  if (data.ok) options.externalData = [{ path: 'model.onnx.data', data: '/model/model.onnx.data' }];
  const providers = wanted !== 'auto' ? [wanted] : (await hasWebGpu()) ? ['webgpu', 'wasm'] : ['wasm'];
  let failure;
  for (const ep of providers) {
    try {
      return { ep, session: await ort.InferenceSession.create('/model/model.onnx', { ...options, executionProviders: [ep] }) };
    } catch (error) {
      console.warn(`${ep} failed, trying the next provider:`, error);
      failure = error;
    }
  }
  throw failure;
}

const int64 = (values) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);

function argmaxOfLastRow(logits) {
  if (logits.type !== 'float32') throw new Error(`this example reads float32 logits, not ${logits.type}`);
  const vocab = logits.dims[2];
  const row = logits.data.subarray((logits.dims[1] - 1) * vocab, logits.dims[1] * vocab);
  let best = 0;
  for (let i = 1; i < vocab; i++) if (row[i] > row[best]) best = i;
  return best;
}

async function generate(session) {
  // Empty caches: [batch 1, kv heads, 0 positions, head dim], in the model's cache dtype.
  const pastNames = session.inputNames.filter((name) => name.startsWith('past_key_values.'));
  let past = pastNames.map((name) => {
    const meta = session.inputMetadata.find((m) => m.name === name);
    const dims = [1, meta.shape[1], 0, meta.shape[3]];
    return new ort.Tensor(meta.type, meta.type === 'float16' ? new Uint16Array(0) : new Float32Array(0), dims);
  });
  const tokens = [];
  let ids = prompt;
  let position = 0;
  while (tokens.length < maxNewTokens) {
    const feeds = {
      input_ids: int64(ids),
      attention_mask: int64(Array(position + ids.length).fill(1)),
      position_ids: int64(ids.map((_, i) => position + i)),
    };
    pastNames.forEach((name, i) => (feeds[name] = past[i]));
    const out = await session.run(feeds);
    const next = argmaxOfLastRow(out.logits);
    tokens.push(next);
    past = pastNames.map((name) => out[name.replace('past_key_values.', 'present.')]);
    position += ids.length;
    ids = [next];
    $('tokens').textContent = JSON.stringify(tokens);
  }
  return tokens;
}

try {
  const { ep, session } = await createSession();
  $('provider').textContent = ep;
  $('status').textContent = 'generating';
  const start = performance.now();
  const tokens = await generate(session);
  $('tokens').textContent = JSON.stringify(tokens);
  $('status').textContent = `done (${tokens.length} tokens in ${(performance.now() - start).toFixed(0)} ms)`;
  document.body.dataset.done = 'true';
} catch (error) {
  $('status').textContent = 'failed';
  $('error').hidden = false;
  $('error').textContent = String(error?.stack ?? error);
  document.body.dataset.done = 'error';
}
