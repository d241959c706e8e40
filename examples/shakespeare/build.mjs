#!/usr/bin/env node
// Builds the Shakespeare demo into OUT (default examples/shakespeare/out):
//   OUT/mlx    the mlx-lm gpt2 folder of the character-level model: the trained checkpoint
//              kept in examples/shakespeare/trained, or with --train a new one (train.py,
//              a few minutes of MLX on the CPU);
//   OUT/model  its ONNX export for the browser (export-model --target web), with the
//              model's characters (vocab.json) and training figures (training.json).
// usage: node examples/shakespeare/build.mjs [OUT] [--train]
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync } from 'node:fs';
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
if (values.train || !existsSync(path.join(trained, 'model.safetensors'))) run(venvPython(), [path.join(HERE, 'train.py'), mlx], trainingEnv());
else cpSync(trained, mlx, { recursive: true });
const model = path.join(out, 'model');
run(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'export-model', mlx, '-o', model, '--target', 'web']);
for (const file of ['vocab.json', 'training.json']) copyFileSync(path.join(mlx, file), path.join(model, file));
