// GPT-2 as mlx_lm.models.gpt2: learned positions, pre-norm LayerNorm blocks, fused qkv
// projection (c_attn), GELU (tanh approximation), output tied to the token embedding.
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Embedding, LayerNorm, Linear, geluApprox } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { int, num, positive } from './config.js';
import { type KV, type StepInputs, type StepOutputs, appendCache, attention, causalMask, embed, project, splitHeads } from './decoder.js';
import { CausalLM, type Config, type Projection, type TokenEmbedding } from './model.js';

interface Gpt2Args {
  nEmbd: number;
  nHead: number;
  nLayer: number;
  nPositions: number;
  eps: number;
  vocabSize: number;
}

class Attention extends Module {
  c_attn: Projection;
  c_proj: Projection;

  constructor(private readonly args: Gpt2Args) {
    super();
    this.c_attn = new Linear(args.nEmbd, 3 * args.nEmbd, true);
    this.c_proj = new Linear(args.nEmbd, args.nEmbd, true);
  }

  forward(x: MxArray, mask: MxArray, past?: KV): { out: MxArray; present: KV } {
    const { nHead, nEmbd } = this.args;
    const headDim = nEmbd / nHead;
    const [q, k, v] = mx.split(splitHeads(project(this.c_attn, x), 3 * nHead, headDim), 3, 1);
    const present = appendCache(past, k!, v!);
    const out = attention(q!, present.key, present.value, mask, headDim ** -0.5);
    return { out: project(this.c_proj, out), present };
  }
}

class MLP extends Module {
  c_fc: Projection;
  c_proj: Projection;

  constructor(dims: number) {
    super();
    this.c_fc = new Linear(dims, 4 * dims, true);
    this.c_proj = new Linear(4 * dims, dims, true);
  }

  forward(x: MxArray): MxArray {
    return project(this.c_proj, geluApprox(project(this.c_fc, x)));
  }
}

class TransformerBlock extends Module {
  attn: Attention;
  mlp: MLP;
  ln_1: LayerNorm;
  ln_2: LayerNorm;

  constructor(args: Gpt2Args) {
    super();
    this.attn = new Attention(args);
    this.mlp = new MLP(args.nEmbd);
    this.ln_1 = new LayerNorm(args.nEmbd, args.eps);
    this.ln_2 = new LayerNorm(args.nEmbd, args.eps);
  }

  forward(x: MxArray, mask: MxArray, past?: KV): { out: MxArray; present: KV } {
    const { out, present } = this.attn.forward(this.ln_1.forward(x), mask, past);
    const h = mx.add(x, out);
    return { out: mx.add(h, this.mlp.forward(this.ln_2.forward(h))), present };
  }
}

class GPT2Model extends Module {
  wte: TokenEmbedding;
  wpe: TokenEmbedding;
  h: TransformerBlock[];
  ln_f: LayerNorm;

  constructor(args: Gpt2Args) {
    super();
    this.wte = new Embedding(args.vocabSize, args.nEmbd);
    this.wpe = new Embedding(args.nPositions, args.nEmbd);
    this.h = Array.from({ length: args.nLayer }, () => new TransformerBlock(args));
    this.ln_f = new LayerNorm(args.nEmbd, args.eps);
  }
}

export class GPT2LMHeadModel extends CausalLM {
  readonly modelType = 'gpt2';
  readonly numLayers: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  model: GPT2Model;

  constructor(private readonly args: Gpt2Args) {
    super();
    this.numLayers = args.nLayer;
    this.numKvHeads = args.nHead;
    this.headDim = args.nEmbd / args.nHead;
    this.vocabSize = args.vocabSize;
    this.model = new GPT2Model(args);
  }

  step({ inputIds, attentionMask, positionIds, past, shapeless }: StepInputs): StepOutputs {
    let h = mx.add(embed(this.model.wte, inputIds, shapeless), embed(this.model.wpe, positionIds, shapeless));
    const mask = causalMask(attentionMask, inputIds);
    const present: KV[] = [];
    this.model.h.forEach((layer, i) => {
      const result = layer.forward(h, mask, past?.[i]);
      h = result.out;
      present.push(result.present);
    });
    return { logits: this.model.wte.asLinear(this.model.ln_f.forward(h)), present };
  }

  /**
   * mlx-lm: Hugging Face checkpoints store the projections as Conv1D ([in, out]) without
   * the "model." prefix; drop the causal-mask buffers. Also accepts the "transformer."
   * prefix of GPT2LMHeadModel files and drops their tied lm_head.
   */
  override sanitize(weights: Record<string, MxArray>): Record<string, MxArray> {
    const out: Record<string, MxArray> = {};
    const conv1d = /^h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;
    for (const [original, array] of Object.entries(weights)) {
      const name = original.startsWith('transformer.') ? original.slice('transformer.'.length) : original;
      if (/^h\.\d+\.attn\.(bias|masked_bias)$/.test(name) || name.startsWith('lm_head.')) continue;
      const value = conv1d.test(name) ? mx.transpose(array, [1, 0]) : array;
      out[name.startsWith('model.') ? name : `model.${name}`] = value;
    }
    return out;
  }
}

export function createGpt2(config: Config): GPT2LMHeadModel {
  return new GPT2LMHeadModel({
    nEmbd: int(config, 'n_embd'),
    nHead: positive(config, 'n_head'),
    nLayer: int(config, 'n_layer'),
    nPositions: int(config, 'n_positions'),
    eps: num(config, 'layer_norm_epsilon'),
    vocabSize: int(config, 'vocab_size'),
  });
}
