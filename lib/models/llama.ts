// Llama (also Mistral) as mlx_lm.models.llama, and the decoder blocks Qwen2 and Qwen3
// share with it: pre-norm RMSNorm blocks, rotary attention with grouped-query heads,
// SwiGLU MLP. Parameter names are mlx-lm's (model.layers.N.self_attn.q_proj.weight, ...).
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Embedding, LayerNorm, Linear, RMSNorm, silu } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { bool, int, num, object, positive } from './config.js';
import {
  type KV, type StepInputs, type StepOutputs,
  appendCache, attention, causalMask, embed, project, projectEach, projectHeads, softcap, splitHeads, writtenAttention,
} from './decoder.js';
import { CausalLM, type Config, type Projection, type TokenEmbedding } from './model.js';
import { type MoeArgs, SparseMoe, stackExperts } from './moe.js';
import { type Rope, type RopeAngles, applyRope, ropeAngles, ropeFor } from './rope.js';

export interface LlamaArgs {
  hiddenSize: number;
  numLayers: number;
  intermediateSize: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  vocabSize: number;
  ropeTheta: number;
  ropeTraditional: boolean;
  ropeScaling?: Record<string, unknown>;
  /** max_position_embeddings, which dynamic rope scaling reads. */
  maxPositions?: number;
  tieWordEmbeddings: boolean;
  /** Biases of q, k, v and o. */
  qkvBias: boolean;
  outputBias: boolean;
  mlpBias: boolean;
  /**
   * Norms of queries and keys before the rotation: the block's norm of each head (Qwen3), or
   * of the whole projection (OLMo 2), or a LayerNorm of each head with a weight per head
   * (Cohere's use_qk_norm, StableLM's qk_layernorm: 'per-head-weights'); false for none.
   */
  qkNorm: false | 'heads' | 'projection' | 'per-head-weights';
  /** Gemma: norms scale by 1 + weight. */
  normWeightOffset?: number;
  /** Gemma: embeddings times this (√hidden_size). */
  embedScale?: number;
  /** The MLP's gate activation (SiLU by default; Gemma: GELU, Gemma 2: its tanh form). */
  activation?: (x: MxArray) => MxArray;
  /** Attention's scale (default head_dim^-0.5). */
  attentionScale?: number;
  /**
   * Where the block's norms sit: before each sublayer (default), also after it (Gemma 2:
   * 'sandwich'), or only after it (OLMo 2: 'post'), normalizing its output before it joins
   * the residual.
   */
  normPlacement?: 'pre' | 'sandwich' | 'post';
  /** SmolLM3: per layer, whether it rotates queries and keys (default: all). */
  ropeLayers?: boolean[];
  /** Phi-3: features of each head that rotate (partial rotary; default head_dim). */
  ropeDims?: number;
  /** Phi-3's longrope: inverse frequencies given outright, and a factor on cos and sin. */
  ropeFrequencies?: Float32Array;
  ropeAmplitude?: number;
  /** Phi-3: q/k/v as one qkv_proj ([queries; keys; values] rows), gate/up as one gate_up_proj (GLM-4: only gate/up). */
  packedQkv?: boolean;
  packedGateUp?: boolean;
  /**
   * How a checkpoint's packed q/k/v rows are ordered, when not as qkv_proj's: per head
   * [q; k; v] (GPT-NeoX), or per key/value head its queries, key and value (InternLM2).
   * Reordered at load.
   */
  qkvLayout?: 'per-head' | 'per-kv-head';
  /** Checkpoint names → the family's (substrings, replaced in one pass), for architectures mlx-lm names otherwise. */
  renames?: Record<string, string>;
  /** Phi: lm_head has a bias. */
  headBias?: boolean;
  /**
   * LayerNorm where the others have RMSNorm (rmsNormEps is its eps): with a bias
   * (StarCoder2, StableLM) or without (Cohere).
   */
  layerNorm?: 'bias' | 'no-bias';
  /** StarCoder2: an MLP without a gate, c_proj(activation(c_fc(x))), with biases (mlpBias). */
  plainMlp?: boolean;
  /**
   * Attention and the MLP side by side, both added to x: reading the same normalized input
   * (StableLM, Cohere, Phi: 'shared-norm'), or each its own norm of x (GPT-NeoX: 'own-norms').
   */
  parallelResidual?: 'shared-norm' | 'own-norms';
  /**
   * Mixtral, Qwen3-MoE: sparse expert MLPs, under `block` (mlx-lm's attribute name) in the
   * layers `sparse` accepts (default all), dense MLPs in the others.
   */
  moe?: MoeArgs & {
    block: 'mlp' | 'block_sparse_moe';
    sparse?: (layer: number) => boolean;
    /** Hugging Face's per-expert tensor names → switch_mlp's projections (default: the same names). */
    expertTensors?: Record<string, string>;
  };
  /** Gemma 2: attention scores as cap·tanh(scores / cap). */
  attentionSoftcap?: number;
  /** GPT-OSS: a learned logit per head (self_attn.sinks) joins each softmax without a value. */
  attentionSinks?: boolean;
  /** Gemma 2: logits as cap·tanh(logits / cap). */
  finalSoftcap?: number;
  /** Granite, MiniCPM: each sublayer's output times this before it joins the residual. */
  residualScale?: number;
  /** Granite, MiniCPM: logits divided by this. */
  logitsDivisor?: number;
  /** Cohere: logits times this. */
  logitsScale?: number;
  /**
   * Sliding-window attention: per layer, whether it attends only to the `slidingWindow`
   * latest keys (mlx-lm's layer_types 'sliding_attention'; Gemma 3's pattern).
   */
  slidingLayers?: boolean[];
  slidingWindow?: number;
  /** Gemma 3: the rotary base of sliding layers (unscaled; ropeTheta and ropeScaling rotate the global ones). */
  localRopeTheta?: number;
  /** MiniCPM, Gemma 3 (mlx-lm): an untied model whose checkpoint has no lm_head.weight reads out through the embedding. */
  optionalHead?: boolean;
}

