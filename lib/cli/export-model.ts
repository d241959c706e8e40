// `mlx-onnx export-model <model-dir> -o <out-dir>`: a model folder (config.json +
// safetensors) to an ONNX decoder with a key/value cache (or an encoder), in the layout
// transformers.js and Optimum use, with the tokenizer and config files copied along.
import { InvalidArgumentError, type Command } from 'commander';
import { loadModel } from '../models/load.js';
import { architectures } from '../models/registry.js';
import { type ExportReport, exportModel } from '../models/export.js';
import { fail, integer, interrupt, positiveNumber } from './common.js';
import { printWebCompatibility } from './format.js';
import { Progress } from './progress.js';

const out = (line = '') => process.stdout.write(line + '\n');

function choice(...allowed: string[]) {
  return (value: string) => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`expected ${allowed.join(' | ')}`);
    return value;
  };
}

function printExportReport(r: ExportReport): void {
  out(`exported ${r.modelType} (${r.kind}${r.kind === 'causal-lm' ? (r.kvCache ? ', with KV cache' : ', no cache') : ''}, ${r.dtype}) to ${r.outDir}`);
  for (const f of r.files) out(`  wrote ${f.path} (${f.bytes} bytes)`);
  const dims = (shape: Array<number | string>) => shape.join(', ');
  out(`  inputs:  ${r.inputs.map((t) => `${t.name}: ${t.dtype}[${dims(t.shape)}]`).join('; ')}`);
  out(`  outputs: ${r.outputs.map((t) => t.name).join(', ')}`);
  out(`  ${r.nodeCount} ONNX nodes, ${r.timings.totalMs.toFixed(1)} ms`);
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  if (r.webCompatibility) printWebCompatibility(r.webCompatibility);
  if (r.verify) {
    out(`verify: ${r.verify.pass ? 'pass' : 'FAIL'} (MLX ${r.verify.mlxMs.toFixed(1)} ms, ONNX Runtime ${r.verify.onnxRuntimeMs.toFixed(1)} ms)`);
    for (const o of r.verify.outputs) {
      out(`  ${o.pass ? 'ok  ' : 'FAIL'} ${o.name}: max abs error ${o.maxAbsError.toExponential(2)} (atol ${o.atol}, rtol ${o.rtol})`);
    }
  }
}

export function addExportModelCommand(program: Command, debug: () => boolean): void {
  program
    .command('export-model')
    .description('export a model folder (mlx-lm decoders and BERT; --list names them) to ONNX for transformers.js / Optimum runtimes')
    .argument('[model-dir]', 'folder with config.json and model.safetensors (or shards), as mlx-lm and Hugging Face write them')
    .option('-o, --output <dir>', 'folder to write model.onnx and the copied config and tokenizer files to')
    .option('--list', 'print the supported model types and what of each is honoured, then exit')
    .option('--dtype <dtype>', 'weights and activations: float32 | float16', choice('float32', 'float16'), 'float32')
    .option('--no-kv-cache', 'decoders: no past_key_values inputs / present outputs')
    .option('--target <name>', 'standard (any ONNX runtime) | ort (also ONNX Runtime contrib ops) | web (standard, checked against onnxruntime-web)', choice('standard', 'ort', 'web'), 'standard')
    .option('--opset <n>', 'ONNX opset', integer)
    .option('--external-data <mode>', 'weights in model.onnx.data: auto | always | never', choice('auto', 'always', 'never'), 'auto')
    .option('--verify', 'run the model in MLX and the ONNX file in ONNX Runtime on the same tokens and compare')
    .option('--atol <x>', 'absolute tolerance for --verify (default 1e-4, float16 2e-2)', positiveNumber)
    .option('--rtol <x>', 'relative tolerance for --verify (default 1e-4, float16 1e-2)', positiveNumber)
    .option('--json', 'print the report as one JSON object')
    .action(async (modelDir: string | undefined, opts, command: Command) => {
      const json = Boolean(opts.json);
      if (opts.list) {
        if (json) out(JSON.stringify(architectures(), null, 2));
        else for (const a of architectures()) out(`${a.modelType.padEnd(12)} ${a.summary}`);
        return;
      }
      if (!modelDir) command.error("error: missing required argument 'model-dir'");
      if (!opts.output) command.error("error: required option '-o, --output <dir>' not specified");
      const progress = new Progress(['load', 'export', 'copy', ...(opts.verify ? ['verify'] : [])]);
      try {
        const model = loadModel(modelDir);
        progress.step();
        const report = await exportModel(model, opts.output, {
          dtype: opts.dtype,
          kvCache: opts.kvCache,
          target: opts.target,
          opset: opts.opset,
          externalData: opts.externalData,
          verify: opts.verify ? { atol: opts.atol, rtol: opts.rtol } : false,
          signal: interrupt.signal,
          onStage: () => progress.step(),
        });
        progress.done();
        if (json) out(JSON.stringify(report, null, 2));
        else printExportReport(report);
      } catch (error) {
        progress.done();
        fail(error, json, debug());
      }
    });
}
