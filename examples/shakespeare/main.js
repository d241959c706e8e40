// The page: a character-level GPT (examples/shakespeare/train.py) sampled with a temperature
// (0: greedy), one character per run with the key/value cache (/runtime.js).
// Query: ?prompt=ROMEO.&temperature=0.8&tokens=300&seed=1&ep=auto|webgpu|wasm writes once on load.
// body[data-done] is "true" when a text is written ("error" if it failed); the text's
// token ids are in #text's data-tokens.
import { onSubmit, showFailure } from '/page.js';
import { createSession, generate, loadOrt, pickProvider, sampleWithTemperature, seededRandom } from '/runtime.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
for (const [key, id] of [['prompt', 'prompt'], ['temperature', 'temperature'], ['tokens', 'count']]) {
  if (params.has(key)) $(id).value = params.get(key);
}

try {
  const [ort, vocab, training] = await Promise.all([
    loadOrt('native'),
    fetch('/model/vocab.json').then((r) => r.json()),
    fetch('/model/training.json').then((r) => r.json()),
  ]);
  $('training').textContent = `${training.steps} steps in ${Math.round(training.seconds / 60)} min, validation loss ${training.validation_loss} nats per character`;
  const index = new Map(vocab.map((c, i) => [c, i]));
  const provider = await pickProvider(params.get('ep') ?? 'auto');
  $('provider').textContent = provider === 'webgpu' ? 'WebGPU' : 'WebAssembly';
  const session = await createSession(ort, '/model/', provider);

  async function write() {
    document.body.dataset.done = 'false';
    const start = [...$('prompt').value].filter((c) => index.has(c));
    if (start.length === 0) throw new Error('the start needs at least one character the model knows');
    const temperature = Number($('temperature').value);
    const pick = temperature > 0 ? sampleWithTemperature(temperature, seededRandom(Number(params.get('seed') ?? Date.now()))) : undefined;
    $('status').textContent = 'writing';
    const show = (tokens) => ($('text').textContent = start.join('') + tokens.map((t) => vocab[t]).join(''));
    // The model saw windows of training.context characters: past that, it goes on from the
    // last half window, with a new cache.
    const count = Number($('count').value);
    const written = [];
    const begin = performance.now();
    while (written.length < count) {
      const context = [...start.map((c) => index.get(c)), ...written].slice(-Math.floor(training.context / 2));
      const steps = Math.min(count - written.length, training.context - context.length);
      const result = await generate(ort, session, written.length ? context : start.map((c) => index.get(c)).slice(-training.context + 1),
        steps, (tokens) => show([...written, ...tokens]), pick ? { pick } : {});
      written.push(...result.tokens);
    }
    show(written);
    $('text').dataset.tokens = JSON.stringify(written);
    $('speed').textContent = `${((written.length * 1000) / (performance.now() - begin)).toFixed(0)} characters/s;`;
    $('status').textContent = 'ready';
    document.body.dataset.done = 'true';
  }

  onSubmit($('form'), write);
  $('status').textContent = 'ready';
  if (params.has('prompt')) await write();
} catch (error) {
  showFailure(error);
}
