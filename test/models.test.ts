// The model zoo: tiny random checkpoints written by mlx-lm (BERT: a Hugging Face-named
// mlx.nn model) load into the TypeScript models, which must match mlx-lm's logits; the
// exported ONNX decoders (symbolic batch, sequence and cache dims) must match the
// TypeScript model in MLX at sizes other than the traced ones, step by step with the
// cache, and give the same greedy tokens. Float32 logits: |a − b| ≤ 1e-4.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactSessionOptions, mx, models } from '../dist/index.js';
import { readModelUse } from '../dist/web/onnx-operators.js';
import { DOUBLE, onnxElementTypes } from './setup/onnx-types.js';
import { CLI, PYTHON, ROOT } from './setup/paths.js';

type MxArray = mx.MxArray;
type CausalLM = InstanceType<typeof models.CausalLM>;
const ATOL = 1e-4;
const TOOLS = path.join(ROOT, 'test', 'tools');
const root = mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-models-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// name → [architecture, quantization bits, quantization mode (affine)]
const CHECKPOINTS: Record<string, [string, number, string?]> = {
  llama: ['llama', 0], llama_traditional: ['llama_traditional', 0], llama_sliding: ['llama_sliding', 0], llama_yarn: ['llama_yarn', 0], llama3_scaling: ['llama3_scaling', 0], internlm2_dynamic: ['internlm2_dynamic', 0], gemma3_text: ['gemma3_text', 0], qwen2: ['qwen2', 0], qwen3: ['qwen3', 0], cohere: ['cohere', 0], gemma: ['gemma', 0], gemma2: ['gemma2', 0], granite: ['granite', 0], minicpm: ['minicpm', 0], mixtral: ['mixtral', 0], qwen2_moe: ['qwen2_moe', 0], qwen3_moe: ['qwen3_moe', 0], olmo2: ['olmo2', 0], phi3: ['phi3', 0], smollm3: ['smollm3', 0], stablelm: ['stablelm', 0], stablelm_qk: ['stablelm_qk', 0], cohere_qk: ['cohere_qk', 0], starcoder2: ['starcoder2', 0], phi: ['phi', 0], gpt_neox: ['gpt_neox', 0], gpt_neox_sequential: ['gpt_neox_sequential', 0], internlm2: ['internlm2', 0], glm4: ['glm4', 0], ernie4_5: ['ernie4_5', 0], gpt_oss: ['gpt_oss', 0], gpt2: ['gpt2', 0], bert: ['bert', 0], llama_4bit: ['llama', 4], gemma2_4bit: ['gemma2', 4], phi3_4bit: ['phi3', 4], mixtral_4bit: ['mixtral', 4], qwen3_moe_8bit: ['qwen3_moe', 8], gpt_oss_mxfp4: ['gpt_oss', 4, 'mxfp4'], gpt2_8bit: ['gpt2', 8],
};
// Mixture-of-experts checkpoints → their sparse layers.
const MOE = new Map([['mixtral', 2], ['qwen2_moe', 2], ['qwen3_moe', 1], ['mixtral_4bit', 2], ['qwen3_moe_8bit', 1], ['gpt_oss', 2], ['gpt_oss_mxfp4', 2]]);
const dirOf = (name: string) => path.join(root, name);
const IDS = [[3, 17, 5, 99, 42, 7, 1], [8, 8, 120, 0, 64, 33, 2]];
// Greedy decoding: prompts of 12 and 14 tokens, 24 new tokens each (past the sliding windows).
const PROMPTS = [[1, 45, 3, 88, 19, 7, 120, 64, 9, 33, 2, 71], [5, 99, 14, 2, 77, 31, 6, 18, 101, 40, 12, 90, 4, 63]];
const STEPS = 24;