/**
 * The GPT-style block some architectures use (StarCoder2, Phi, GPT-NeoX): LayerNorm with
 * biases, biases on every projection, an ungated MLP (c_fc, c_proj).
 */
export const GPT_STYLE_BLOCK = {
  qkvBias: true, outputBias: true, mlpBias: true, qkNorm: false, layerNorm: 'bias', plainMlp: true,
} as const satisfies Partial<LlamaArgs>;

/** RMSNorm scaling by offset + weight (Gemma's 1 + weight); the weight keeps mlx-lm's name. */
class OffsetRMSNorm extends RMSNorm {
  constructor(dims: number, eps: number, private readonly offset: number) {
    super(dims, eps);
  }

  override forward(x: MxArray): MxArray {
    return mx.fast.rmsNorm(x, mx.add(this.weight, this.offset), this.eps);
  }
}

/** LayerNorm over each head's features without a bias, scaled by that head's own weight [heads, head_dim]. */
class PerHeadLayerNorm extends Module {
  weight: MxArray;

  constructor(heads: number, headDim: number, private readonly eps: number) {
    super();
    this.weight = mx.ones([heads, headDim]);
  }

  /** x [batch, heads, sequence, head_dim] */
  forward(x: MxArray): MxArray {
    return mx.multiply(mx.expandDims(this.weight, 1), mx.fast.layerNorm(x, null, null, this.eps));
  }
}

type Norm = RMSNorm | LayerNorm | PerHeadLayerNorm;

function norm(args: LlamaArgs, dims: number): Norm {
  if (args.layerNorm) return new LayerNorm(dims, args.rmsNormEps, true, args.layerNorm === 'bias');
  return args.normWeightOffset ? new OffsetRMSNorm(dims, args.rmsNormEps, args.normWeightOffset) : new RMSNorm(dims, args.rmsNormEps);
}


