// The page: DDIM sampling (eta 0) of the glyph denoiser, one ONNX run per step, each typed
// character drawn on its own canvas. The same loop as train.py's ddim().
// Query: ?text=MLX&seed=1&steps=25&ep=auto|webgpu|wasm draws once on load.
// body[data-done] is "true" when the glyphs are drawn ("error" if it failed).
import { onSubmit, showFailure } from '/page.js';
import { createSession, loadOrt, pickProvider, seededRandom } from '/runtime.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
for (const key of ['text', 'seed', 'steps']) if (params.has(key)) $(key).value = params.get(key);

// Seeded standard normal numbers (Box-Muller).
function normals(seed) {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function draw(canvas, x, size) {
  const context = canvas.getContext('2d');
  const image = context.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const v = Math.round(Math.min(1, Math.max(-1, x[i])) * 127.5 + 127.5);
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

try {
  const [ort, schedule, chars, training] = await Promise.all([
    loadOrt('native'),
    fetch('/model/schedule.json').then((r) => r.json()),
    fetch('/model/chars.json').then((r) => r.json()),
    fetch('/model/training.json').then((r) => r.json()),
  ]);
  $('training').textContent = `${training.steps} steps in ${Math.round(training.seconds / 60)} min on two CPU cores`;
  const provider = await pickProvider(params.get('ep') ?? 'auto');
  $('provider').textContent = provider === 'webgpu' ? 'WebGPU' : 'WebAssembly';
  const session = await createSession(ort, '/model/', provider);
  const size = session.inputMetadata.find((m) => m.name === 'x').shape[1];

  async function sample(label, seed, count) {
    const noise = normals(seed);
    let x = Float32Array.from({ length: size * size }, noise);
    const steps = schedule.length;
    const times = Array.from({ length: count }, (_, i) => Math.round((i * (steps - 1)) / (count - 1))).reverse();
    for (let i = 0; i < times.length; i++) {
      const a = schedule[times[i]];
      const aPrev = i + 1 < times.length ? schedule[times[i + 1]] : 1;
      const out = await session.run({
        x: new ort.Tensor('float32', x, [1, size, size, 1]),
        t: new ort.Tensor('float32', Float32Array.of(times[i]), [1]),
        label: new ort.Tensor('int32', Int32Array.of(label), [1]),
      });
      // The model predicts the clean image; the noise is what it leaves of x.
      const clean = out.x0.data;
      x = x.map((v, k) => {
        const x0 = Math.min(1, Math.max(-1, clean[k]));
        const eps = (v - Math.sqrt(a) * x0) / Math.sqrt(1 - a);
        return Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev) * eps;
      });
    }
    return x;
  }

  async function drawAll() {
    document.body.dataset.done = 'false';
    $('glyphs').replaceChildren();
    const text = [...$('text').value].filter((c) => chars.includes(c));
    if (text.length === 0) throw new Error(`type some of ${chars}`);
    $('status').textContent = 'drawing';
    const start = performance.now();
    for (const [i, char] of text.entries()) {
      const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size, title: char });
      canvas.dataset.char = char;
      $('glyphs').append(canvas);
      draw(canvas, await sample(chars.indexOf(char), Number($('seed').value) + i, Number($('steps').value)), size);
    }
    $('speed').textContent = `${((performance.now() - start) / text.length / 1000).toFixed(1)} s per glyph;`;
    $('status').textContent = 'ready';
    document.body.dataset.done = 'true';
  }

  onSubmit($('form'), drawAll);
  $('status').textContent = 'ready';
  if (params.has('text')) await drawAll();
} catch (error) {
  showFailure(error);
}
