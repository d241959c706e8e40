// Writes the test fixtures once per run with MLX Python (the reference users export
// from): every lowering case, plus the files the error tests need.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, PYTHON, ROOT } from './paths.js';

export default function setup(): void {
  rmSync(FIXTURES, { recursive: true, force: true });
  mkdirSync(FIXTURES, { recursive: true });
  for (const script of ['make_fixtures.py', 'make_error_fixtures.py']) {
    execFileSync(PYTHON, [path.join(ROOT, 'test', 'fixtures', script), FIXTURES], { stdio: 'inherit' });
  }
}
