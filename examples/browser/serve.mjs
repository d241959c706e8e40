#!/usr/bin/env node
// A tiny static server for the browser pages, on 127.0.0.1 only:
//   /            the page's folder (this one by default; --page DIR for a demo's)
//   /runtime.js  the decoding runtime of this folder, and /page.js, which every page shares
//   /ort/...     onnxruntime-web's dist/ files (the library and its .wasm)
//   /model/...   the folder `mlx-onnx export-model` (or a demo's build) wrote
// usage: node examples/browser/serve.mjs --model <export-dir> [--page DIR] [--port N]   (N = 0: any free port)
// Prints "serving http://127.0.0.1:PORT/" once it listens. Pages are cross-origin
// isolated, so onnxruntime-web's WASM runs on several threads.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { model: { type: 'string' }, page: { type: 'string' }, port: { type: 'string', default: '8080' } } });
if (!values.model) {
  process.stderr.write('usage: node examples/browser/serve.mjs --model <export-dir> [--page DIR] [--port N]\n');
  process.exit(1);
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE = values.page ? path.resolve(values.page) : HERE;
// onnxruntime-web resolves (for Node) to a file of its dist/ folder.
const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const ROUTES = [
  { prefix: '/ort/', dir: ORT_DIST },
  { prefix: '/model/', dir: path.resolve(values.model) },
  { prefix: '/', dir: HERE, only: new Set(['runtime.js', 'page.js']) },
  { prefix: '/', dir: PAGE, only: (name) => /^[\w-]+\.(html|js|css|json|png)$/.test(name) },
];
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.onnx': 'application/octet-stream', '.data': 'application/octet-stream',
};

/** The file a URL path names, or undefined (never outside the route's folder). */
function resolve(urlPath) {
  for (const route of ROUTES.filter((r) => urlPath.startsWith(r.prefix))) {
    const name = decodeURIComponent(urlPath.slice(route.prefix.length)) || 'index.html';
    const allowed = typeof route.only === 'function' ? route.only(name) : !route.only || route.only.has(name);
    const file = path.resolve(route.dir, name);
    if (!allowed || !file.startsWith(route.dir + path.sep)) continue;
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // not in this route's folder
    }
  }
  return undefined;
}

const server = http.createServer((req, res) => {
  const file = req.method === 'GET' || req.method === 'HEAD' ? resolve(new URL(req.url, 'http://localhost').pathname) : undefined;
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
});

server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`serving http://127.0.0.1:${server.address().port}/\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
