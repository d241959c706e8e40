#!/usr/bin/env node
// npm run demo -- NAME [--port N] [--rebuild] [--train]: builds the demo examples/NAME
// (once: its build is kept in examples/NAME/out, reused until a file of the demo changes,
// or --rebuild), then serves its page. --train (with --rebuild implied) trains the model anew where the demo trains one,
// instead of exporting the checkpoint kept in the repository.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMOS = readdirSync(path.join(ROOT, 'examples')).filter((name) => existsSync(path.join(ROOT, 'examples', name, 'build.mjs')));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { port: { type: 'string', default: '8080' }, rebuild: { type: 'boolean' }, train: { type: 'boolean' } } });
const name = positionals[0];
if (!DEMOS.includes(name)) {
  process.stderr.write(`usage: npm run demo -- NAME [--port N] [--rebuild] [--train]   (NAME: ${DEMOS.join(', ')})\n`);
  process.exit(1);
}

const dir = path.join(ROOT, 'examples', name);
const out = path.join(dir, 'out');
const stamp = path.join(out, '.built');
// The newest change to the files the demo's build reads (its scripts, page, kept
// checkpoint; not its README and pictures).
function newest(folder) {
  let time = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const file = path.join(folder, entry.name);
    if (file === out || /\.(md|png)$/.test(entry.name)) continue;
    time = Math.max(time, entry.isDirectory() ? newest(file) : statSync(file).mtimeMs);
  }
  return time;
}
const stale = !existsSync(stamp) || statSync(stamp).mtimeMs < newest(dir);
if (values.rebuild || values.train || stale) rmSync(out, { recursive: true, force: true });
if (!existsSync(stamp)) {
  const start = Date.now();
  execFileSync(process.execPath, [path.join(dir, 'build.mjs'), out, ...(values.train ? ['--train'] : [])], { stdio: 'inherit' });
  writeFileSync(stamp, `${new Date().toISOString()} ${((Date.now() - start) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`built ${path.relative(ROOT, out)} in ${((Date.now() - start) / 1000).toFixed(0)} s\n`);
}
const server = spawn(process.execPath, [path.join(ROOT, 'examples', 'browser', 'serve.mjs'), '--page', dir, '--model', path.join(out, 'model'), '--port', values.port], { stdio: 'inherit' });
// Stopping this command stops the server.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
