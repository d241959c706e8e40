// nn layers against mlx.nn: weights made in TypeScript are saved with mx.saveSafetensors,
// loaded strictly into the mlx.nn layer in Python (so names and shapes must match
// mlx.nn's), and both run on the same inputs. Float outputs: |ts − mlx| ≤ 1e-5 + 1e-4·|mlx|;
// quantized parameters must be bit-identical (same MLX kernel).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlxOnnxError, mx, nn } from '../dist/index.js';
import { PYTHON, ROOT } from './setup/paths.js';

type MxArray = mx.MxArray;
const ATOL = 1e-5;
const RTOL = 1e-4;
const SCRIPT = path.join(ROOT, 'test', 'tools', 'nn_reference.py');
const dirs: string[] = [];
const workDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-nn-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const rand = (shape: number[], seed: number) => mx.random.normal(shape, { key: mx.random.key(seed) });

/** The largest |a − b| after checking every element is within atol + rtol·|b|. */
function expectClose(actual: MxArray, expected: MxArray, what: string): number {
  expect(actual.shape, what).toEqual(expected.shape);
  const a = actual.astype('float32').toTypedArray() as Float32Array;
  const b = expected.astype('float32').toTypedArray() as Float32Array;
  let worst = 0;
  const bad: string[] = [];
  for (let i = 0; i < b.length; i++) {
    const err = Math.abs(a[i]! - b[i]!);
    worst = Math.max(worst, err);
    if (!(err <= ATOL + RTOL * Math.abs(b[i]!)) && bad.length < 3) bad.push(`[${i}] ${a[i]} vs ${b[i]}`);
  }
  expect(bad, what).toEqual([]);
  return worst;
}

function expectIdentical(actual: MxArray, expected: MxArray, what: string): void {
  expect([actual.dtype, actual.shape], what).toEqual([expected.dtype, expected.shape]);
  expect(Buffer.from(actual.bytes()).equals(Buffer.from(expected.bytes())), what).toBe(true);
}

function caughtError(fn: () => unknown): MlxOnnxError {
  try {
    fn();
  } catch (error) {
    return error as MlxOnnxError;
  }
  throw new Error('expected an error');
}

// An embedding, two linear layers and an untied head (TinyModel in nn_reference.py).
class TinyModel extends nn.Module {
  embed: nn.Embedding | nn.QuantizedEmbedding;
  layers: Array<nn.Linear | nn.QuantizedLinear>;
  head: nn.Linear | nn.QuantizedLinear;
  constructor(vocab: number, dims: number) {
    super();
    this.embed = new nn.Embedding(vocab, dims);
    this.layers = [new nn.Linear(dims, dims), new nn.Linear(dims, dims, false)];
    this.head = new nn.Linear(dims, vocab);
  }
  forward(ids: MxArray): MxArray {
    let h = this.embed.forward(ids);
    for (const layer of this.layers) h = nn.silu(layer.forward(h));
    return mx.add(this.head.forward(h), this.embed.asLinear(h));
  }
}

interface LayerCase {
  name: string;
  layer: string;
  args: Record<string, unknown>;
  module: nn.Module;
  inputs: MxArray[];
  /** The TypeScript output to compare with mlx.nn's `output`. */
  run?: () => MxArray;
  call?: string;
  offset?: number;
  mask?: string;
}

