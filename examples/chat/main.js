// The chat page: SmolLM2's chat template, the tokenizer (tokenizer.js) and the exported
// decoder with its key/value cache (/runtime.js), greedy, the reply streamed as it comes.
// Query: ?prompt=<first question, asked on load>&tokens=<at most, default 96>&ep=auto|webgpu|wasm.
// body[data-done] is "true" after each reply ("error" if one failed); the prompt's and the
// reply's token ids are in the reply element's data-prompt and data-tokens.
import { onSubmit, showFailure } from '/page.js';
import { createSession, generate, loadOrt, pickProvider } from '/runtime.js';
import { Tokenizer } from './tokenizer.js';

const params = new URLSearchParams(location.search);
const maxTokens = Number(params.get('tokens') ?? 96);
const $ = (id) => document.getElementById(id);

// ChatML, as SmolLM2's template writes it: its default system turn unless one is given.
function chatPrompt(messages, defaultSystem) {
  const turns = messages[0]?.role === 'system' || !defaultSystem ? messages : [{ role: 'system', content: defaultSystem }, ...messages];
  return turns.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
}

function turn(role, text) {
  const div = Object.assign(document.createElement('div'), { className: `turn ${role}`, textContent: text });
  $('log').append(div);
  return div;
}

try {
  const [ort, tokenizerJson, config] = await Promise.all([
    loadOrt('native'),
    fetch('/model/tokenizer.json').then((r) => r.json()),
    fetch('/model/tokenizer_config.json').then((r) => r.json()),
  ]);
  const tokenizer = new Tokenizer(tokenizerJson);
  const defaultSystem = /<\|im_start\|>system\n(.*?)<\|im_end\|>/s.exec(config.chat_template ?? '')?.[1];
  const stop = [tokenizer.special.get(config.eos_token)];
  const provider = await pickProvider(params.get('ep') ?? 'auto');
  $('provider').textContent = provider === 'webgpu' ? 'WebGPU' : 'WebAssembly';
  const session = await createSession(ort, '/model/', provider);
  const messages = [];
  let busy = false;

  async function ask(question) {
    busy = true;
    document.body.dataset.done = 'false';
    messages.push({ role: 'user', content: question });
    turn('user', question);
    const reply = turn('assistant', '');
    const prompt = tokenizer.encode(chatPrompt(messages, defaultSystem));
    reply.dataset.prompt = JSON.stringify(prompt);
    $('status').textContent = 'thinking';
    const result = await generate(ort, session, prompt, maxTokens, (tokens) => (reply.textContent = tokenizer.decode(tokens)), { stop });
    reply.textContent = tokenizer.decode(result.tokens);
    reply.dataset.tokens = JSON.stringify(result.tokens);
    messages.push({ role: 'assistant', content: reply.textContent });
    $('speed').textContent = `${result.tokensPerSecond.toFixed(1)} tokens/s;`;
    $('status').textContent = 'ready';
    document.body.dataset.done = 'true';
    busy = false;
  }

  onSubmit($('form'), async () => {
    const question = $('question').value.trim();
    if (!question || busy) return;
    $('question').value = '';
    await ask(question);
  });
  $('status').textContent = 'ready';
  if (params.get('prompt')) await ask(params.get('prompt'));
} catch (error) {
  showFailure(error);
}
