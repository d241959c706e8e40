// The published package: `npm pack` with prebuilt binaries installs into an empty
// project with --ignore-scripts (so no source build can run) and converts and verifies a
// model there, with no project virtualenv and no MLX_DIR.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './setup/paths.js';

it('npm pack + install --ignore-scripts converts with the prebuilt addon', () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'prebuild.mjs')], { stdio: 'ignore' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-package-'));
  const env = { ...process.env, MLX_DIR: '', npm_config_onnxruntime_node_install: 'skip' };
  delete env.MLX_ONNX_ADDON;
  const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env }).trim().split('\n').at(-1)!;
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(path.join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, tarball)], { cwd: dir, stdio: 'ignore', env });

  const installed = path.join(dir, 'node_modules', 'mlx-onnx');
  expect(existsSync(path.join(installed, 'prebuilds', `${process.platform}-${process.arch}`, 'node.napi.node'))).toBe(true);
  expect(existsSync(path.join(installed, 'build'))).toBe(false); // nothing was compiled
  expect(existsSync(path.join(installed, '.venv'))).toBe(false);

  const script = `
    import { convert, versions } from 'mlx-onnx';
    const report = await convert(${JSON.stringify(path.join(ROOT, 'examples', 'transformer_block.mlxfn'))}, 'out.onnx', { verify: true });
    console.log(JSON.stringify({ mlx: versions().mlx, pass: report.verify.pass }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', env });
  expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ mlx: '0.32.4', pass: true });
}, 300_000);