/** mlx_lm.models.llama.ModelArgs from config.json. */
export function llamaArgs(config: Config): LlamaArgs {
  const hiddenSize = int(config, 'hidden_size');
  const numHeads = positive(config, 'num_attention_heads');
  const numLayers = int(config, 'num_hidden_layers');
  const attentionBias = bool(config, 'attention_bias', false);
  return {
    hiddenSize,
    numLayers,
    intermediateSize: int(config, 'intermediate_size'),
    numHeads,
    numKvHeads: positive(config, 'num_key_value_heads', numHeads),
    headDim: int(config, 'head_dim', Math.floor(hiddenSize / numHeads)),
    rmsNormEps: num(config, 'rms_norm_eps'),
    vocabSize: int(config, 'vocab_size'),
    ropeTheta: num(config, 'rope_theta', 10000),
    ropeTraditional: bool(config, 'rope_traditional', false),
    ropeScaling: object(config, 'rope_scaling'),
    maxPositions: config.max_position_embeddings == null ? undefined : int(config, 'max_position_embeddings'),
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', true),
    qkvBias: attentionBias,
    outputBias: attentionBias,
    mlpBias: bool(config, 'mlp_bias', false),
    qkNorm: false,
    ...slidingLayers(config, numLayers),
  };
}

/** mlx-lm's layer_types: 'full_attention' or 'sliding_attention' (of sliding_window keys) per layer. */
function slidingLayers(config: Config, numLayers: number): Pick<LlamaArgs, 'slidingLayers' | 'slidingWindow'> {
  const types = config.layer_types;
  if (types === undefined || types === null) return {};
  if (!Array.isArray(types) || types.length !== numLayers || types.some((t) => t !== 'full_attention' && t !== 'sliding_attention')) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `layer_types must list 'full_attention' or 'sliding_attention' for each of the ${numLayers} layers`);
  }
  if (!types.includes('sliding_attention')) return {};
  return { slidingLayers: types.map((t) => t === 'sliding_attention'), slidingWindow: positive(config, 'sliding_window') };
}

class Attention extends Module {
  q_proj?: Projection;
  k_proj?: Projection;
  v_proj?: Projection;
  qkv_proj?: Projection;
  o_proj: Projection;
  q_norm?: Norm;
  k_norm?: Norm;
  sinks?: MxArray;

  constructor(private readonly args: LlamaArgs) {
    super();
    const { hiddenSize, numHeads, numKvHeads, headDim } = args;
    if (args.packedQkv) {
      this.qkv_proj = new Linear(hiddenSize, (numHeads + 2 * numKvHeads) * headDim, args.qkvBias);
    } else {
      this.q_proj = new Linear(hiddenSize, numHeads * headDim, args.qkvBias);
      this.k_proj = new Linear(hiddenSize, numKvHeads * headDim, args.qkvBias);
      this.v_proj = new Linear(hiddenSize, numKvHeads * headDim, args.qkvBias);
    }
    this.o_proj = new Linear(numHeads * headDim, hiddenSize, args.outputBias);
    if (args.attentionSinks) this.sinks = mx.zeros([numHeads]);
    if (args.qkNorm === 'per-head-weights') {
      this.q_norm = new PerHeadLayerNorm(numHeads, headDim, args.rmsNormEps);
      this.k_norm = new PerHeadLayerNorm(numKvHeads, headDim, args.rmsNormEps);
    } else if (args.qkNorm) {
      const whole = args.qkNorm === 'projection';
      this.q_norm = norm(args, whole ? numHeads * headDim : headDim);
      this.k_norm = norm(args, whole ? numKvHeads * headDim : headDim);
    }
  }

