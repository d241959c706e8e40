// examples/browser/serve.mjs in a child process, for the browser tests.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './paths.js';

/** Serves `modelDir` under /model/ on a free port of 127.0.0.1; the server and its URL. */
export async function serveModel(modelDir: string): Promise<{ server: ChildProcess; baseUrl: string }> {
  const server = spawn(process.execPath, [path.join(ROOT, 'examples', 'browser', 'serve.mjs'), '--model', modelDir, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
    server.stdout!.on('data', (chunk: Buffer) => {
      const match = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(String(chunk));
      if (match) resolve(match[1]!);
    });
  });
  return { server, baseUrl };
}
