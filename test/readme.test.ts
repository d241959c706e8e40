// The README's coverage table is the addon's own: every primitive, with its status.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ops } from '../dist/index.js';
import { ROOT } from './setup/paths.js';

it('the README lists every MLX primitive with the status the addon reports', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const rows = new Map([...readme.matchAll(/^\| (\w+) \| (lowered|decomposed|unsupported) \|/gm)].map((m) => [m[1], m[2]]));
  for (const op of ops()) expect(rows.get(op.name), op.name).toBe(op.status);
  expect(rows.size).toBe(ops().length);
});
