// Faults and concurrency: aborted conversions and full disks leave nothing behind and
// the next conversion works; parallel conversions, in one thread or several, write the
// same bytes as serial ones; memory stays flat over many conversions.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { convert } from '../dist/index.js';
import { fixture } from './setup/fixtures-manifest.js';
import { CLI, ROOT } from './setup/paths.js';

const workDir = () => mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-faults-'));
const MODEL = 'model_transformer_block.mlxfn';

describe('abort', () => {
  it('an already aborted signal stops before any work', async () => {
    const dir = workDir();
    const error = await convert(fixture(MODEL), path.join(dir, 'm.onnx'), { signal: AbortSignal.abort() }).catch((e) => e);
    expect(error.code).toBe('ERR_ABORTED');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('aborting a running conversion leaves no output or temporary file, and the next one succeeds', async () => {
    const dir = workDir();
    const controller = new AbortController();
    // 16 MB to write: the abort, raised right away, lands long before the end.
    const running = convert(fixture('weights_16mb.mlxfn'), path.join(dir, 'm.onnx'), { signal: controller.signal });
    controller.abort();
    const error = await running.catch((e) => e);
    expect(error.code).toBe('ERR_ABORTED');
    expect(error.message).toBe('the conversion was aborted; nothing was written');
    expect(readdirSync(dir)).toEqual([]);
    await convert(fixture(MODEL), path.join(dir, 'm.onnx'));
    expect(readdirSync(dir)).toEqual(['m.onnx']);
  });
});

describe('full disk', () => {
  it('a failing write is ERR_IO and leaves no file (file size limit as a full disk)', () => {
    const dir = workDir();
    const out = path.join(dir, 'm.onnx');
    // 8 KiB limit; SIGXFSZ ignored so that write() fails with EFBIG instead of killing.
    const r = spawnSync('bash', ['-c', `ulimit -f 16; trap '' XFSZ; exec "${process.execPath}" "${CLI}" convert "${fixture(MODEL)}" -o "${out}"`], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mlx-onnx: ERR_IO: cannot write .*m\.onnx: File too large/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('concurrency', () => {
  it('8 conversions at once write the same bytes as one at a time', async () => {
    const dir = workDir();
    await convert(fixture(MODEL), path.join(dir, 'serial.onnx'));
    const serial = readFileSync(path.join(dir, 'serial.onnx'));
    await Promise.all(Array.from({ length: 8 }, (_, i) => convert(fixture(MODEL), path.join(dir, `p${i}.onnx`))));
    for (let i = 0; i < 8; i++) expect(readFileSync(path.join(dir, `p${i}.onnx`)).equals(serial)).toBe(true);
  });

  it('conversions in worker threads and the main thread at once write the same bytes', async () => {
    const dir = workDir();
    await convert(fixture(MODEL), path.join(dir, 'serial.onnx'));
    const serial = readFileSync(path.join(dir, 'serial.onnx'));
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.index).then((m) => m.convert(workerData.input, workerData.output))
        .then(() => parentPort.postMessage('ok'), (e) => parentPort.postMessage(e.message));`;
    const inWorker = (i: number) => new Promise<string>((resolve, reject) => {
      const worker = new Worker(source, { eval: true, workerData: { index: path.join(ROOT, 'dist', 'index.js'), input: fixture(MODEL), output: path.join(dir, `w${i}.onnx`) } });
      worker.once('message', (m) => { void worker.terminate(); resolve(m); });
      worker.once('error', reject);
    });
    const results = await Promise.all([inWorker(0), inWorker(1), inWorker(2), convert(fixture(MODEL), path.join(dir, 'main.onnx')).then(() => 'ok')]);
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok']);
    for (const f of ['w0', 'w1', 'w2', 'main']) expect(readFileSync(path.join(dir, `${f}.onnx`)).equals(serial)).toBe(true);
  });
});

// Under AddressSanitizer (npm run test:asan) freed memory is held in quarantine, so RSS grows.
const underAsan = (process.env.LD_PRELOAD ?? '').includes('asan');

describe.skipIf(underAsan)('soak', () => {
  it('500 conversions in one process keep memory flat (RSS within 10%)', async () => {
    const dir = workDir();
    const out = path.join(dir, 'm.onnx');
    for (let i = 0; i < 50; i++) await convert(fixture(MODEL), out); // warm up
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 450; i++) await convert(fixture(MODEL), out);
    global.gc?.();
    const after = process.memoryUsage().rss;
    expect(after / before).toBeLessThan(1.1);
  });
});
