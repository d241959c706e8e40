// Writes the test fixtures once per run with MLX Python (the reference users export
// from): every lowering case, plus the files of the file-level tests (errors, traces,
// keywords, shapeless exports) and of casts (convert's dtype).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, PYTHON, ROOT } from './paths.js';

export default function setup(): void {
  rmSync(FIXTURES, { recursive: true, force: true });
  mkdirSync(FIXTURES, { recursive: true });
  // MLX_ONNX_ONLY=substring makes only the matching lowering cases (development).
  const only = process.env.MLX_ONNX_ONLY ? ['--only', process.env.MLX_ONNX_ONLY] : [];
  execFileSync(PYTHON, [path.join(ROOT, 'test', 'fixtures', 'make_fixtures.py'), FIXTURES, ...only], { stdio: 'inherit' });
  execFileSync(PYTHON, [path.join(ROOT, 'test', 'fixtures', 'make_file_fixtures.py'), FIXTURES], { stdio: 'inherit' });
  execFileSync(PYTHON, [path.join(ROOT, 'test', 'fixtures', 'make_cast_fixtures.py'), FIXTURES], { stdio: 'inherit' });
}
