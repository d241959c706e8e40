// Finds MLX's CMake package (the folder holding MLXConfig.cmake), in this order:
// MLX_DIR; Homebrew; an installed wheel (`python3 -m mlx --cmake-dir`); else the
// project-local .venv, into which MLX's official wheel is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureVenv } from './python-env.mjs';

const CONFIG = 'MLXConfig.cmake';

function capture(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** MLX 0.32.x only: the .mlxfn layouts this package reads are those of 0.32. */
function mlxVersionAt(cmakeDir) {
  const header = path.resolve(cmakeDir, '../../../include/mlx/version.h');
  if (!existsSync(header)) return null;
  const text = readFileSync(header, 'utf8');
  const part = (name) => text.match(new RegExp(`#define MLX_VERSION_${name} (\\d+)`))?.[1];
  return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
}

function accept(cmakeDir, source) {
  if (!cmakeDir || !existsSync(path.join(cmakeDir, CONFIG))) return null;
  const version = mlxVersionAt(cmakeDir);
  if (version && !version.startsWith('0.32.')) {
    console.error(`mlx-onnx: skipping MLX ${version} from ${source} (0.32.x is required)`);
    return null;
  }
  return { cmakeDir, source, version };
}

function fromPythonPackage(python, source) {
  const dir = capture(python, ['-m', 'mlx', '--cmake-dir']);
  return dir ? accept(path.join(dir, 'share', 'cmake', 'MLX'), source) : null;
}

export function findMlx() {
  if (process.env.MLX_DIR) {
    const found = accept(process.env.MLX_DIR, 'MLX_DIR') ??
      accept(path.join(process.env.MLX_DIR, 'share', 'cmake', 'MLX'), 'MLX_DIR');
    if (!found) throw new Error(`MLX_DIR=${process.env.MLX_DIR} holds no ${CONFIG} of MLX 0.32.x`);
    return found;
  }
  const brew = capture('brew', ['--prefix', 'mlx']);
  const fromBrew = brew && accept(path.join(brew, 'share', 'cmake', 'MLX'), 'Homebrew');
  if (fromBrew) return fromBrew;
  const fromWheel = fromPythonPackage(process.env.PYTHON || 'python3', 'installed wheel');
  if (fromWheel) return fromWheel;
  return fromPythonPackage(ensureVenv(), 'project .venv');
}
