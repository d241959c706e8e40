#!/usr/bin/env node
// A tiny static server for the browser example, on 127.0.0.1 only:
//   /            index.html, main.js and runtime.js of this folder
//   /ort/...     onnxruntime-web's dist/ files (the library and its .wasm)
//   /model/...   the folder `mlx-onnx export-model` wrote
// usage: node examples/browser/serve.mjs --model <export-dir> [--port N]   (N = 0: any free port)
// Prints "serving http://127.0.0.1:PORT/" once it listens.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { model: { type: 'string' }, port: { type: 'string', default: '8080' } } });
if (!values.model) {
  process.stderr.write('usage: node examples/browser/serve.mjs --model <export-dir> [--port N]\n');
  process.exit(1);
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
// onnxruntime-web resolves (for Node) to a file of its dist/ folder.
const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const ROUTES = [
  { prefix: '/ort/', dir: ORT_DIST },
  { prefix: '/model/', dir: path.resolve(values.model) },
  { prefix: '/', dir: HERE, only: new Set(['index.html', 'main.js', 'runtime.js']) },
];
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.onnx': 'application/octet-stream', '.data': 'application/octet-stream',
};

/** The file a URL path names, or undefined (never outside the route's folder). */
function resolve(urlPath) {
  const route = ROUTES.find((r) => urlPath.startsWith(r.prefix));
  if (!route) return undefined;
  const name = decodeURIComponent(urlPath.slice(route.prefix.length)) || 'index.html';
  if (route.only && !route.only.has(name)) return undefined;
  const file = path.resolve(route.dir, name);
  if (!file.startsWith(route.dir + path.sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
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
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
});

server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`serving http://127.0.0.1:${server.address().port}/\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