let reference: Record<string, { shape: number[]; values: number[]; tokens?: number[][] }> = {};
beforeAll(() => {
  const specs = Object.entries(CHECKPOINTS).map(([name, [arch, bits, mode]]) => [dirOf(name), arch, ...(bits ? [bits] : []), ...(mode ? [mode] : [])].join(':'));
  execFileSync(PYTHON, [path.join(TOOLS, 'make_lm_checkpoint.py'), ...specs]);
  const jobs = Object.keys(CHECKPOINTS).map((name) => ({ dir: dirOf(name), ids: IDS, prompts: PROMPTS, steps: STEPS }));
  const results = JSON.parse(execFileSync(PYTHON, [path.join(TOOLS, 'mlx_lm_reference.py'), JSON.stringify(jobs)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  reference = Object.fromEntries(Object.keys(CHECKPOINTS).map((name, i) => [name, results[i]]));
});

const loaded = new Map<string, ReturnType<typeof models.loadModel>>();
function load(name: string) {
  if (!loaded.has(name)) loaded.set(name, models.loadModel(dirOf(name)));
  return loaded.get(name)!;
}
const decoder = (name: string) => load(name) as CausalLM;

function floats(a: MxArray): Float32Array {
  return a.astype('float32').toTypedArray() as Float32Array;
}

/** max |actual − expected| after requiring the same shape. */
function maxDiff(actual: ArrayLike<number>, actualShape: readonly number[], expected: ArrayLike<number>, expectedShape: readonly number[]): number {
  expect([...actualShape]).toEqual([...expectedShape]);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(Number(actual[i]) - Number(expected[i])));
  return Number.isNaN(worst) ? Infinity : worst;
}

const int64 = (rows: number[][]) => mx.array(rows.flat(), [rows.length, rows[0]!.length], 'int64');
const ortInt64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
const ortOf = (a: MxArray) => new ort.Tensor('float32', floats(a), a.shape);

async function exported(name: string, options: models.ExportOptions = {}) {
  const outDir = path.join(root, `${name}-onnx-${options.kvCache === false ? 'nocache' : 'cache'}-${options.dtype ?? 'float32'}`);
  const report = await models.exportModel(load(name), outDir, options);
  return { report, session: await ort.InferenceSession.create(report.onnx, { ...exactSessionOptions, logSeverityLevel: 3 }) };
}

describe.each(['llama', 'llama_traditional', 'llama_sliding', 'llama_yarn', 'llama3_scaling', 'internlm2_dynamic', 'gemma3_text', 'qwen2', 'qwen3', 'cohere', 'gemma', 'gemma2', 'granite', 'minicpm', 'mixtral', 'qwen2_moe', 'qwen3_moe', 'olmo2', 'phi3', 'smollm3', 'stablelm', 'stablelm_qk', 'cohere_qk', 'starcoder2', 'phi', 'gpt_neox', 'gpt_neox_sequential', 'internlm2', 'glm4', 'ernie4_5', 'gpt_oss', 'gpt2', 'llama_4bit', 'gemma2_4bit', 'phi3_4bit', 'mixtral_4bit', 'qwen3_moe_8bit', 'gpt_oss_mxfp4', 'gpt2_8bit'])('%s', (name) => {
  it('gives mlx-lm\'s logits', () => {
    const logits = load(name).forward(mx.array(IDS.flat(), [2, 7], 'int32'));
    const ref = reference[name]!;
    expect(maxDiff(floats(logits), logits.shape, ref.values, ref.shape)).toBeLessThanOrEqual(ATOL);
  });

  it('exports a KV-cache decoder that matches MLX at other batch, prompt and cache sizes', async () => {
    const model = decoder(name);
    const { report, session } = await exported(name);
    const L = model.numLayers;
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'position_ids',
      ...Array.from({ length: L }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat()]);
    expect(session.outputNames).toEqual(['logits', ...Array.from({ length: L }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat()]);
    expect(report.inputs[3]!.shape).toEqual(['batch_size', model.numKvHeads, 'past_sequence_length', model.headDim]);
    const sourceType = JSON.parse(readFileSync(path.join(dirOf(name), 'config.json'), 'utf8')).model_type;
    expect(JSON.parse(readFileSync(path.join(report.outDir, 'config.json'), 'utf8')).model_type).toBe(sourceType);
    expect(existsSync(path.join(report.outDir, 'tokenizer_config.json'))).toBe(true);
    // Every size but batch and lengths is a constant, broadcasting is ONNX's own, and nothing
    // is float64 (WebGPU runtimes have none).
    // (Routing to experts broadcasts the chosen experts' indices by the token count: read at run time.)
    if (!MOE.has(name)) {
      expect(report.onnxOpHistogram).not.toHaveProperty('Shape');
      expect(report.onnxOpHistogram).not.toHaveProperty('Expand');
    } else {
      // Only the chosen experts are read: every stacked expert tensor ([experts, ...]: weights,
      // or packed words, scales and biases) feeds Gathers only, 3 projections per sparse layer.
      const config = JSON.parse(readFileSync(path.join(dirOf(name), 'config.json'), 'utf8'));
      const experts = config.num_local_experts ?? config.num_experts;
      const stacks = JSON.parse(execFileSync(PYTHON, ['-c', EXPERT_STACK_READERS, report.onnx, String(experts)], { encoding: 'utf8' }));
      const arrays = CHECKPOINTS[name]![1] ? (CHECKPOINTS[name]![2] === 'mxfp4' ? 2 : 3) : 1;
      expect(stacks.length).toBe(3 * arrays * MOE.get(name)!);
      for (const readers of stacks) expect([...new Set(readers)]).toEqual(['Gather']);
    }
    expect(onnxElementTypes(report.onnx)).not.toContain(DOUBLE);

    // Batch 3 (traced: 2), rows left-padded by 0, 3 and 1; then 2 tokens at once, then 1.
    const steps = [
      { ids: [[5, 9, 14, 2, 77, 31, 6], [0, 0, 0, 12, 90, 4, 63], [0, 101, 7, 7, 8, 19, 3]],
        mask: [[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1, 1]],
        positions: [[0, 1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 2, 3], [1, 0, 1, 2, 3, 4, 5]] },
      { ids: [[11, 12], [13, 14], [15, 16]], positions: [[7, 8], [4, 5], [6, 7]] },
      { ids: [[21], [22], [23]], positions: [[9], [6], [8]] },
    ];
    let mask = steps[0]!.mask!;
    let mlxPast: models.KV[] = Array.from({ length: L }, () => {
      const empty = mx.zeros([3, model.numKvHeads, 0, model.headDim]);
      return { key: empty, value: empty };
    });
    let ortPast = mlxPast.flatMap((kv) => [ortOf(kv.key), ortOf(kv.value)]);
    for (const step of steps) {
      if (step !== steps[0]) mask = mask.map((row) => [...row, ...step.ids[0]!.map(() => 1)]);
      const mlx = model.step({ inputIds: int64(step.ids), attentionMask: int64(mask), positionIds: int64(step.positions), past: mlxPast });
      const feeds: Record<string, ort.Tensor> = { input_ids: ortInt64(step.ids), attention_mask: ortInt64(mask), position_ids: ortInt64(step.positions) };
      ortPast.forEach((t, i) => (feeds[session.inputNames[3 + i]!] = t));
      const out = await session.run(feeds);
      const logits = out.logits!;
      expect(maxDiff(logits.data as Float32Array, logits.dims, floats(mlx.logits), mlx.logits.shape)).toBeLessThanOrEqual(ATOL);
      mlx.present.forEach((kv, i) => {
        for (const [which, array] of [['key', kv.key], ['value', kv.value]] as const) {
          const t = out[`present.${i}.${which}`]!;
          expect(maxDiff(t.data as Float32Array, t.dims, floats(array), array.shape)).toBeLessThanOrEqual(ATOL);
        }
      });
      mlxPast = mlx.present;
      ortPast = session.outputNames.slice(1).map((n) => out[n]!);
    }
  });

  it('greedy-decodes the tokens mlx-lm generates with its own cache, alone and left-padded in a batch', async () => {
    const { session } = await exported(name);
    const expected = reference[name]!.tokens!;
    expect(await ortGreedy(session, decoder(name), [PROMPTS[0]!])).toEqual([expected[0]]);
    expect(await ortGreedy(session, decoder(name), PROMPTS)).toEqual(expected);
  });
});

/**
 * STEPS greedy tokens per prompt from the exported decoder with its cache: the prompts
 * left-padded to one length in one batch, then one token per row per step.
 */
async function ortGreedy(session: ort.InferenceSession, model: CausalLM, prompts: number[][]): Promise<number[][]> {
  const width = Math.max(...prompts.map((p) => p.length));
  const pads = prompts.map((p) => width - p.length);
  let ids = prompts.map((p, r) => [...Array(pads[r]).fill(0), ...p]);
  let mask = ids.map((row, r) => row.map((_, i) => Number(i >= pads[r]!)));
  let positions = ids.map((row, r) => row.map((_, i) => Math.max(0, i - pads[r]!)));
  let past = Array.from({ length: 2 * model.numLayers }, () => new ort.Tensor('float32', new Float32Array(0), [prompts.length, model.numKvHeads, 0, model.headDim]));
  const tokens: number[][] = prompts.map(() => []);
  while (tokens[0]!.length < STEPS) {
    const feeds: Record<string, ort.Tensor> = { input_ids: ortInt64(ids), attention_mask: ortInt64(mask), position_ids: ortInt64(positions) };
    past.forEach((t, i) => (feeds[session.inputNames[3 + i]!] = t));
    const out = await session.run(feeds);
    const logits = out.logits!.data as Float32Array;
    const length = ids[0]!.length;
    const next = tokens.map((row, r) => {
      const last = logits.subarray(((r + 1) * length - 1) * model.vocabSize, (r + 1) * length * model.vocabSize);
      row.push(last.indexOf(Math.max(...last)));
      return row.at(-1)!;
    });
    past = session.outputNames.slice(1).map((n) => out[n]!);
    positions = positions.map((row) => [row.at(-1)! + 1]);
    ids = next.map((t) => [t]);
    mask = mask.map((row) => [...row, 1]);
  }
  return tokens;
}

// For each rank-3 initializer with `experts` rows, the op types of the nodes reading it.
const EXPERT_STACK_READERS = `
import json, onnx, sys
g = onnx.load(sys.argv[1]).graph
stacks = {t.name for t in g.initializer if len(t.dims) == 3 and t.dims[0] == int(sys.argv[2])}
print(json.dumps([[n.op_type for n in g.node if name in n.input] for name in sorted(stacks)]))
`;

const LARGEST_FLOAT_INITIALIZER = `
import onnx, sys
from math import prod
g = onnx.load(sys.argv[1]).graph
print(max([prod(t.dims) for t in g.initializer if t.data_type in (1, 10, 16)] + [0]))
`;

// ONNX Runtime's graph after its optimizations, as it runs: the standard target's blocked
// DequantizeLinear + MatMul pairs must have become MatMulNBits, or every weight would be
// dequantized on every run. 8-bit weights run as two 4-bit planes.
describe.each([['llama_4bit', 1], ['gpt2_8bit', 2]] as const)('%s in ONNX Runtime', (name, planes) => {
  it('runs every quantized linear layer in MatMulNBits, for the standard and ort targets', async () => {
    const fused: Record<string, number> = {};
    for (const target of ['standard', 'ort'] as const) {
      const outDir = path.join(root, `${name}-optimized-${target}`);
      const report = await models.exportModel(load(name), outDir, { target });
      const optimized = path.join(outDir, 'optimized.onnx');
      await ort.InferenceSession.create(report.onnx, { ...exactSessionOptions, logSeverityLevel: 3, optimizedModelFilePath: optimized });
      const ops = Object.fromEntries(readModelUse(optimized).operators.map((o) => [o.opType, o.count]));
      expect(ops).not.toHaveProperty('DequantizeLinear');
      fused[target] = ops.MatMulNBits ?? 0;
      if (target === 'standard') expect(report.onnxOpHistogram.DequantizeLinear).toBe(fused[target]);
      // The packed embedding stays packed: no float table was built at load.
      const largestFloat = Number(execFileSync(PYTHON, ['-c', LARGEST_FLOAT_INITIALIZER, optimized], { encoding: 'utf8' }));
      const config = JSON.parse(readFileSync(path.join(dirOf(name), 'config.json'), 'utf8'));
      expect(largestFloat).toBeLessThan(config.vocab_size * (config.hidden_size ?? config.n_embd));
    }
    expect(fused.standard).toBe(fused.ort);
    expect(fused.ort! % planes).toBe(0);
    expect(fused.ort).toBeGreaterThanOrEqual(planes * 2 * decoder(name).numLayers);
  });
});

describe('exports', () => {
  it('without a cache: input_ids, attention_mask, position_ids → logits, matching MLX at a new size', async () => {
    const model = decoder('qwen3');
    const { session } = await exported('qwen3', { kvCache: false });
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'position_ids']);
    expect(session.outputNames).toEqual(['logits']);
    const ids = [[4, 8, 15, 16, 23, 42], [0, 0, 1, 2, 3, 5]];
    const mask = [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]];
    const positions = [[0, 1, 2, 3, 4, 5], [1, 1, 0, 1, 2, 3]];
    const out = await session.run({ input_ids: ortInt64(ids), attention_mask: ortInt64(mask), position_ids: ortInt64(positions) });
    const mlx = model.step({ inputIds: int64(ids), attentionMask: int64(mask), positionIds: int64(positions) }).logits;
    expect(maxDiff(out.logits!.data as Float32Array, out.logits!.dims, floats(mlx), mlx.shape)).toBeLessThanOrEqual(ATOL);
  });

  it('in float16: the ONNX runs in float16 and agrees with MLX in float16; the model keeps its float32 weights', async () => {
    const model = decoder('llama');
    const { report, session } = await exported('llama', { dtype: 'float16', verify: true });
    expect(report.verify!.pass).toBe(true);
    const logits = report.verify!.outputs.filter((o) => o.name.startsWith('logits'));
    expect(logits.map((o) => o.name)).toEqual(['logits (prompt)', 'logits (decode)']);
    for (const o of logits) expect(o.maxAbsError).toBeLessThanOrEqual(2e-2);
    expect(report.inputs.find((i) => i.name === 'past_key_values.0.key')!.dtype).toBe('float16');
    expect(model.dtype()).toBe('float32');
    expect(session.inputNames).toHaveLength(3 + 2 * model.numLayers);
  });

  it('bert: input_ids, attention_mask, token_type_ids → last_hidden_state, matching the reference and MLX with padding', async () => {
    const model = load('bert') as InstanceType<typeof models.Encoder>;
    const hidden = model.forward(mx.array(IDS.flat(), [2, 7], 'int32'));
    expect(maxDiff(floats(hidden), hidden.shape, reference.bert!.values, reference.bert!.shape)).toBeLessThanOrEqual(ATOL);
    const { report, session } = await exported('bert', { verify: true });
    expect(report.verify!.pass).toBe(true);
    expect(report.verify!.outputs.map((o) => o.name)).toEqual(['last_hidden_state (padded batch)']);
    expect(report.outputs[0]!.shape).toEqual(['batch_size', 'sequence_length', 64]);
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    expect(session.outputNames).toEqual(['last_hidden_state']);
    const ids = [[2, 40, 41, 42, 43, 3, 0, 0], [2, 50, 51, 52, 53, 54, 55, 3], [2, 9, 3, 0, 0, 0, 0, 0]];
    const mask = ids.map((row, r) => row.map((_, i) => Number(i < [6, 8, 3][r]!)));
    const types = ids.map((row) => row.map((_, i) => Number(i >= 4)));
    const out = await session.run({ input_ids: ortInt64(ids), attention_mask: ortInt64(mask), token_type_ids: ortInt64(types) });
    const mlx = model.encode({ inputIds: int64(ids), attentionMask: int64(mask), tokenTypeIds: int64(types) });
    const t = out.last_hidden_state!;
    expect(maxDiff(t.data as Float32Array, t.dims, floats(mlx), mlx.shape)).toBeLessThanOrEqual(ATOL);
  });
});

