// GPT-OSS as mlx_lm.models.gpt_oss: the Llama blocks with biases on q/k/v/o, a learned sink
// logit per head in every softmax, sliding-window and global layers alternating (layer_types,
// sliding_window), and in every layer experts with biases, a biased router (top-k, then
// softmax over the chosen) and GPT-OSS's clamped SwiGLU. mlx-lm's names (mlp.router,
// mlp.experts) map onto the family's.
import { int, num, positive } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createGptOss(config: Config): LlamaForCausalLM {
  const layers = int(config, 'num_hidden_layers', 36);
  const layerTypes = config.layer_types ?? Array.from({ length: layers }, (_, i) => (i % 2 ? 'full_attention' : 'sliding_attention'));
  const args = llamaArgs({ ...config, num_hidden_layers: layers, layer_types: layerTypes, sliding_window: config.sliding_window ?? 128 });
  return new LlamaForCausalLM('gpt_oss', {
    ...args,
    headDim: int(config, 'head_dim', 64),
    ropeTheta: num(config, 'rope_theta', 150000),
    tieWordEmbeddings: false,
    qkvBias: true,
    outputBias: true,
    attentionSinks: true,
    moe: {
      block: 'mlp',
      experts: positive(config, 'num_local_experts', 128),
      topK: positive(config, 'num_experts_per_tok', 4),
      hiddenSize: positive(config, 'intermediate_size', 2880),
      routing: 'top-k, softmax',
      normalize: false,
      bias: true,
      activation: 'swiglu-oai',
    },
    renames: { '.mlp.router.': '.mlp.gate.', '.mlp.experts.': '.mlp.switch_mlp.' },
  });
}