  forward(x: MxArray, mask: MxArray, angles: RopeAngles | null, past?: KV): { out: MxArray; present: KV } {
    const { numHeads, numKvHeads, headDim, qkNorm } = this.args;
    const counts = [numHeads, numKvHeads, numKvHeads];
    const layers = [this.q_proj!, this.k_proj!, this.v_proj!];
    let q: MxArray, k: MxArray, v: MxArray;
    if (this.qkv_proj) {
      const heads = splitHeads(project(this.qkv_proj, x), numHeads + 2 * numKvHeads, headDim);
      [q, k, v] = mx.split(heads, [numHeads, numHeads + numKvHeads], 1) as [MxArray, MxArray, MxArray];
    } else if (qkNorm === 'projection') {
      const [queries, keys, values] = projectEach(layers, x);
      [q, k, v] = [this.q_norm!.forward(queries!), this.k_norm!.forward(keys!), values!].map((p, i) => splitHeads(p, counts[i]!, headDim)) as [MxArray, MxArray, MxArray];
    } else {
      [q, k, v] = projectHeads(layers, x, counts, headDim) as [MxArray, MxArray, MxArray];
      if (this.q_norm && this.k_norm) [q, k] = [this.q_norm.forward(q), this.k_norm.forward(k)];
    }
    const rotate = (a: MxArray) => (angles ? applyRope(a, angles) : a);
    const present = appendCache(past, rotate(k), v);
    const scale = this.args.attentionScale ?? headDim ** -0.5;
    const cap = this.args.attentionSoftcap;
    const rotated = rotate(q);
    const out = cap || this.sinks
      ? writtenAttention(rotated, present.key, present.value, mask, scale, { cap, sinks: this.sinks })
      : attention(rotated, present.key, present.value, mask, scale);
    return { out: project(this.o_proj, out), present };
  }
}

class MLP extends Module {
  gate_proj?: Projection;
  down_proj?: Projection;
  up_proj?: Projection;
  gate_up_proj?: Projection;
  c_fc?: Projection;
  c_proj?: Projection;

  constructor(dim: number, hidden: number, args: LlamaArgs, private readonly activation: (x: MxArray) => MxArray) {
    super();
    const bias = args.mlpBias;
    if (args.plainMlp) {
      this.c_fc = new Linear(dim, hidden, bias);
      this.c_proj = new Linear(hidden, dim, bias);
      return;
    }
    if (args.packedGateUp) {
      this.gate_up_proj = new Linear(dim, 2 * hidden, bias);
    } else {
      this.gate_proj = new Linear(dim, hidden, bias);
      this.up_proj = new Linear(dim, hidden, bias);
    }
    this.down_proj = new Linear(hidden, dim, bias);
  }

  forward(x: MxArray): MxArray {
    if (this.c_fc && this.c_proj) return project(this.c_proj, this.activation(project(this.c_fc, x)));
    const [gate, up] = this.gate_up_proj ? mx.split(project(this.gate_up_proj, x), 2, -1) : projectEach([this.gate_proj!, this.up_proj!], x);
    return project(this.down_proj!, mx.multiply(this.activation(gate!), up!));
  }
}

class TransformerBlock extends Module {
  self_attn: Attention;
  mlp?: MLP | SparseMoe;
  block_sparse_moe?: SparseMoe;
  input_layernorm?: Norm;
  post_attention_layernorm?: Norm;
  pre_feedforward_layernorm?: Norm;
  post_feedforward_layernorm?: Norm;
  private readonly residualScale?: number;
  private readonly parallel: boolean;

  constructor(args: LlamaArgs, index: number) {
    super();
    const placement = args.normPlacement ?? 'pre';
    this.residualScale = args.residualScale;
    this.self_attn = new Attention(args);
    const { moe } = args;
    const activation = args.activation ?? silu;
    if (moe && (moe.sparse?.(index) ?? true)) {
      const shared = moe.sharedExpertSize ? new MLP(args.hiddenSize, moe.sharedExpertSize, args, activation) : undefined;
      this[moe.block] = new SparseMoe(args.hiddenSize, moe, shared);
    } else {
      this.mlp = new MLP(args.hiddenSize, args.intermediateSize, args, activation);
    }
    if (placement !== 'post') this.input_layernorm = norm(args, args.hiddenSize);
    if (args.parallelResidual !== 'shared-norm') this.post_attention_layernorm = norm(args, args.hiddenSize);
    this.parallel = args.parallelResidual !== undefined;
    if (placement === 'sandwich') this.pre_feedforward_layernorm = norm(args, args.hiddenSize);
    if (placement !== 'pre') this.post_feedforward_layernorm = norm(args, args.hiddenSize);
  }

