/** Stable error codes: every error this package throws carries one as `code`. */
export type ErrorCode =
  | 'ERR_INVALID_INPUT'
  | 'ERR_UNSUPPORTED_OP'
  | 'ERR_IO'
  | 'ERR_VERIFY'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_NATIVE_LOAD'
  | 'ERR_ABORTED'
  | 'ERR_INTERNAL';

export class MlxOnnxError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MlxOnnxError';
    this.code = code;
  }
}

const KNOWN_CODES = new Set<string>([
  'ERR_INVALID_INPUT', 'ERR_UNSUPPORTED_OP', 'ERR_IO', 'ERR_VERIFY', 'ERR_INVALID_ARGUMENT',
  'ERR_NATIVE_LOAD', 'ERR_ABORTED', 'ERR_INTERNAL',
]);

/** Gives errors from the addon (plain Errors with a `code`) this package's error class. */
export function asMlxOnnxError(error: unknown): MlxOnnxError {
  if (error instanceof MlxOnnxError) return error;
  const err = error as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' && KNOWN_CODES.has(err.code) ? (err.code as ErrorCode) : 'ERR_INTERNAL';
  return new MlxOnnxError(code, String(err?.message ?? error), { cause: error });
}

export function invalidArgument(message: string): MlxOnnxError {
  return new MlxOnnxError('ERR_INVALID_ARGUMENT', message);
}
