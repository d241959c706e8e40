// Builds the addon from source with cmake-js against the MLX that find-mlx.mjs finds.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { findMlx } from './find-mlx.mjs';
import { ROOT } from './python-env.mjs';

/** Builds build/Release/mlx_onnx.node and returns the MLX it was built against. */
export function buildNative() {
  const mlx = findMlx();
  console.error(`mlx-onnx: building against MLX ${mlx.version ?? '?'} (${mlx.source}: ${mlx.cmakeDir})`);
  const require = createRequire(import.meta.url);
  const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  const parallel = String(Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2)));
  // MLX_ONNX_BUILD_DIR builds elsewhere than build/ (development; see MLX_ONNX_ADDON).
  const out = process.env.MLX_ONNX_BUILD_DIR ? ['--out', process.env.MLX_ONNX_BUILD_DIR] : [];
  if (process.env.MLX_ONNX_ASAN) out.push('--CDMLX_ONNX_ASAN=ON');
  execFileSync(process.execPath, [cmakeJs, 'compile', ...out, '--CDMLX_DIR=' + mlx.cmakeDir, '--parallel', parallel], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return mlx;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildNative();