  forward(x: MxArray, mask: MxArray, angles: RopeAngles | null, past?: KV): { out: MxArray; present: KV } {
    const before = (n: Norm | undefined, a: MxArray) => (n ? n.forward(a) : a);
    const mlp = (this.mlp ?? this.block_sparse_moe)!;
    const normalized = before(this.input_layernorm, x);
    const { out, present } = this.self_attn.forward(normalized, mask, angles, past);
    if (this.parallel) {
      // x + attention(n) + mlp(n), n = norm(x) (or the MLP's own norm of x).
      const r = mlp.forward(this.post_attention_layernorm?.forward(x) ?? normalized);
      return { out: mx.add(mx.add(x, out), r), present };
    }
    if (!this.post_attention_layernorm) throw new MlxOnnxError('ERR_INTERNAL', 'a sequential block without its second norm');
    if (this.post_feedforward_layernorm) {
      // Gemma 2, OLMo 2: each sublayer's output is normalized before it joins the residual.
      const h = mx.add(x, this.post_attention_layernorm.forward(out));
      const r = mlp.forward(before(this.pre_feedforward_layernorm, h));
      return { out: mx.add(h, this.post_feedforward_layernorm.forward(r)), present };
    }
    const h = mx.add(x, this.scaled(out));
    return { out: mx.add(h, this.scaled(mlp.forward(this.post_attention_layernorm.forward(h)))), present };
  }

  private scaled(r: MxArray): MxArray {
    return this.residualScale === undefined ? r : mx.multiply(r, this.residualScale);
  }
}

class LlamaModel extends Module {
  embed_tokens: TokenEmbedding;
  layers: TransformerBlock[];
  norm: Norm;

  constructor(args: LlamaArgs) {
    super();
    this.embed_tokens = new Embedding(args.vocabSize, args.hiddenSize);
    this.layers = Array.from({ length: args.numLayers }, (_, i) => new TransformerBlock(args, i));
    this.norm = norm(args, args.hiddenSize);
  }
}

/** The Llama family's causal LM; Qwen2 and Qwen3 are this model with other args. */
export class LlamaForCausalLM extends CausalLM {
  readonly modelType: string;
  readonly numLayers: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  model: LlamaModel;
  lm_head?: Projection;
  // Not a parameter: an object field is outside the module tree.
  private readonly rope: Rope;
  private readonly localRope?: Rope;

  constructor(modelType: string, readonly args: LlamaArgs) {
    super();
    this.modelType = modelType;
    this.numLayers = args.numLayers;
    this.numKvHeads = args.numKvHeads;
    this.headDim = args.headDim;
    this.vocabSize = args.vocabSize;
    this.model = new LlamaModel(args);
    if (!args.tieWordEmbeddings) this.lm_head = new Linear(args.hiddenSize, args.vocabSize, args.headBias ?? false);
    const dims = args.ropeDims ?? args.headDim;
    const traditional = args.ropeTraditional;
    this.rope = args.ropeFrequencies
      ? { invFreq: args.ropeFrequencies, traditional, amplitude: args.ropeAmplitude ?? 1 }
      : ropeFor(dims, args.ropeTheta, traditional, args.ropeScaling, args.maxPositions);
    if (args.localRopeTheta !== undefined) this.localRope = ropeFor(dims, args.localRopeTheta, traditional);
  }

