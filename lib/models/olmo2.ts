// OLMo 2 as mlx_lm.models.olmo2: the Llama blocks with their norms after each sublayer (its
// output normalized before it joins the residual, no norm before it), and RMSNorm of the
// whole query and key projections before the heads are split.
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createOlmo2(config: Config): LlamaForCausalLM {
  return new LlamaForCausalLM('olmo2', { ...llamaArgs(config), normPlacement: 'post', qkNorm: 'projection' });
}
