// SmolLM3 as mlx_lm.models.smollm3: Llama, with the rotation left out of the layers whose
// no_rope_layers entry is 0 (by default every no_rope_layer_interval-th layer).
import { MlxOnnxError } from '../errors.js';
import { int, positive } from './config.js';
import { LlamaForCausalLM, llamaArgs } from './llama.js';
import type { Config } from './model.js';

export function createSmolLM3(config: Config): LlamaForCausalLM {
  const layers = int(config, 'num_hidden_layers');
  const interval = positive(config, 'no_rope_layer_interval', 4);
  const listed = config.no_rope_layers;
  if (listed !== undefined && listed !== null && (!Array.isArray(listed) || listed.length !== layers)) {
    throw new MlxOnnxError('ERR_INVALID_INPUT', `config.json's no_rope_layers must list one 0 or 1 per layer (${layers})`);
  }
  const ropeLayers = Array.isArray(listed)
    ? listed.map((use) => Boolean(use))
    : Array.from({ length: layers }, (_, i) => (i + 1) % interval !== 0);
  return new LlamaForCausalLM('smollm3', { ...llamaArgs(config), ropeLayers });
}
