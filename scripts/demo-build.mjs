// What the demo builds (examples/NAME/build.mjs) share: the output folder from the command
// line (default examples/NAME/out), running a tool, the mlx-onnx CLI, and a model that is
// the checkpoint kept in the repository or one trained anew.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ROOT, trainingEnv, venvPython } from './python-env.mjs';

/** For the build script at `scriptUrl` (its import.meta.url), run as `build.mjs [OUT] [--train]`. */
export function demoBuild(scriptUrl) {
  const here = path.dirname(fileURLToPath(scriptUrl));
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { train: { type: 'boolean' } } });
  const out = path.resolve(positionals[0] ?? path.join(here, 'out'));
  const run = (cmd, args, env = process.env) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  return {
    here,
    out,
    run,
    python: (args) => run(venvPython(), args),
    cli: (args) => run(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), ...args]),
    // OUT/mlx: a copy of here/trained, or with --train (or no kept checkpoint, which lacks
    // `marker`) what here/train.py writes there.
    checkpoint(marker) {
      const mlx = path.join(out, 'mlx');
      if (values.train || !existsSync(path.join(here, 'trained', marker))) run(venvPython(), [path.join(here, 'train.py'), mlx], trainingEnv());
      else cpSync(path.join(here, 'trained'), mlx, { recursive: true });
      return mlx;
    },
  };
}
