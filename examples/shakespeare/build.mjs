#!/usr/bin/env node
// Builds the Shakespeare demo into OUT (default examples/shakespeare/out):
//   OUT/mlx    the mlx-lm gpt2 folder of the character-level model: the trained checkpoint
//              kept in examples/shakespeare/trained, or with --train a new one (train.py,
//              minutes of MLX on the CPU);
//   OUT/model  its ONNX export for the browser (export-model --target web), with the
//              model's characters (vocab.json) and training figures (training.json).
// usage: node examples/shakespeare/build.mjs [OUT] [--train]
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { demoBuild } from '../../scripts/demo-build.mjs';

const build = demoBuild(import.meta.url);
const mlx = build.checkpoint('model.safetensors');
const model = path.join(build.out, 'model');
build.cli(['export-model', mlx, '-o', model, '--target', 'web']);
for (const file of ['vocab.json', 'training.json']) copyFileSync(path.join(mlx, file), path.join(model, file));
