// `mlx-onnx convert`: one file (-o), or a batch (--out-dir, a bounded pool of --jobs
// conversions, a summary, and a non-zero exit if any failed while the others finish).
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { convert, inspect, throwIfFailed, traceOutputPath, verifyConverted } from '../api.js';
import { MlxOnnxError, asMlxOnnxError } from '../errors.js';
import type { CastDType, ConvertOptions, ConvertReport, Target } from '../types.js';
import { dynamicDim, exitCode, fail, integer, interrupt, names, positiveNumber, traceArg } from './common.js';
import { printConvertReport } from './format.js';
import { Progress } from './progress.js';

interface Job {
  input: string;
  trace: number;
  output: string;
}

// What each input becomes: -o for one input, DIR/<name>.onnx with --out-dir; --trace all
// gives one file per trace.
async function plan(inputs: string[], opts: Record<string, unknown>): Promise<Job[]> {
  const output = opts.output as string | undefined;
  const outDir = opts.outDir as string | undefined;
  if (!output === !outDir) throw new MlxOnnxError('ERR_INVALID_ARGUMENT', 'give either -o FILE (one input) or --out-dir DIR');
  if (output && inputs.length > 1) throw new MlxOnnxError('ERR_INVALID_ARGUMENT', `${inputs.length} inputs need --out-dir DIR, not -o`);
  const jobs: Job[] = [];
  for (const input of inputs) {
    const target = output ?? path.join(outDir!, `${path.basename(input, path.extname(input))}.onnx`);
    const traces = opts.trace === 'all' ? (await inspect(input)).traces.map((_, i) => i) : [opts.trace === 'merge' ? 0 : opts.trace as number];
    for (const trace of traces) jobs.push({ input, trace, output: opts.trace === 'all' ? traceOutputPath(target, trace) : target });
  }
  return jobs;
}

async function run(job: Job, opts: Record<string, unknown>): Promise<ConvertReport> {
  const options: ConvertOptions = {
    trace: job.trace,
    opset: opts.opset as number | undefined,
    target: opts.target as Target,
    externalData: opts.externalData as 'auto' | 'always' | 'never',
    durable: Boolean(opts.durable),
    dtype: opts.dtype as CastDType | undefined,
    inputNames: opts.inputNames as string[] | undefined,
    outputNames: opts.outputNames as string[] | undefined,
    dynamic: opts.dynamic as Record<string, Record<number, string>> | undefined,
    recoverShapes: Boolean(opts.recoverShapes),
    mergeTraces: opts.trace === 'merge',
    signal: interrupt.signal,
  };
  const report = await convert(job.input, job.output, options);
  if (opts.verify) {
    const start = performance.now();
    report.verify = await verifyConverted(job.input, job.output, options, {
      trace: job.trace, seed: opts.seed as number, atol: opts.atol as number | undefined, rtol: opts.rtol as number | undefined,
    });
    report.timings.verifyMs = performance.now() - start;
    report.timings.totalMs += report.timings.verifyMs;
    throwIfFailed(report.verify, report);
  }
  return report;
}

type Outcome = { job: Job; report?: ConvertReport; error?: MlxOnnxError };

// At most `limit` jobs at once; every job runs to its end whatever the others do.
async function pool(jobs: Job[], limit: number, work: (job: Job) => Promise<ConvertReport>, done: () => void): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i]!;
      outcomes[i] = await work(job).then((report) => ({ job, report }), (error) => ({ job, error: asMlxOnnxError(error) }));
      done();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return outcomes;
}

export function addConvertCommand(program: Command, debug: () => boolean): void {
  program
    .command('convert')
    .description('convert .mlxfn files to ONNX: one with -o, a batch with --out-dir')
    .argument('<inputs...>', '.mlxfn files written by mx.export_function')
    .option('-o, --output <file>', 'ONNX file to write (one input)')
    .option('--out-dir <dir>', 'folder for a batch: each input becomes DIR/<name>.onnx')
    .option('--jobs <n>', 'conversions at once in a batch (default: the number of cores)', integer)
    .option('--trace <n|all|merge>', 'which trace of the file to convert; all: one ONNX per trace (OUT.traceN.onnx); merge: one ONNX, dynamic in the input dimensions that differ between traces', traceArg, 0)
    .option('--opset <n>', 'ONNX opset', integer)
    .option('--target <name>', 'standard (any ONNX runtime) | ort (also ONNX Runtime contrib ops) | web (standard, checked against onnxruntime-web)', 'standard')
    .option('--external-data <mode>', 'weights in OUTPUT.data: auto | always | never', 'auto')
    .option('--dtype <type>', 'cast every float value to float16 | bfloat16 | float32 (weights converted as written)')
    .option('--durable', 'sync the output to the disk before exiting (default: atomic rename only, as cp)')
    .option('--input-names <a,b,...>', 'names for the ONNX inputs, in order', names)
    .option('--output-names <a,b,...>', 'names for the ONNX outputs, in order', names)
    .option('--dynamic <input:axis=name>', 'a varying input dimension of a shapeless export, or a name for one that differs between merged traces (repeatable)', dynamicDim)
    .option('--recover-shapes', 'experimental: read reshape sizes baked at their traced values from the input at run time')
    .option('--verify', 'run MLX and ONNX Runtime on the same random inputs and compare')
    .option('--seed <n>', 'seed of the verification inputs', integer, 0)
    .option('--atol <x>', 'absolute tolerance for --verify (default by dtype; with --dtype, that of the cast)', positiveNumber)
    .option('--rtol <x>', 'relative tolerance for --verify (default by dtype; with --dtype, that of the cast)', positiveNumber)
    .option('--json', 'print the report as one JSON object')
    .action(async (inputs: string[], opts) => {
      const json = Boolean(opts.json);
      const jobs = await plan(inputs, opts).catch((e) => fail(e, json, debug()));
      const progress = new Progress(jobs.map((j) => `${path.basename(j.input)}${opts.trace === 'all' ? ` trace ${j.trace}` : ''}`));
      const limit = opts.outDir ? (opts.jobs ?? os.availableParallelism()) : 1;
      const outcomes = await pool(jobs, Math.max(1, limit), (job) => run(job, opts), () => progress.step());
      progress.done();

      const batch = Boolean(opts.outDir) || opts.trace === 'all';
      const failed = outcomes.filter((o) => o.error);
      if (!batch) {
        if (failed[0]) fail(failed[0].error, json, debug());
        if (json) process.stdout.write(JSON.stringify(outcomes[0]!.report, null, 2) + '\n');
        else printConvertReport(outcomes[0]!.report!);
        return;
      }
      if (json) {
        const results = outcomes.map((o) => ({
          input: o.job.input, trace: o.job.trace, output: o.job.output, ok: !o.error,
          ...(o.error ? { error: { code: o.error.code, message: o.error.message } } : { report: o.report }),
        }));
        process.stdout.write(JSON.stringify({ results, passed: jobs.length - failed.length, failed: failed.length }, null, 2) + '\n');
      } else {
        for (const o of outcomes) {
          if (o.report) printConvertReport(o.report);
          else process.stderr.write(`mlx-onnx: ${o.job.input}: ${o.error!.code}: ${o.error!.message}\n`);
        }
        process.stdout.write(`${jobs.length - failed.length} converted, ${failed.length} failed\n`);
      }
      if (failed.length > 0) {
        // Verification failures alone exit 3; any other failure exits as that error does.
        const codes = failed.map((o) => exitCode(o.error!.code));
        process.exit(codes.every((c) => c === codes[0]) ? codes[0]! : exitCode('ERR_INTERNAL'));
      }
    });
}
