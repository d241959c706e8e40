// The manifest that test/fixtures/make_fixtures.py writes beside the fixtures.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './paths.js';

export interface FixtureCase {
  name: string;
  family: string;
  file: string;
  inputs: string;
  outputs: string;
  atol: number;
  rtol: number;
  covers: string[];
  /** Options for convert(), e.g. { target: 'ort', opset: 23 }. */
  options: Record<string, unknown>;
  /** False when MLX on the CPU cannot evaluate the file (fused GPU-stream nodes). */
  mlxVerifiable: boolean;
  /** The written ONNX's exact operator counts, for cases about the graph's form (fusions). */
  onnxOps: Record<string, number> | null;
}

export function loadManifest(): { mlxVersion: string; cases: FixtureCase[] } {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8'));
}

export const fixture = (name: string) => path.join(FIXTURES, name);