function layerCases(): LayerCase[] {
  mx.random.seed(1);
  const x = (shape: number[], seed: number) => rand(shape, seed);
  const cases: LayerCase[] = [];
  const add = (c: LayerCase) => cases.push(c);

  for (const [groupSize, bits, bias] of [[64, 4, true], [32, 8, false], [128, 2, true]] as const) {
    const q = new nn.QuantizedLinear(128, 48, { groupSize, bits, bias });
    if (q.bias) q.bias = x([48], 11);
    const input = x([2, 3, 128], 12);
    add({ name: `qlinear_g${groupSize}_b${bits}`, layer: 'QuantizedLinear', module: q, inputs: [input], run: () => q.forward(input),
      args: { input_dims: 128, output_dims: 48, bias, group_size: groupSize, bits, mode: 'affine' } });
  }
  const fp4 = new nn.QuantizedLinear(64, 16, { mode: 'mxfp4', bias: false });
  const fp4Input = x([3, 64], 13);
  add({ name: 'qlinear_mxfp4', layer: 'QuantizedLinear', module: fp4, inputs: [fp4Input], run: () => fp4.forward(fp4Input),
    args: { input_dims: 64, output_dims: 16, bias: false, group_size: 32, bits: 4, mode: 'mxfp4' } });

  const linear = new nn.Linear(64, 24);
  add({ name: 'qlinear_from_linear', layer: 'QuantizedLinear.from_linear', module: linear, inputs: [],
    args: { input_dims: 64, output_dims: 24, bias: true, group_size: 32, bits: 4 } });

  const qe = new nn.QuantizedEmbedding(100, 64, { groupSize: 32, bits: 4 });
  const ids = mx.array([3, 0, 99, 3, 17, 42, 5, 64], [2, 4], 'int32');
  add({ name: 'qembedding', layer: 'QuantizedEmbedding', module: qe, inputs: [ids], run: () => qe.forward(ids),
    args: { count: 100, dims: 64, group_size: 32, bits: 4, mode: 'affine' } });
  const hidden = x([2, 4, 64], 14);
  add({ name: 'qembedding_as_linear', layer: 'QuantizedEmbedding', module: qe, inputs: [hidden], call: 'as_linear',
    run: () => qe.asLinear(hidden), args: { count: 100, dims: 64, group_size: 32, bits: 4, mode: 'affine' } });

  for (const [dims, traditional, base, scale, offset] of [[16, false, 10000, 1, 0], [8, true, 500, 0.5, 7]] as const) {
    const rope = new nn.RoPE(dims, { traditional, base, scale });
    const input = x([2, 3, 5, 16], 15);
    add({ name: `rope_${traditional ? 'traditional' : 'halves'}`, layer: 'RoPE', module: rope, inputs: [input], offset,
      run: () => rope.forward(input, offset), args: { dims, traditional, base, scale } });
  }

  const mha = new nn.MultiHeadAttention(32, 4);
  const seq = x([2, 6, 32], 16);
  add({ name: 'mha_causal', layer: 'MultiHeadAttention', module: mha, inputs: [seq, seq, seq], mask: 'causal',
    run: () => mha.forward(seq, seq, seq, 'causal'), args: { dims: 32, num_heads: 4 } });
  const additive = nn.MultiHeadAttention.createAdditiveCausalMask(6);
  add({ name: 'mha_additive_mask', layer: 'MultiHeadAttention', module: mha, inputs: [seq, seq, seq, additive], mask: 'input',
    run: () => mha.forward(seq, seq, seq, additive), args: { dims: 32, num_heads: 4 } });
  const cross = new nn.MultiHeadAttention(32, 2, { keyInputDims: 20, valueInputDims: 12, valueDims: 16, valueOutputDims: 24, bias: true });
  const [q, k, v] = [x([2, 3, 32], 17), x([2, 5, 20], 18), x([2, 5, 12], 19)];
  const keep = mx.greater(x([2, 1, 3, 5], 20), -0.5); // boolean mask: true attends
  add({ name: 'mha_cross_bool_mask', layer: 'MultiHeadAttention', module: cross, inputs: [q, k, v, keep], mask: 'input',
    run: () => cross.forward(q, k, v, keep),
    args: { dims: 32, num_heads: 2, extra: { key_input_dims: 20, value_input_dims: 12, value_dims: 16, value_output_dims: 24, bias: true } } });

  const conv1 = new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, dilation: 2, groups: 2 });
  conv1.bias = x([6], 21);
  const signal = x([2, 11, 4], 22);
  add({ name: 'conv1d', layer: 'Conv1d', module: conv1, inputs: [signal], run: () => conv1.forward(signal),
    args: { in: 4, out: 6, kernel: 3, stride: 2, padding: 1, dilation: 2, groups: 2, bias: true } });
  const conv2 = new nn.Conv2d(4, 8, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, bias: false });
  const image = x([2, 7, 6, 4], 23);
  add({ name: 'conv2d', layer: 'Conv2d', module: conv2, inputs: [image], run: () => conv2.forward(image),
    args: { in: 4, out: 8, kernel: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, bias: false } });

  const tiny = nn.quantize(new TinyModel(96, 64), { groupSize: 32, bits: 4, predicate: (p) => p !== 'head' });
  const tokens = mx.array([1, 5, 9, 95, 0], [1, 5], 'int32');
  add({ name: 'quantize_tree', layer: 'TinyModel', module: tiny, inputs: [tokens], run: () => tiny.forward(tokens),
    args: { vocab: 96, dims: 64, group_size: 32, bits: 4 } });
  return cases;
}

