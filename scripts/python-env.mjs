// The project-local Python environment (.venv): MLX's official wheel, which is also the
// C++ SDK the addon builds against, and (with --test) the independent checkers the tests
// use. Python is needed to build from source and to make test fixtures, never to convert.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VENV = path.join(ROOT, '.venv');
export const MLX_VERSION = '0.32.4';
const MLX_WHEEL = process.platform === 'darwin' ? `mlx==${MLX_VERSION}` : `mlx[cpu]==${MLX_VERSION}`;
const TEST_PACKAGES = ['numpy>=1.26,<3', 'onnx==1.19.1', 'mlx-lm==0.32.2'];

export function venvPython() {
  return process.platform === 'win32'
    ? path.join(VENV, 'Scripts', 'python.exe')
    : path.join(VENV, 'bin', 'python');
}

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

function hasModules(python, modules) {
  try {
    execFileSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Creates .venv if needed and installs the packages that are missing. */
export function ensureVenv({ forTests = false } = {}) {
  const python = venvPython();
  if (!existsSync(python)) {
    console.error(`mlx-onnx: creating ${path.relative(ROOT, VENV)} for MLX ${MLX_VERSION}`);
    run(process.env.PYTHON || 'python3', ['-m', 'venv', VENV]);
  }
  const wanted = [];
  if (!hasModules(python, ['mlx.core'])) wanted.push(MLX_WHEEL);
  if (forTests && !hasModules(python, ['numpy', 'onnx', 'mlx_lm.models.llama'])) wanted.push(...TEST_PACKAGES);
  if (wanted.length > 0) {
    run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', ...wanted]);
  }
  return python;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureVenv({ forTests: process.argv.includes('--test') });
}

/**
 * The environment for MLX training on Linux: MLX's CPU wheel carries the reference BLAS
 * (about 3.5 GFLOP/s for float32 matmuls on two cores here); Debian's OpenBLAS
 * (apt-get install libopenblas0-pthread), preloaded in its place, runs them about 11x faster.
 */
export function trainingEnv() {
  const openblas = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0';
  if (process.platform !== 'linux' || !existsSync(openblas)) return process.env;
  return { ...process.env, LD_PRELOAD: [openblas, process.env.LD_PRELOAD].filter(Boolean).join(':') };
}