describe('loadModel', () => {
  it('refuses an unsupported model type, naming the supported ones', () => {
    expect(models.SUPPORTED_MODEL_TYPES).toHaveLength(28);
    const dir = path.join(root, 'unsupported');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'mamba' }));
    expect(() => models.loadModel(dir)).toThrow(expect.objectContaining({
      code: 'ERR_INVALID_INPUT',
      message: `model type 'mamba' is not supported (${models.SUPPORTED_MODEL_TYPES.join(', ')}); see "Model folders: export-model" in the README`,
    }));
  });

  it('refuses a checkpoint that does not fit the config, naming the weights', () => {
    const dir = path.join(root, 'wrong');
    execFileSync('cp', ['-r', dirOf('llama'), dir]);
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 1, intermediate_size: 96 }));
    expect(() => models.loadModel(dir)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    expect(() => models.loadModel(dir)).toThrow(/model\.layers\.0\.mlp\.gate_proj\.weight has shape \[128,64\], the model expects \[96,64\].*unexpected weight model\.layers\.1\./);
  });
});

describe('mlx-onnx export-model', () => {
  const run = promisify(execFile);

  it('writes the ONNX decoder and companion files, verifies it, and reports JSON', async () => {
    const out = path.join(root, 'cli-gpt2');
    const { stdout } = await run(process.execPath, [CLI, 'export-model', dirOf('gpt2'), '-o', out, '--verify', '--json']);
    const report = JSON.parse(stdout);
    expect(report.modelType).toBe('gpt2');
    expect(report.kvCache).toBe(true);
    expect(report.verify.pass).toBe(true);
    expect(report.verify.outputs.map((o: { name: string }) => o.name)).toContain('logits (decode)');
    for (const o of report.verify.outputs) expect(o.maxAbsError).toBeLessThanOrEqual(ATOL);
    expect(report.files.map((f: { path: string }) => path.basename(f.path)).sort())
      .toEqual(['config.json', 'generation_config.json', 'model.onnx', 'tokenizer_config.json']);
    expect(report.inputs.map((i: { name: string }) => i.name).slice(0, 4)).toEqual(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key']);
  });

  it('exports a 4-bit checkpoint in float16 with MatMulNBits (--target ort) that matches MLX', async () => {
    const out = path.join(root, 'cli-llama-q4-f16-ort');
    const { stdout } = await run(process.execPath, [CLI, 'export-model', dirOf('llama_4bit'), '-o', out, '--dtype', 'float16', '--target', 'ort', '--verify', '--json']);
    const report = JSON.parse(stdout);
    expect(report.verify.pass).toBe(true);
    // Logits reach 1.3: float16 activations through float16-accumulating 4-bit kernels.
    for (const o of report.verify.outputs) expect(o.maxAbsError).toBeLessThanOrEqual(4e-2);
  });

  it('rejects an unknown dtype as a usage error (exit 1)', async () => {
    const error = await run(process.execPath, [CLI, 'export-model', dirOf('gpt2'), '-o', path.join(root, 'x'), '--dtype', 'float64']).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toContain("option '--dtype <dtype>' argument 'float64' is invalid. expected float32 | float16");
  });

  it('--list names every model type with what of it is honoured, as the README\'s table does', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'export-model', '--list', '--json']);
    const listed = JSON.parse(stdout) as Array<{ modelType: string; summary: string }>;
    expect(listed.map((a) => a.modelType)).toEqual(models.SUPPORTED_MODEL_TYPES);
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const { modelType, summary } of listed) expect(readme).toContain(`| \`${modelType}\` | ${summary} |`);
  });

  it('needs a model folder and -o unless --list (exit 1)', async () => {
    const error = await run(process.execPath, [CLI, 'export-model', dirOf('gpt2')]).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toContain("required option '-o, --output <dir>' not specified");
  });
});