  step({ inputIds, attentionMask, positionIds, past, shapeless }: StepInputs): StepOutputs {
    let h = embed(this.model.embed_tokens, inputIds, shapeless);
    if (this.args.embedScale !== undefined) h = mx.multiply(h, this.args.embedScale);
    // Computed once for all layers: the masks and rotations.
    const { slidingLayers, slidingWindow, ropeLayers } = this.args;
    const mask = causalMask(attentionMask, inputIds);
    const windowed = slidingLayers ? causalMask(attentionMask, inputIds, slidingWindow) : mask;
    const { rope, localRope } = this;
    const angles = ropeAngles(rope, positionIds, attentionMask, this.dtype());
    const localAngles = localRope ? ropeAngles(localRope, positionIds, attentionMask, this.dtype()) : angles;
    const present: KV[] = [];
    this.model.layers.forEach((layer, i) => {
      const sliding = slidingLayers?.[i] ?? false;
      const layerAngles = ropeLayers?.[i] === false ? null : sliding ? localAngles : angles;
      const result = layer.forward(h, sliding ? windowed : mask, layerAngles, past?.[i]);
      h = result.out;
      present.push(result.present);
    });
    h = this.model.norm.forward(h);
    const logits = this.lm_head ? project(this.lm_head, h) : this.model.embed_tokens.asLinear(h);
    const { finalSoftcap, logitsDivisor, logitsScale } = this.args;
    let scaled = logitsDivisor === undefined ? logits : mx.divide(logits, logitsDivisor);
    if (logitsScale !== undefined) scaled = mx.multiply(scaled, logitsScale);
    return { logits: finalSoftcap ? softcap(scaled, finalSoftcap) : scaled, present };
  }

  /**
   * mlx-lm: stack Hugging Face's per-expert tensors, drop precomputed rotary frequencies, and
   * lm_head when tied to the embedding (or, with optionalHead, read out through the
   * embedding when the checkpoint has no lm_head).
   */
  override sanitize(weights: Record<string, MxArray>): Record<string, MxArray> {
    const { moe, numLayers } = this.args;
    if (moe) {
      const names = moe.expertTensors ?? { gate_proj: 'gate_proj', up_proj: 'up_proj', down_proj: 'down_proj' };
      weights = stackExperts(weights, numLayers, moe.block, moe.experts, names);
    }
    const { renames, qkvLayout } = this.args;
    if (renames) weights = renamed(weights, renames);
    if (this.args.optionalHead && !('lm_head.weight' in weights)) this.lm_head = undefined;
    const rows = qkvLayout ? qkvRows(qkvLayout, this.args) : undefined;
    const out: Record<string, MxArray> = {};
    for (const [name, array] of Object.entries(weights)) {
      // Precomputed rotary frequencies and (GPT-NeoX) causal-mask buffers: recomputed here.
      if (/(self_attn|attention)\.(rotary_emb|rope)\.inv_freq$|\.attention\.(masked_)?bias$/.test(name)) continue;
      if (this.args.tieWordEmbeddings && name.startsWith('lm_head.')) continue;
      out[name] = rows && /\.self_attn\.qkv_proj\./.test(name) ? mx.take(array, rows, 0) : array;
    }
    return out;
  }
}

/** Checkpoint names with every occurrence of a key of `renames` replaced by its value (in one pass). */
function renamed(weights: Record<string, MxArray>, renames: Record<string, string>): Record<string, MxArray> {
  const escaped = Object.keys(renames).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(escaped.join('|'), 'g');
  return Object.fromEntries(Object.entries(weights).map(([name, array]) => [name.replace(pattern, (m) => renames[m]!), array]));
}

/** For each row of qkv_proj ([queries; keys; values], head by head), its row in a checkpoint of `layout`. */
function qkvRows(layout: 'per-head' | 'per-kv-head', { numHeads, numKvHeads, headDim }: LlamaArgs): MxArray {
  const group = numHeads / numKvHeads;
  // The checkpoint's head slot of query head h, key head k and value head k.
  const slots = layout === 'per-head'
    ? { query: (h: number) => 3 * h, key: (k: number) => 3 * k + 1, value: (k: number) => 3 * k + 2 }
    : { query: (h: number) => Math.floor(h / group) * (group + 2) + (h % group), key: (k: number) => k * (group + 2) + group, value: (k: number) => k * (group + 2) + group + 1 };
  const heads = [
    ...Array.from({ length: numHeads }, (_, h) => slots.query(h)),
    ...Array.from({ length: numKvHeads }, (_, k) => slots.key(k)),
    ...Array.from({ length: numKvHeads }, (_, k) => slots.value(k)),
  ];
  const rows = heads.flatMap((slot) => Array.from({ length: headDim }, (_, d) => slot * headDim + d));
  return mx.array(rows, [rows.length], 'int32');
}

export function createLlama(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('llama', llamaArgs(config));
}
