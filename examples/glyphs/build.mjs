#!/usr/bin/env node
// Builds the glyph demo into OUT (default examples/glyphs/out):
//   OUT/mlx    the trained denoiser: the checkpoint kept in examples/glyphs/trained, or with
//              --train a new one (train.py: glyphs rendered from Debian's fonts, MLX on the CPU);
//   OUT/model  the denoiser converted for the browser (convert --target web --verify:
//              checked against MLX), with the noise schedule, the characters and the
//              training figures the page reads.
// usage: node examples/glyphs/build.mjs [OUT] [--train]
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { demoBuild } from '../../scripts/demo-build.mjs';

const build = demoBuild(import.meta.url);
const mlx = build.checkpoint('denoiser.mlxfn');
const model = path.join(build.out, 'model');
mkdirSync(model, { recursive: true });
build.cli(['convert', path.join(mlx, 'denoiser.mlxfn'), '-o', path.join(model, 'model.onnx'), '--target', 'web', '--verify',
  '--input-names', 'x,t,label', '--output-names', 'x0']);
for (const file of ['schedule.json', 'chars.json', 'training.json']) copyFileSync(path.join(mlx, file), path.join(model, file));
