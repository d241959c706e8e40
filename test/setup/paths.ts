import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// MLX_ONNX_FIXTURES puts the generated fixtures elsewhere (development).
export const FIXTURES = process.env.MLX_ONNX_FIXTURES
  ? path.resolve(process.env.MLX_ONNX_FIXTURES)
  : path.join(ROOT, 'test', 'fixtures', 'generated');
export const PYTHON = path.join(ROOT, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
