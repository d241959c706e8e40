#!/usr/bin/env node
// mlx-onnx command line: convert, inspect, ops. Exit codes: 0 ok, 1 usage,
// 2 bad or unsupported input (or any other failure), 3 verification outside tolerance.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { convert, inspect, ops, throwIfFailed, traceOutputPath, verify, versions } from '../api.js';
import { MlxOnnxError, asMlxOnnxError } from '../errors.js';
import type { ConvertReport } from '../types.js';
import { printConvertReport, printFileInfo, printOps } from './format.js';
import { Progress } from './progress.js';

const EXIT_USAGE = 1;
const EXIT_INPUT = 2;
const EXIT_VERIFY = 3;
const EXIT_INTERRUPTED = 130;

// Ctrl-C stops a running conversion cleanly (no output, no temporary file).
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function traceArg(value: string): number | 'all' {
  return value === 'all' ? 'all' : integer(value);
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

// --dynamic input:axis=name, repeatable
function dynamicDim(value: string, previous: Record<string, Record<number, string>> = {}) {
  const match = /^(.+):(-?\d+)=(.+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected INPUT:AXIS=NAME, e.g. input_ids:1=sequence');
  const [, input, axis, name] = match;
  return { ...previous, [input!]: { ...previous[input!], [Number(axis)]: name! } };
}

function names(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

function fail(error: unknown, json: boolean, debug: boolean): never {
  const err = asMlxOnnxError(error);
  if (json) {
    const report = (error as { report?: unknown }).report;
    process.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message }, ...(report ? { report } : {}) }, null, 2) + '\n');
  }
  process.stderr.write(`mlx-onnx: ${err.code}: ${err.message}\n`);
  if (debug && err.stack) process.stderr.write(err.stack + '\n');
  const exits: Partial<Record<string, number>> = { ERR_VERIFY: EXIT_VERIFY, ERR_INVALID_ARGUMENT: EXIT_USAGE, ERR_ABORTED: EXIT_INTERRUPTED };
  process.exit(exits[err.code] ?? EXIT_INPUT);
}

// `mlx-onnx ops | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const debug = () => Boolean(program.opts().debug);

const program = new Command()
  .name('mlx-onnx')
  .description('Convert MLX functions (.mlxfn) to ONNX, verified against MLX with ONNX Runtime')
  .version(versions().mlxOnnx)
  .option('--debug', 'print stack traces with errors')
  .exitOverride();

program
  .command('convert')
  .description('convert a trace of an .mlxfn file to ONNX')
  .argument('<input>', '.mlxfn file written by mx.export_function')
  .requiredOption('-o, --output <file>', 'ONNX file to write')
  .option('--trace <n|all>', 'which trace of the file to convert; all: one ONNX per trace (OUT.traceN.onnx)', traceArg, 0)
  .option('--opset <n>', 'ONNX opset', integer)
  .option('--target <name>', 'standard (any ONNX runtime) | ort (also ONNX Runtime contrib ops)', 'standard')
  .option('--external-data <mode>', 'weights in OUTPUT.data: auto | always | never', 'auto')
  .option('--input-names <a,b,...>', 'names for the ONNX inputs, in order', names)
  .option('--output-names <a,b,...>', 'names for the ONNX outputs, in order', names)
  .option('--dynamic <input:axis=name>', 'a varying input dimension of a shapeless export (repeatable)', dynamicDim)
  .option('--verify', 'run MLX and ONNX Runtime on the same random inputs and compare')
  .option('--seed <n>', 'seed of the verification inputs', integer, 0)
  .option('--atol <x>', 'absolute tolerance for --verify (default by dtype)', positiveNumber)
  .option('--rtol <x>', 'relative tolerance for --verify (default by dtype)', positiveNumber)
  .option('--json', 'print the report as one JSON object')
  .action(async (input: string, opts) => {
    const json = Boolean(opts.json);
    const traces = opts.trace === 'all' ? (await inspect(input).catch((e) => fail(e, json, debug()))).traces.map((_, i) => i) : [opts.trace as number];
    const progress = new Progress(traces.flatMap((t) => (opts.verify ? [`convert ${t}`, `verify ${t}`] : [`convert ${t}`])));
    const reports: ConvertReport[] = [];
    try {
      for (const trace of traces) {
        const output = opts.trace === 'all' ? traceOutputPath(opts.output, trace) : opts.output;
        const report = await convert(input, output, {
          trace,
          opset: opts.opset,
          target: opts.target,
          externalData: opts.externalData,
          inputNames: opts.inputNames,
          outputNames: opts.outputNames,
          dynamic: opts.dynamic,
          signal: interrupt.signal,
        });
        progress.step();
        if (opts.verify) {
          const start = performance.now();
          report.verify = await verify(input, output, { trace, seed: opts.seed, atol: opts.atol, rtol: opts.rtol });
          report.timings.verifyMs = performance.now() - start;
          report.timings.totalMs += report.timings.verifyMs;
          progress.step();
          throwIfFailed(report.verify, report);
        }
        reports.push(report);
      }
      progress.done();
      if (json) process.stdout.write(JSON.stringify(opts.trace === 'all' ? { traces: reports } : reports[0], null, 2) + '\n');
      else reports.forEach(printConvertReport);
    } catch (error) {
      progress.done();
      fail(error, json, debug());
    }
  });

program
  .command('inspect')
  .description('list the traces of an .mlxfn file: inputs, outputs, primitives, unsupported ones')
  .argument('<file>', '.mlxfn file')
  .option('--json', 'print one JSON object')
  .action(async (file: string, opts) => {
    try {
      const info = await inspect(file);
      if (opts.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
      else printFileInfo(info);
    } catch (error) {
      fail(error, Boolean(opts.json), debug());
    }
  });

program
  .command('ops')
  .description('every MLX primitive and its status: lowered, decomposed, or unsupported and why')
  .option('--json', 'print a JSON array of {name, status, reason?}')
  .action((opts) => {
    const coverage = ops();
    if (opts.json) process.stdout.write(JSON.stringify(coverage, null, 2) + '\n');
    else printOps(coverage);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (error instanceof MlxOnnxError) fail(error, false, false);
  throw error;
}
