// BERT as Hugging Face's BertModel (weight names embeddings.word_embeddings.weight,
// encoder.layer.N.attention.self.query.weight, ...): post-norm encoder blocks with
// learned positions and token types. Output: last_hidden_state (the pooler is dropped).
import { MlxOnnxError } from '../errors.js';
import type { MxArray } from '../mx/array.js';
import * as mx from '../mx/ops.js';
import { Embedding, LayerNorm, Linear, gelu, geluApprox, relu } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { int, num, positive } from './config.js';
import { attention, embed, indicesLike, paddingMask, project, splitHeads } from './decoder.js';
import { type Config, Encoder, type EncoderInputs, type Projection, type TokenEmbedding } from './model.js';

interface BertArgs {
  hidden: number;
  heads: number;
  layers: number;
  intermediate: number;
  vocab: number;
  positions: number;
  typeVocab: number;
  eps: number;
  activation: (x: MxArray) => MxArray;
}

const ACTIVATIONS: Record<string, (x: MxArray) => MxArray> = {
  gelu, gelu_new: geluApprox, gelu_pytorch_tanh: geluApprox, relu,
};

class Embeddings extends Module {
  word_embeddings: TokenEmbedding;
  position_embeddings: TokenEmbedding;
  token_type_embeddings: TokenEmbedding;
  LayerNorm: LayerNorm;

  constructor(args: BertArgs) {
    super();
    this.word_embeddings = new Embedding(args.vocab, args.hidden);
    this.position_embeddings = new Embedding(args.positions, args.hidden);
    this.token_type_embeddings = new Embedding(args.typeVocab, args.hidden);
    this.LayerNorm = new LayerNorm(args.hidden, args.eps);
  }

  forward({ inputIds, tokenTypeIds }: EncoderInputs, shapeless: boolean): MxArray {
    const rows = (table: TokenEmbedding, ids: MxArray) => embed(table, ids, shapeless);
    const sum = mx.add(mx.add(rows(this.word_embeddings, inputIds), rows(this.token_type_embeddings, tokenTypeIds)),
      rows(this.position_embeddings, indicesLike(inputIds)));
    return this.LayerNorm.forward(sum);
  }
}

class SelfAttention extends Module {
  query: Projection;
  key: Projection;
  value: Projection;

  constructor(hidden: number) {
    super();
    this.query = new Linear(hidden, hidden);
    this.key = new Linear(hidden, hidden);
    this.value = new Linear(hidden, hidden);
  }
}

/** A dense layer, then LayerNorm of it plus the residual. */
class Output extends Module {
  dense: Projection;
  LayerNorm: LayerNorm;

  constructor(inputDims: number, hidden: number, eps: number) {
    super();
    this.dense = new Linear(inputDims, hidden);
    this.LayerNorm = new LayerNorm(hidden, eps);
  }

  forward(x: MxArray, residual: MxArray): MxArray {
    return this.LayerNorm.forward(mx.add(project(this.dense, x), residual));
  }
}

class AttentionBlock extends Module {
  self: SelfAttention;
  output: Output;

  constructor(private readonly args: BertArgs) {
    super();
    this.self = new SelfAttention(args.hidden);
    this.output = new Output(args.hidden, args.hidden, args.eps);
  }

  forward(x: MxArray, mask: MxArray): MxArray {
    const { heads, hidden } = this.args;
    const headDim = hidden / heads;
    const [q, k, v] = [this.self.query, this.self.key, this.self.value].map((p) => splitHeads(project(p, x), heads, headDim));
    return this.output.forward(attention(q!, k!, v!, mask, headDim ** -0.5), x);
  }
}

class Intermediate extends Module {
  dense: Projection;

  constructor(hidden: number, intermediate: number) {
    super();
    this.dense = new Linear(hidden, intermediate);
  }
}

class Layer extends Module {
  attention: AttentionBlock;
  intermediate: Intermediate;
  output: Output;

  constructor(private readonly args: BertArgs) {
    super();
    this.attention = new AttentionBlock(args);
    this.intermediate = new Intermediate(args.hidden, args.intermediate);
    this.output = new Output(args.intermediate, args.hidden, args.eps);
  }

  forward(x: MxArray, mask: MxArray): MxArray {
    const h = this.attention.forward(x, mask);
    return this.output.forward(this.args.activation(project(this.intermediate.dense, h)), h);
  }
}

class BertEncoder extends Module {
  layer: Layer[];

  constructor(args: BertArgs) {
    super();
    this.layer = Array.from({ length: args.layers }, () => new Layer(args));
  }
}

export class BertModel extends Encoder {
  readonly modelType = 'bert';
  readonly vocabSize: number;
  readonly hiddenSize: number;
  embeddings: Embeddings;
  encoder: BertEncoder;

  constructor(args: BertArgs) {
    super();
    [this.vocabSize, this.hiddenSize] = [args.vocab, args.hidden];
    this.embeddings = new Embeddings(args);
    this.encoder = new BertEncoder(args);
  }

  encode(inputs: EncoderInputs): MxArray {
    const mask = paddingMask(inputs.attentionMask);
    return this.encoder.layer.reduce((h, layer) => layer.forward(h, mask), this.embeddings.forward(inputs, inputs.shapeless ?? false));
  }

  /**
   * Checkpoints of BertFor* heads prefix "bert."; old ones name LayerNorm parameters
   * gamma/beta. The pooler, task heads and the position_ids buffer are dropped.
   */
  override sanitize(weights: Record<string, MxArray>): Record<string, MxArray> {
    const out: Record<string, MxArray> = {};
    for (const [original, array] of Object.entries(weights)) {
      const name = (original.startsWith('bert.') ? original.slice(5) : original)
        .replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
      if (!name.startsWith('embeddings.') && !name.startsWith('encoder.')) continue;
      if (name === 'embeddings.position_ids') continue;
      out[name] = array;
    }
    return out;
  }
}

export function createBert(config: Config): BertModel {
  const act = String(config.hidden_act ?? 'gelu');
  const activation = ACTIVATIONS[act];
  if (!activation) throw new MlxOnnxError('ERR_INVALID_INPUT', `bert hidden_act '${act}' is not supported (${Object.keys(ACTIVATIONS).join(', ')})`);
  return new BertModel({
    hidden: int(config, 'hidden_size'),
    heads: positive(config, 'num_attention_heads'),
    layers: int(config, 'num_hidden_layers'),
    intermediate: int(config, 'intermediate_size'),
    vocab: int(config, 'vocab_size'),
    positions: int(config, 'max_position_embeddings', 512),
    typeVocab: int(config, 'type_vocab_size', 2),
    eps: num(config, 'layer_norm_eps', 1e-12),
    activation,
  });
}
