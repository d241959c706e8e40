// Module: a tree of parameters (mx arrays in fields) and submodules (modules in fields or
// arrays), as in mlx.nn. Parameter names are the dotted paths MLX uses in safetensors
// files ("layers.0.attention.wq.weight").
import { MlxOnnxError } from '../errors.js';
import { type MxArray, isArray } from '../mx/array.js';

export abstract class Module {
  /** Every parameter by its dotted path. */
  parameters(): Record<string, MxArray> {
    const out: Record<string, MxArray> = {};
    for (const [path, value] of this.entries()) out[path] = value;
    return out;
  }

  /**
   * Replaces parameters with the given arrays. With `strict` (the default), a missing,
   * unexpected or mis-shaped weight is an ERR_INVALID_INPUT naming every one of them.
   */
  loadWeights(weights: Record<string, MxArray>, { strict = true }: { strict?: boolean } = {}): this {
    const own = this.parameters();
    const problems: string[] = [];
    for (const [name, array] of Object.entries(weights)) {
      const current = own[name];
      if (!current) {
        if (strict) problems.push(`unexpected weight ${name}`);
        continue;
      }
      if (current.shape.join() !== array.shape.join()) {
        problems.push(`${name} has shape [${array.shape}], the model expects [${current.shape}]`);
      }
    }
    if (strict) {
      for (const name of Object.keys(own)) if (!(name in weights)) problems.push(`missing weight ${name}`);
    }
    // All checked before any is assigned: a failed load leaves the model as it was.
    if (problems.length > 0) throw new MlxOnnxError('ERR_INVALID_INPUT', `cannot load weights: ${problems.join('; ')}`);
    for (const [name, array] of Object.entries(weights)) if (name in own) this.assign(name, array);
    return this;
  }

  private *entries(prefix = ''): Generator<[string, MxArray]> {
    for (const [key, value] of Object.entries(this)) {
      const path = prefix + key;
      if (isArray(value)) yield [path, value];
      else if (value instanceof Module) yield* value.entries(`${path}.`);
      else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (item instanceof Module) yield* item.entries(`${path}.${i}.`);
          else if (isArray(item)) yield [`${path}.${i}`, item];
        }
      }
    }
  }

  private assign(path: string, array: MxArray): void {
    const parts = path.split('.');
    let owner: Record<string, unknown> = this as unknown as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) owner = owner[part] as Record<string, unknown>;
    owner[parts.at(-1)!] = array;
  }
}
