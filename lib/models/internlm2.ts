// InternLM2 as mlx_lm.models.internlm2: the Llama blocks with q/k/v packed in wqkv per
// key/value head (its queries, then its key and value; reordered at load), biases when
// `bias`, rope_scaling linear or dynamic. mlx-lm's names (attention.wqkv/wo,
// feed_forward.w1/w3/w2, attention_norm, ffn_norm, tok_embeddings, output) map onto the family's.
import { MlxOnnxError } from '../errors.js';
import { bool, num, object } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createInternLM2(config: Config): LlamaForCausalLM {
  const scaling = object(config, 'rope_scaling');
  if (scaling && scaling.type !== 'linear' && scaling.type !== 'dynamic') {
    throw new MlxOnnxError('ERR_INVALID_INPUT', "internlm2's rope_scaling 'type' must be 'linear' or 'dynamic' (as mlx-lm)");
  }
  const args = llamaArgs(config);
  const bias = bool(config, 'bias', true);
  return new LlamaForCausalLM('internlm2', {
    ...args,
    ropeTheta: num(config, 'rope_theta', 10000),
    headDim: Math.floor(args.hiddenSize / args.numHeads),
    tieWordEmbeddings: bool(config, 'tie_word_embeddings', false),
    qkvBias: bias,
    outputBias: bias,
    mlpBias: false,
    packedQkv: true,
    qkvLayout: 'per-kv-head',
    renames: {
      'model.tok_embeddings.': 'model.embed_tokens.', '.attention.wqkv.': '.self_attn.qkv_proj.', '.attention.wo.': '.self_attn.o_proj.',
      '.feed_forward.w1.': '.mlp.gate_proj.', '.feed_forward.w3.': '.mlp.up_proj.', '.feed_forward.w2.': '.mlp.down_proj.',
      '.attention_norm.': '.input_layernorm.', '.ffn_norm.': '.post_attention_layernorm.', 'output.': 'lm_head.',
    },
  });
}
