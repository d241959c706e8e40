// GLM-4 as mlx_lm.models.glm4: the Llama blocks with a norm after each sublayer as well as
// before (post_self_attn_layernorm, post_mlp_layernorm), gate/up packed in gate_up_proj,
// interleaved partial rotary, q/k/v biases (attention_bias) and an untied head.
import { bool, int, rotaryDims } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createGlm4(config: Config): LlamaForCausalLM {
  const args = llamaArgs(config);
  const headDim = int(config, 'head_dim');
  return new LlamaForCausalLM('glm4', {
    ...args,
    headDim,
    ropeTraditional: bool(config, 'rope_traditional', true),
    ropeScaling: undefined,
    ropeDims: rotaryDims(config, headDim),
    tieWordEmbeddings: false,
    qkvBias: bool(config, 'attention_bias', false),
    outputBias: false,
    mlpBias: false,
    packedGateUp: true,
    normPlacement: 'sandwich',
    // Read in one pass: GLM-4's post_attention_layernorm is the family's norm before the MLP.
    renames: {
      '.post_self_attn_layernorm.': '.post_attention_layernorm.',
      '.post_attention_layernorm.': '.pre_feedforward_layernorm.',
      '.post_mlp_layernorm.': '.post_feedforward_layernorm.',
    },
  });
}
