// Real architectures (test/cases/llm.py: mlx-lm's llama, qwen2, qwen3, gemma2, phi3, gpt2,
// and a BERT-style encoder): beyond the logits tolerance of the lowering test, the
// converted model must pick the same token as MLX at every position.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert, inspect, readSafetensors } from '../dist/index.js';
import { toNumbers } from '../dist/tensors.js';
import { runOnnx } from '../dist/verify.js';
import { argmaxRows } from './setup/decoding.js';
import { fixture, loadManifest } from './setup/fixtures-manifest.js';

const cases = loadManifest().cases.filter((c) => c.family === 'llm' && c.name !== 'llm_bert_encoder');
const outDir = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-models-'));

// Only a development run narrowed with MLX_ONNX_ONLY may lack these fixtures.
describe.skipIf(Boolean(process.env.MLX_ONNX_ONLY) && cases.length === 0)('language models', () => {
  it('covers the six mlx-lm architectures', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(['llm_gemma2', 'llm_gpt2', 'llm_llama', 'llm_phi3', 'llm_qwen2', 'llm_qwen3']);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: same argmax as MLX at every position', async (_name, c) => {
    const onnxPath = path.join(outDir, `${c.name}.onnx`);
    await convert(fixture(c.file), onnxPath);
    const info = await inspect(fixture(c.file));
    const inputs = await readSafetensors(fixture(c.inputs));
    const expected = (await readSafetensors(fixture(c.outputs))).output_0!;
    const run = await runOnnx(onnxPath, info.traces[0]!.inputs.map((i) => inputs[i.name]!));
    const vocab = expected.shape.at(-1)!;
    const mlxTokens = argmaxRows(toNumbers(expected), vocab);
    expect(mlxTokens.length).toBe(8);
    expect(argmaxRows(toNumbers(run.outputs[0]!), vocab)).toEqual(mlxTokens);
  });
});
