// Phi (Phi-1, Phi-1.5, Phi-2) as mlx_lm.models.phi: one LayerNorm feeding attention and an
// ungated GELU (tanh) MLP side by side, partial rotary, biases everywhere including the
// head. mlx-lm's names (self_attn.dense, mlp.fc1/fc2, final_layernorm) map onto the family's.
import { geluApprox } from '../nn/layers.js';
import { int, num, positive, rotaryDims } from './config.js';
import { GPT_STYLE_BLOCK, LlamaForCausalLM } from './llama.js';
import type { Config } from './model.js';

export function createPhi(config: Config): LlamaForCausalLM {
  const hiddenSize = int(config, 'hidden_size', 2560);
  const numHeads = positive(config, 'num_attention_heads', 32);
  const headDim = Math.floor(hiddenSize / numHeads);
  return new LlamaForCausalLM('phi', {
    hiddenSize,
    numLayers: int(config, 'num_hidden_layers', 32),
    intermediateSize: int(config, 'intermediate_size', 10240),
    numHeads,
    // mlx-lm: 32 when absent, as many as the heads when null.
    numKvHeads: config.num_key_value_heads === null ? numHeads : positive(config, 'num_key_value_heads', 32),
    headDim,
    rmsNormEps: num(config, 'layer_norm_eps', 1e-5),
    vocabSize: int(config, 'vocab_size', 51200),
    ropeTheta: num(config, 'rope_theta', 10000),
    ropeTraditional: false,
    ropeDims: rotaryDims({ partial_rotary_factor: 0.4, ...config }, headDim),
    tieWordEmbeddings: false,
    headBias: true,
    ...GPT_STYLE_BLOCK,
    activation: geluApprox,
    parallelResidual: 'shared-norm',
    renames: { '.self_attn.dense.': '.self_attn.o_proj.', '.mlp.fc1.': '.mlp.c_fc.', '.mlp.fc2.': '.mlp.c_proj.', 'model.final_layernorm.': 'model.norm.' },
  });
}
