// Malformed model folders (config.json, model.safetensors.index.json): ERR_INVALID_INPUT
// naming the file and the field, before any weight is read.
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlxOnnxError, models, mx, nn } from '../dist/index.js';

const LLAMA = {
  model_type: 'llama', hidden_size: 64, num_hidden_layers: 1, intermediate_size: 128, num_attention_heads: 4,
  rms_norm_eps: 1e-5, vocab_size: 100,
};

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-folder-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function expectInvalid(run: () => unknown, message: string): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MlxOnnxError);
  expect((error as MlxOnnxError).code).toBe('ERR_INVALID_INPUT');
  expect((error as MlxOnnxError).message).toBe(message);
}

describe('config.json', () => {
  it('a model_type naming an Object property is not an architecture', () => {
    for (const type of ['constructor', '__proto__', 'toString']) {
      const dir = folder({ 'config.json': { ...LLAMA, model_type: type } });
      expectInvalid(() => models.loadModel(dir), `model type '${type}' is not supported (${models.SUPPORTED_MODEL_TYPES.join(', ')}); `
        + 'see "Model folders: export-model" in the README');
    }
  });

  it('a missing model_type, a field of the wrong type, a missing field, a zero head count', () => {
    const { model_type: _, ...untyped } = LLAMA;
    expectInvalid(() => models.loadModel(folder({ 'config.json': untyped })), 'config.json has no "model_type"');
    expectInvalid(() => models.loadModel(folder({ 'config.json': { ...LLAMA, hidden_size: '64' } })),
      'config.json of a llama model needs a number "hidden_size"');
    const { vocab_size: __, ...noVocab } = LLAMA;
    expectInvalid(() => models.loadModel(folder({ 'config.json': noVocab })), 'config.json of a llama model needs a number "vocab_size"');
    expectInvalid(() => models.loadModel(folder({ 'config.json': { ...LLAMA, num_attention_heads: 0 } })),
      'config.json of a llama model needs a positive integer "num_attention_heads"');
    expectInvalid(() => models.loadModel(folder({ 'config.json': { ...LLAMA, num_hidden_layers: 1.5 } })),
      'config.json of a llama model needs a non-negative integer "num_hidden_layers"');
  });

  it('a config.json larger than 64 MiB is refused before it is read', () => {
    const dir = folder({ 'config.json': '{}' });
    const file = path.join(dir, 'config.json');
    truncateSync(file, (64 << 20) + 1); // sparse: no disk used
    expectInvalid(() => nn.readModelConfig(dir), `${file} is 67108865 bytes, more than the 67108864 a model folder's JSON may have`);
  });

  it('quantization settings out of range', () => {
    const dir = folder({ 'config.json': { ...LLAMA, quantization: { group_size: 64, bits: 16 } } });
    expectInvalid(() => nn.readModelConfig(dir),
      `${path.join(dir, 'config.json')}: "quantization" has "bits" 16 and "group_size" 64; bits are 1 to 8 and groups positive`);
    const layer = folder({ 'config.json': { ...LLAMA, quantization: { group_size: 64, bits: 4, 'model.embed_tokens': { group_size: 0, bits: 4 } } } });
    expectInvalid(() => nn.readModelConfig(layer),
      `${path.join(layer, 'config.json')}: "quantization" entry model.embed_tokens has "bits" 4 and "group_size" 0; bits are 1 to 8 and groups positive`);
  });
});

describe('architecture settings', () => {
  it('layer kinds, rope scaling types and settings mlx-onnx does not read are refused by name', () => {
    const layers = { ...LLAMA, layer_types: ['full_attention', 'linear_attention'] };
    expectInvalid(() => models.loadModel(folder({ 'config.json': layers })),
      "layer_types must list 'full_attention' or 'sliding_attention' for each of the 1 layers");
    const rope = { ...LLAMA, rope_scaling: { rope_type: 'proportional', factor: 2 } };
    expectInvalid(() => models.loadModel(folder({ 'config.json': rope })),
      "rope scaling 'proportional' is not supported (default, linear, llama3, yarn, dynamic)");
    const smollm3 = { ...LLAMA, model_type: 'smollm3', no_rope_layers: [1, 0, 1] };
    expectInvalid(() => models.loadModel(folder({ 'config.json': smollm3 })),
      "config.json's no_rope_layers must list one 0 or 1 per layer (1)");
    const phi3 = { ...LLAMA, model_type: 'phi3', partial_rotary_factor: 0.1 };
    expectInvalid(() => models.loadModel(folder({ 'config.json': phi3 })),
      'partial_rotary_factor gives 1 rotated features, not a positive even number');
  });
});

describe('model.safetensors.index.json', () => {
  const INDEX = 'model.safetensors.index.json';

  it('a weight_map that is not an object', () => {
    for (const index of [{ weight_map: ['a.safetensors'] }, { weight_map: 'a.safetensors' }, {}, [1]]) {
      const dir = folder({ [INDEX]: index });
      expectInvalid(() => nn.loadWeightsFromDir(dir), `${path.join(dir, INDEX)} has no "weight_map" object (tensor name → shard file)`);
    }
  });

  it('tensor names are own keys: "constructor" is not found in a shard that lacks it', () => {
    const dir = folder({ [INDEX]: { weight_map: { constructor: 's.safetensors' } } });
    mx.saveSafetensors(path.join(dir, 's.safetensors'), { w: mx.ones([2]) });
    expectInvalid(() => nn.loadWeightsFromDir(dir),
      `tensors listed in ${path.join(dir, INDEX)} are not in their shards: s.safetensors lacks constructor`);
  });

  it('shard names that leave the folder or are not strings', () => {
    for (const shard of ['/etc/passwd', '../up.safetensors', 'sub/../../up.safetensors', '..\\up.safetensors', '', 7, null]) {
      const dir = folder({ [INDEX]: { weight_map: { 'w.weight': shard } } });
      expectInvalid(() => nn.loadWeightsFromDir(dir),
        `${path.join(dir, INDEX)}: tensor w.weight maps to ${JSON.stringify(shard)}, not a file in ${dir}`);
    }
  });
});
