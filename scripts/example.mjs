// `npm run example`: converts the bundled example (examples/transformer_block.mlxfn, a
// transformer block exported by MLX; examples/make_example.py remakes it), verifies the
// ONNX against MLX with ONNX Runtime, and prints the report.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './python-env.mjs';

const { convert } = await import(path.join(ROOT, 'dist', 'index.js'));
const input = path.join(ROOT, 'examples', 'transformer_block.mlxfn');
const outDir = path.join(ROOT, 'examples', 'out');
mkdirSync(outDir, { recursive: true });
const output = path.join(outDir, 'transformer_block.onnx');

const report = await convert(input, output, { verify: true });
const v = report.verify;
console.log(`converted ${path.relative(ROOT, input)} -> ${path.relative(ROOT, output)}`);
console.log(`  inputs:  ${report.inputs.map((i) => `${i.name} ${i.dtype}[${i.shape}]`).join(', ')}`);
console.log(`  outputs: ${report.outputs.map((o) => `${o.name} ${o.dtype}[${o.shape}]`).join(', ')}`);
console.log(`  ${report.nodeCount} ONNX nodes, opset ${report.opset}, ${report.files[0].bytes} bytes, ${report.timings.totalMs.toFixed(0)} ms`);
console.log(`verify against MLX: ${v.pass ? 'PASS' : 'FAIL'}`);
for (const o of v.outputs) {
  console.log(`  ${o.name}: max abs error ${o.maxAbsError.toExponential(2)}, max rel error ${o.maxRelError.toExponential(2)} (atol ${o.atol}, rtol ${o.rtol})`);
}
console.log(JSON.stringify(report, null, 2));
