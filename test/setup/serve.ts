// examples/browser/serve.mjs in a child process, and headless Chromium, for the browser tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { ROOT } from './paths.js';

/** Debian's chromium package. */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/**
 * Headless Chromium with a fresh profile in `root`: without a GPU (pages run on WASM), or
 * with `webgpu`, whose --enable-unsafe-webgpu makes it find the SwiftShader adapter (pages
 * must be in a secure context: http://127.0.0.1 is one).
 */
export function launchChromium(root: string, { webgpu = false } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(path.join(root, 'chromium-profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [webgpu ? '--headless=new' : '--headless', '--no-sandbox', webgpu ? '--enable-unsafe-webgpu' : '--disable-gpu',
      '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Runs a node script that prints "serving http://127.0.0.1:PORT/" once it listens: the process and its URL. */
export async function startServer(script: string, args: string[]): Promise<{ server: ChildProcess; baseUrl: string }> {
  const server = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`${path.basename(script)} exited with ${code}`)));
    let seen = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      const match = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
      if (match) resolve(match[1]!);
    });
  });
  return { server, baseUrl };
}

/** Serves `modelDir` under /model/ on a free port of 127.0.0.1; the server and its URL. */
export function serveModel(modelDir: string): Promise<{ server: ChildProcess; baseUrl: string }> {
  return startServer(path.join(ROOT, 'examples', 'browser', 'serve.mjs'), ['--model', modelDir, '--port', '0']);
}
