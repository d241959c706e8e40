// npm run prebuild: builds the addon and writes prebuilds/<platform>-<arch>/ with the
// stripped addon (node.napi.node, found by node-gyp-build) and the MLX libraries it
// needs, all found through rpath $ORIGIN (@loader_path on macOS), so an installed
// package loads with no compiler, Python or MLX_DIR.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildNative } from './build-native.mjs';
import { ROOT } from './python-env.mjs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const mlx = buildNative();
const mlxLib = path.resolve(mlx.cmakeDir, '..', '..', '..', 'lib');
const out = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const addon = path.join(out, 'node.napi.node');
copyFileSync(path.join(ROOT, 'build', 'Release', 'mlx_onnx.node'), addon);

if (process.platform === 'darwin') {
  // libmlx.dylib and its Metal kernels (mlx.metallib) beside the addon.
  for (const name of readdirSync(mlxLib).filter((f) => f.endsWith('.dylib') || f.endsWith('.metallib'))) {
    copyFileSync(path.join(mlxLib, name), path.join(out, name));
  }
  run('strip', ['-x', addon]);
  run('install_name_tool', ['-add_rpath', '@loader_path', addon]);
} else {
  // libmlx.so and the BLAS/LAPACK libraries the wheel bundles with it (mlx_cpu.libs).
  const bundled = path.resolve(mlxLib, '..', '..', 'mlx_cpu.libs');
  const libs = [path.join(mlxLib, 'libmlx.so')];
  if (existsSync(bundled)) libs.push(...readdirSync(bundled).map((f) => path.join(bundled, f)));
  for (const lib of libs) {
    const copy = path.join(out, path.basename(lib));
    copyFileSync(lib, copy);
    run('patchelf', ['--set-rpath', '$ORIGIN', copy]);
  }
  run('strip', ['--strip-unneeded', addon]);
  run('patchelf', ['--set-rpath', '$ORIGIN', addon]);
}
console.error(`mlx-onnx: wrote ${path.relative(ROOT, out)} (${readdirSync(out).join(', ')})`);
