// Shared pieces of the CLI commands: argument parsers, exit codes, error reporting, and
// the Ctrl-C handling that stops running conversions cleanly.
import { InvalidArgumentError } from 'commander';
import { asMlxOnnxError } from '../errors.js';

export const EXIT_USAGE = 1;
export const EXIT_INPUT = 2;
export const EXIT_VERIFY = 3;
export const EXIT_INTERRUPTED = 130;

// Ctrl-C stops a running conversion cleanly (no output, no temporary file).
export const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

export function traceArg(value: string): number | 'all' | 'merge' {
  return value === 'all' || value === 'merge' ? value : integer(value);
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

// --dynamic input:axis=name, repeatable
export function dynamicDim(value: string, previous: Record<string, Record<number, string>> = {}) {
  const match = /^(.+):(-?\d+)=(.+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected INPUT:AXIS=NAME, e.g. input_ids:1=sequence');
  const [, input, axis, name] = match;
  return { ...previous, [input!]: { ...previous[input!], [Number(axis)]: name! } };
}

export function names(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

/** The exit code for an error: 3 verification, 1 usage, 130 interrupted, else 2. */
export function exitCode(code: string): number {
  const exits: Partial<Record<string, number>> = { ERR_VERIFY: EXIT_VERIFY, ERR_INVALID_ARGUMENT: EXIT_USAGE, ERR_ABORTED: EXIT_INTERRUPTED };
  return exits[code] ?? EXIT_INPUT;
}

/** Reports an error (one line on stderr; the stack with --debug; JSON too with --json) and exits. */
export function fail(error: unknown, json: boolean, debug: boolean): never {
  const err = asMlxOnnxError(error);
  if (json) {
    const report = (error as { report?: unknown }).report;
    process.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message }, ...(report ? { report } : {}) }, null, 2) + '\n');
  }
  process.stderr.write(`mlx-onnx: ${err.code}: ${err.message}\n`);
  if (debug && err.stack) process.stderr.write(err.stack + '\n');
  process.exit(exitCode(err.code));
}

