#!/usr/bin/env node
// Builds the glyph demo into OUT (default examples/glyphs/out):
//   OUT/mlx    the trained denoiser: the checkpoint kept in examples/glyphs/trained, or with
//              --train a new one (train.py: glyphs rendered from Debian's fonts, MLX on the CPU);
//   OUT/model  the denoiser converted for the browser (convert --target web --verify:
//              checked against MLX), with the noise schedule, the characters and the
//              training figures the page reads.
// usage: node examples/glyphs/build.mjs [OUT] [--train]
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { trainingEnv, venvPython } from '../../scripts/python-env.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { train: { type: 'boolean' } } });
const out = path.resolve(positionals[0] ?? path.join(HERE, 'out'));
const run = (cmd, args, env = process.env) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env });

const trained = path.join(HERE, 'trained');
const mlx = path.join(out, 'mlx');
if (values.train || !existsSync(path.join(trained, 'denoiser.mlxfn'))) run(venvPython(), [path.join(HERE, 'train.py'), mlx], trainingEnv());
else cpSync(trained, mlx, { recursive: true });
const model = path.join(out, 'model');
mkdirSync(model, { recursive: true });
run(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'convert', path.join(mlx, 'denoiser.mlxfn'), '-o', path.join(model, 'model.onnx'),
  '--target', 'web', '--verify', '--input-names', 'x,t,label', '--output-names', 'x0']);
for (const file of ['schedule.json', 'chars.json', 'training.json']) copyFileSync(path.join(mlx, file), path.join(model, file));
