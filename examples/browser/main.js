// The page: greedy decoding with the ONNX decoder `mlx-onnx export-model` wrote, served
// under /model/. Query: ?prompt=1,2,3&tokens=16&ep=auto|webgpu|wasm&bundle=native|jsep
// (&model=/model/sub/ for a model in a subfolder of the served one).
// It shows the execution provider and bundle it used, the tokens (JSON in <pre id="tokens">)
// and tokens per second; body[data-done] is "true" when it is done, "error" if it failed.
import { BUNDLES, createSession, generate, loadOrt, pickProvider } from './runtime.js';

const params = new URLSearchParams(location.search);
const prompt = (params.get('prompt') ?? '1,45,3,88,19').split(',').map((s) => Number(s.trim()));
const count = Number(params.get('tokens') ?? 16);
const wanted = params.get('ep') ?? 'auto';
const bundle = params.get('bundle') ?? 'native';
const modelUrl = params.get('model') ?? '/model/';
const $ = (id) => document.getElementById(id);
$('prompt').value = prompt.join(',');
$('count').value = String(count);
$('ep').value = wanted;
$('bundle').value = bundle;

try {
  const ort = await loadOrt(bundle);
  const provider = await pickProvider(wanted);
  $('provider').textContent = provider;
  $('bundle-file').textContent = BUNDLES[bundle];
  const session = await createSession(ort, modelUrl, provider);
  $('status').textContent = 'generating';
  const result = await generate(ort, session, prompt, count, (tokens) => ($('tokens').textContent = JSON.stringify(tokens)));
  $('tokens').textContent = JSON.stringify(result.tokens);
  $('speed').textContent = result.tokensPerSecond.toFixed(1);
  $('status').textContent = `done: ${result.tokens.length} tokens, prompt ${result.firstTokenMs.toFixed(0)} ms`;
  document.body.dataset.done = 'true';
} catch (error) {
  $('status').textContent = 'failed';
  $('error').hidden = false;
  $('error').textContent = String(error?.stack ?? error);
  document.body.dataset.done = 'error';
}