describe('layers match mlx.nn', () => {
  const dir = workDir();
  const cases = layerCases();
  const results = new Map<string, Record<string, MxArray>>();

  beforeAll(() => {
    for (const c of cases) {
      const tensors: Record<string, MxArray> = {};
      for (const [name, array] of Object.entries(c.module.parameters())) tensors[`param.${name}`] = array;
      c.inputs.forEach((input, i) => { tensors[`input.${i}`] = input; });
      mx.saveSafetensors(path.join(dir, `${c.name}.safetensors`), tensors);
    }
    const spec = cases.map(({ name, layer, args, call, offset, mask }) => ({ name, layer, args, call, offset, mask }));
    writeFileSync(path.join(dir, 'cases.json'), JSON.stringify(spec));
    execFileSync(PYTHON, [SCRIPT, 'layers', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (const c of cases) results.set(c.name, mx.loadSafetensors(path.join(dir, `${c.name}.out.safetensors`)).tensors);
  });

  for (const c of cases.filter((c) => c.run)) {
    it(`${c.name}: ${c.layer} within atol ${ATOL} / rtol ${RTOL}`, () => {
      expectClose(c.run!(), results.get(c.name)!.output!, c.name);
    });
  }

  it('QuantizedLinear.fromLinear packs the same weight, scales and biases as mlx.nn', () => {
    const c = cases.find((c) => c.name === 'qlinear_from_linear')!;
    const ours = nn.QuantizedLinear.fromLinear(c.module as nn.Linear, 32, 4).parameters();
    const theirs = results.get(c.name)!;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const name of Object.keys(theirs)) expectIdentical(ours[name]!, theirs[name]!, name);
    expect(ours.weight!.shape).toEqual([24, 64 / 8]); // 8 four-bit values per uint32
  });

  it('quantize() swaps Linear and Embedding (not those the predicate refuses) under mlx.nn.quantize names', () => {
    const tiny = cases.find((c) => c.name === 'quantize_tree')!.module as TinyModel;
    expect(tiny.embed).toBeInstanceOf(nn.QuantizedEmbedding);
    expect(tiny.layers.map((l) => l.constructor.name)).toEqual(['QuantizedLinear', 'QuantizedLinear']);
    expect(tiny.head).toBeInstanceOf(nn.Linear);
    expect(Object.keys(tiny.parameters()).sort()).toEqual([
      'embed.biases', 'embed.scales', 'embed.weight', 'head.bias', 'head.weight', 'layers.0.bias', 'layers.0.biases',
      'layers.0.scales', 'layers.0.weight', 'layers.1.biases', 'layers.1.scales', 'layers.1.weight']);
  });

  it('quantize() names the layer it cannot quantize', () => {
    const model = new TinyModel(96, 40); // 40 is not a multiple of the group size 32
    const error = caughtError(() => nn.quantize(model, { groupSize: 32, bits: 4 }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toMatch(/^cannot quantize embed: /);
  });
});

describe('loadWeights', () => {
  it('lists every missing, unexpected and mis-shaped weight in one ERR_INVALID_INPUT', () => {
    const mha = new nn.MultiHeadAttention(16, 2, { bias: true });
    const weights = { ...mha.parameters() };
    delete weights['key_proj.bias'];
    delete weights['out_proj.weight'];
    weights['query_proj.weight'] = mx.zeros([16, 8]);
    weights['value_proj.scales'] = mx.zeros([16, 1]);
    const error = caughtError(() => mha.loadWeights(weights));
    expect(error.code).toBe('ERR_INVALID_INPUT');
    expect(error.message).toBe('cannot load weights: query_proj.weight has shape [16,8], the model expects [16,16]; '
      + 'unexpected weight value_proj.scales; missing weight key_proj.bias; missing weight out_proj.weight');
  });

  it('loads a quantized layer\'s packed weights, checking their shapes', () => {
    const source = new nn.QuantizedLinear(64, 8, { groupSize: 32, bits: 4 });
    const target = new nn.QuantizedLinear(64, 8, { groupSize: 32, bits: 4 }).loadWeights(source.parameters());
    const input = rand([2, 64], 30);
    expectIdentical(target.forward(input), source.forward(input), 'output');
    const error = caughtError(() => new nn.QuantizedLinear(64, 8, { groupSize: 64, bits: 4 }).loadWeights(source.parameters()));
    expect(error.message).toBe('cannot load weights: scales has shape [8,2], the model expects [8,1]; '
      + 'biases has shape [8,2], the model expects [8,1]');
  });
});

describe('loadWeightsFromDir and readModelConfig', () => {
  const expectError = (fn: () => unknown, code: string, message: string | RegExp) => {
    const error = caughtError(fn);
    expect(error).toBeInstanceOf(MlxOnnxError);
    expect(error.code).toBe(code);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  };
  const shardedDir = (tensors: Record<string, MxArray>) => {
    const dir = workDir();
    const names = Object.keys(tensors);
    const shards = [names.slice(0, 2), names.slice(2)];
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      mx.saveSafetensors(path.join(dir, file), Object.fromEntries(shard.map((n) => [n, tensors[n]!])), { format: 'mlx', shard: String(i) });
      for (const name of shard) weightMap[name] = file;
    });
    writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    return { dir, weightMap };
  };

  it('reads two shards through their index: same names, dtypes and bytes', () => {
    const source = new nn.QuantizedLinear(64, 16, { groupSize: 32, bits: 4 });
    source.bias = rand([16], 31);
    const tensors = { ...source.parameters(), 'extra.f16': rand([3, 5], 32).astype('float16') };
    const { dir } = shardedDir(tensors);
    const loaded = nn.loadWeightsFromDir(dir);
    expect(Object.keys(loaded.weights).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, array] of Object.entries(tensors)) expectIdentical(loaded.weights[name]!, array, name);
    expect(loaded.metadata).toEqual({ format: 'mlx', shard: '1' });
    expect(loaded.files.map((f) => path.basename(f))).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  });

  it('reads a single model.safetensors', () => {
    const dir = workDir();
    const w = rand([4, 4], 33);
    mx.saveSafetensors(path.join(dir, 'model.safetensors'), { 'layer.weight': w });
    const loaded = nn.loadWeightsFromDir(dir);
    expectIdentical(loaded.weights['layer.weight']!, w, 'layer.weight');
  });

  it('names what is missing: the folder, the files, a listed shard, tensors absent from their shard', () => {
    const missing = path.join(workDir(), 'nope');
    expectError(() => nn.loadWeightsFromDir(missing), 'ERR_IO', `model folder ${missing} does not exist`);
    const empty = workDir();
    expectError(() => nn.loadWeightsFromDir(empty), 'ERR_IO', `no model.safetensors or model.safetensors.index.json in ${empty}`);

    const tensors = { a: mx.ones([2]), b: mx.ones([3]), c: mx.ones([4]) };
    const { dir, weightMap } = shardedDir(tensors);
    const index = path.join(dir, 'model.safetensors.index.json');
    writeFileSync(index, JSON.stringify({ weight_map: { ...weightMap, d: 'model-00003-of-00003.safetensors' } }));
    expectError(() => nn.loadWeightsFromDir(dir), 'ERR_IO',
      `${index} lists shards that are missing from ${dir}: model-00003-of-00003.safetensors`);
    writeFileSync(index, JSON.stringify({ weight_map: { ...weightMap, d: weightMap.a, e: weightMap.c } }));
    expectError(() => nn.loadWeightsFromDir(dir), 'ERR_INVALID_INPUT',
      `tensors listed in ${index} are not in their shards: model-00001-of-00002.safetensors lacks d; `
      + 'model-00002-of-00002.safetensors lacks e');
    writeFileSync(index, '{"weight_map": {');
    expectError(() => nn.loadWeightsFromDir(dir), 'ERR_INVALID_INPUT', new RegExp(`^${escape(index)} is not valid JSON: `));
    writeFileSync(index, JSON.stringify({ weight_map: { a: '../elsewhere.safetensors' } }));
    expectError(() => nn.loadWeightsFromDir(dir), 'ERR_INVALID_INPUT', `${index}: tensor a maps to "../elsewhere.safetensors", not a file in ${dir}`);
    writeFileSync(index, JSON.stringify({ weight_map: weightMap }));
    const shard = path.join(dir, weightMap.a!);
    writeFileSync(shard, 'not a safetensors file');
    expectError(() => nn.loadWeightsFromDir(dir), 'ERR_INVALID_INPUT',
      `${shard}: header length 7021991845529153390 exceeds the limit of 104857600 bytes`); // 'not a sa' as a length
  });

  it('reads config.json with its quantization section, and rejects bad JSON with the path', () => {
    const dir = workDir();
    const file = path.join(dir, 'config.json');
    expectError(() => nn.readModelConfig(dir), 'ERR_IO', `no config.json in ${dir}`);
    writeFileSync(file, JSON.stringify({ hidden_size: 64 }));
    expect(nn.readModelConfig(dir)).toEqual({ config: { hidden_size: 64 } });
    const quantization = { group_size: 64, bits: 4, 'model.layers.0.mlp': { group_size: 32, bits: 8 }, lm_head: false };
    writeFileSync(file, JSON.stringify({ hidden_size: 64, quantization }));
    expect(nn.readModelConfig(dir)).toEqual({
      config: { hidden_size: 64, quantization },
      quantization: { groupSize: 64, bits: 4, mode: 'affine',
        layers: { 'model.layers.0.mlp': { groupSize: 32, bits: 8, mode: 'affine' }, lm_head: false } },
    });
    writeFileSync(file, JSON.stringify({ quantization: { bits: 4 } }));
    expectError(() => nn.readModelConfig(dir), 'ERR_INVALID_INPUT',
      `${file}: "quantization" needs integer "group_size" and "bits" (and a string "mode" if any)`);
    writeFileSync(file, '{"hidden_size": 64,');
    expectError(() => nn.readModelConfig(dir), 'ERR_INVALID_INPUT', new RegExp(`^${escape(file)} is not valid JSON: `));
    writeFileSync(file, '[1, 2]');
    expectError(() => nn.readModelConfig(dir), 'ERR_INVALID_INPUT', `${file} is not a JSON object`);
  });

  it('loads an MLX-quantized sharded checkpoint made by mlx.nn.quantize (mixed bits, a float head)', () => {
    const dir = workDir();
    execFileSync(PYTHON, [SCRIPT, 'checkpoint', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    const { config, quantization } = nn.readModelConfig(dir);
    const { weights } = nn.loadWeightsFromDir(dir);
    const model = nn.quantize(new TinyModel(config.vocab_size as number, config.hidden_size as number), {
      groupSize: quantization!.groupSize, bits: quantization!.bits, predicate: nn.checkpointPredicate(weights, quantization),
    }).loadWeights(weights);
    expect((model.layers[1] as nn.QuantizedLinear).bits).toBe(8);
    expect(model.head).toBeInstanceOf(nn.Linear);
    const reference = mx.loadSafetensors(path.join(dir, 'reference.safetensors')).tensors;
    expectClose(model.forward(reference.ids!), reference.logits!, 'logits');
  });
});

describe('trace to ONNX', () => {
  // A quantized-projection attention block with rotary positions: the ops a quantized LLM uses.
  class QuantizedRopeAttention extends nn.Module {
    qkv = new nn.QuantizedLinear(64, 3 * 64, { groupSize: 32, bits: 4, bias: false });
    out = new nn.QuantizedLinear(64, 64, { groupSize: 32, bits: 8 });
    rope = new nn.RoPE(16);
    forward(x: MxArray): MxArray {
      const [q, k, v] = mx.split(this.qkv.forward(x), 3, -1).map((t) => mx.unflatten(t, -1, [4, 16]).transpose(0, 2, 1, 3));
      const attn = mx.fast.scaledDotProductAttention(this.rope.forward(q!), this.rope.forward(k!), v!, 0.25, 'causal');
      return this.out.forward(mx.flatten(attn.transpose(0, 2, 1, 3), -2, -1));
    }
  }

  it('QuantizedLinear + RoPE + causal attention (and a quantized MultiHeadAttention) converts and verifies against MLX', async () => {
    mx.random.seed(5);
    const block = new QuantizedRopeAttention();
    block.out.bias = rand([64], 40);
    const mha = nn.quantize(new nn.MultiHeadAttention(64, 4, { bias: true }), { groupSize: 32, bits: 4 });
    expect(mha.out_proj).toBeInstanceOf(nn.QuantizedLinear);
    mx.eval(...Object.values(block.parameters()), ...Object.values(mha.parameters()));
    const fn = (x: MxArray) => mx.add(block.forward(x), mha.forward(x, x, x, 'causal'));
    const dir = workDir();
    const report = await mx.trace(fn, [rand([1, 6, 64], 41)]).toOnnx(path.join(dir, 'block.onnx'), { verify: true });
    expect(report.verify!.pass).toBe(true); // float32: atol 1e-5, rtol 1e-4 per element
    expect(report.onnxOpHistogram).toHaveProperty('DequantizeLinear'); // the packed weights stay packed
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
