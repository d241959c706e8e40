// Human-readable output of the CLI (the --json forms print the API's objects as is).
import type { ConvertReport, FileInfo, OpCoverage, TensorInfo, WebCompatibility } from '../types.js';

const out = (line = '') => process.stdout.write(line + '\n');

/** name: dtype[dims], a dim that varies marked with `~` (shapeless traces, inspect). */
function tensor(t: TensorInfo): string {
  const dims = t.shape.map((d, axis) => (t.varies?.[axis] ? `${d}~` : `${d}`));
  return `${t.name}: ${t.dtype}[${dims.join(', ')}]${t.keyword ? ' (keyword)' : ''}`;
}

function histogram(h: Record<string, number>): string {
  return Object.entries(h).map(([k, v]) => `${k}×${v}`).join(' ');
}

export function printConvertReport(r: ConvertReport): void {
  out(`converted ${r.input} (${r.mergedTraces ? `${r.mergedTraces} traces merged` : `trace ${r.trace}`}) to opset ${r.opset}${r.dtype ? `, cast to ${r.dtype}` : ''}`);
  for (const f of r.files) out(`  wrote ${f.path} (${f.bytes} bytes)`);
  out(`  inputs:  ${r.inputs.map(tensor).join('; ')}`);
  out(`  outputs: ${r.outputs.map(tensor).join('; ')}`);
  out(`  ${r.nodeCount} ONNX nodes from ${histogram(r.opHistogram)}`);
  out(`  ${r.timings.totalMs.toFixed(1)} ms`);
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  if (r.webCompatibility) printWebCompatibility(r.webCompatibility);
  if (r.verify) {
    out(`verify: ${r.verify.pass ? 'pass' : 'FAIL'} (MLX ${r.verify.mlxMs.toFixed(1)} ms, ONNX Runtime ${r.verify.onnxRuntimeMs.toFixed(1)} ms)`);
    for (const o of r.verify.outputs) {
      out(`  ${o.pass ? 'ok  ' : 'FAIL'} ${o.name}${o.trace === undefined ? '' : ` (trace ${o.trace}, ${JSON.stringify(o.shape)})`}: max abs error ${o.maxAbsError.toExponential(2)}, max rel error ${o.maxRelError.toExponential(2)} (atol ${o.atol}, rtol ${o.rtol})`);
    }
  }
}

export function printFileInfo(info: FileInfo): void {
  out(`${info.path}: MLX ${info.mlxVersion}, ${info.traces.length} trace(s)${info.shapeless ? ', shapeless' : ''}`);
  if (info.metadata) out(`  metadata: ${info.metadata}`);
  info.traces.forEach((t, i) => {
    out(`trace ${i}:`);
    out(`  inputs:  ${t.inputs.map(tensor).join('; ')}`);
    out(`  outputs: ${t.outputs.map(tensor).join('; ')}`);
    out(`  constants: ${t.constantCount} (${t.constantBytes} bytes)`);
    out(`  primitives: ${histogram(t.opHistogram)}`);
    const missing = Object.keys(t.unsupportedOps);
    out(missing.length ? `  unsupported: ${histogram(t.unsupportedOps)}` : '  unsupported: none');
    if (info.shapeless) out('  (~: the converted model runs at other sizes of that axis)');
    for (const w of t.shapeWarnings ?? []) out(`  fixed: ${w}`);
  });
  if (info.merged) {
    out('merged (--trace merge):');
    out(`  inputs:  ${info.merged.inputs.map(tensor).join('; ')}  (~: varies)`);
    for (const w of info.merged.shapeWarnings ?? []) out(`  fixed: ${w}`);
  }
  if (info.mergeError) out(`the traces do not merge: ${info.mergeError}`);
}

export function printOps(coverage: OpCoverage[]): void {
  const width = Math.max(...coverage.map((c) => c.name.length));
  for (const c of coverage) out(`${c.name.padEnd(width)}  ${c.status}${c.reason ? `: ${c.reason}` : ''}`);
  const count = (s: string) => coverage.filter((c) => c.status === s).length;
  out(`\n${coverage.length} primitives: ${count('lowered')} lowered, ${count('decomposed')} decomposed, ${count('unsupported')} unsupported`);
}

/** target 'web': where onnxruntime-web runs the model's operators. */
export function printWebCompatibility(c: WebCompatibility): void {
  for (const [name, w] of [['native', c.native], ['jsep', c.jsep]] as const) {
    const where = !w.loads ? 'does NOT load' : w.supported ? 'runs every operator' : `runs all but ${w.fallback.join(', ')} (these fall back to WASM)`;
    out(`web: WebGPU (${name}, ${w.bundle}) ${where}`);
    for (const problem of w.problems) out(`  ${problem}`);
  }
  out(`web: WASM ${c.wasm.supported ? 'runs every operator' : `CANNOT run ${c.wasm.unsupported.join(', ')}`}`);
}
