#!/usr/bin/env node
// mlx-onnx command line: convert, export-model, inspect, ops. Exit codes: 0 ok, 1 usage,
// 2 bad or unsupported input (or any other failure), 3 verification outside tolerance,
// 130 interrupted.
import { Command, CommanderError } from 'commander';
import { inspect, ops, versions } from '../api.js';
import { MlxOnnxError } from '../errors.js';
import { EXIT_USAGE, fail } from './common.js';
import { addConvertCommand } from './convert-command.js';
import { addExportModelCommand } from './export-model.js';
import { printFileInfo, printOps } from './format.js';

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

addConvertCommand(program, debug);
addExportModelCommand(program, debug);

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
