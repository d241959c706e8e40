// Bad input gets a clear error with a stable code, never a crash, and leaves no file.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlxOnnxError, convert, inspect } from '../dist/index.js';
import { fixture } from './setup/fixtures-manifest.js';
import { PYTHON, ROOT } from './setup/paths.js';

function workDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'mlx-onnx-errors-'));
}

async function conversionError(input: string, dir: string, options = {}): Promise<MlxOnnxError> {
  const error = await convert(input, path.join(dir, 'out.onnx'), options).then(
    () => { throw new Error('conversion succeeded'); },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MlxOnnxError);
  expect(readdirSync(dir).filter((f) => f !== path.basename(input))).toEqual([]);
  return error as MlxOnnxError;
}

describe('invalid .mlxfn files', () => {
  const valid = readFileSync(fixture('valid.mlxfn'));

  it('a file truncated anywhere gives ERR_INVALID_INPUT and leaves no output', async () => {
    const dir = workDir();
    const input = path.join(dir, 'cut.mlxfn');
    for (const length of [0, 5, 14, 30, 100, Math.floor(valid.length / 2), valid.length - 1]) {
      writeFileSync(input, valid.subarray(0, length));
      const error = await conversionError(input, dir);
      expect(error.code, `cut at ${length}`).toBe('ERR_INVALID_INPUT');
      expect(error.message).toContain(input);
    }
  });

  it('random bytes give ERR_INVALID_INPUT naming the byte offset', async () => {
    const dir = workDir();
    const input = path.join(dir, 'random.mlxfn');
    let state = 7;
    for (let trial = 0; trial < 20; trial++) {
      const bytes = Buffer.alloc(64 + trial * 37);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (state = (state * 1103515245 + 12345) & 0x7fffffff) >> 16;
      writeFileSync(input, bytes);
      const error = await conversionError(input, dir);
      expect(error.code).toBe('ERR_INVALID_INPUT');
      expect(error.message).toMatch(/at byte \d+/);
    }
  });

  it('a file from another MLX version is refused with the version it names', async () => {
    const dir = workDir();
    const input = path.join(dir, 'old.mlxfn');
    const bytes = Buffer.from(valid);
    bytes.write('0.31.4', 8, 'latin1'); // the version string follows its 8-byte length
    writeFileSync(input, bytes);
    const error = await conversionError(input, dir);
    expect(error.code).toBe('ERR_INVALID_INPUT');
    expect(error.message).toContain("written by MLX '0.31.4'");
  });

  it('trailing bytes after the last trace are an error', async () => {
    const dir = workDir();
    const input = path.join(dir, 'trailing.mlxfn');
    writeFileSync(input, Buffer.concat([valid, Buffer.from([1, 2, 3])]));
    const error = await conversionError(input, dir);
    expect(error.message).toContain('3 unexpected bytes after the last trace');
  });
});

describe('regressions found by the fuzzers (test/fixtures/regressions)', () => {
  const regression = (name: string) => path.join(ROOT, 'test', 'fixtures', 'regressions', `${name}.mlxfn`);
  const TABLE = 'would have more than 16777216 elements';
  // Each was a heap overflow, an unbounded allocation or undefined behaviour in lowering.
  const cases: [string, string][] = [
    ['gather_axis_out_of_range', 'Gather: axis 96 is out of range for rank 3'],
    ['scatter_axis_out_of_range', 'Scatter: axis 8 is out of range for rank 2'],
    ['dynamic_slice_axis_out_of_range', 'DynamicSlice: axis 262144 is out of range for rank 2'],
    ['dynamic_slice_update_axis_out_of_range', 'DynamicSliceUpdate: axis 33792 is out of range for rank 2'],
    ['slice_update_zero_stride', 'SliceUpdate: start 0 or stride 0 is out of range on axis 2'],
    ['as_strided_negative_shape', 'AsStrided: the index table has a negative size -3'],
    ['as_strided_huge_index_table', `AsStrided: the index table ${TABLE}`],
    ['scatter_huge_index_table', `Scatter: the block index table ${TABLE}`],
    ['slice_update_huge_index_table', `SliceUpdate: the block index table ${TABLE}`],
    ['dynamic_slice_update_huge_index_table', `DynamicSliceUpdate: the block index table ${TABLE}`],
    ['rope_huge_position_table', `RoPE: the position table ${TABLE}`],
    ['sdpa_huge_causal_mask', `ScaledDotProductAttention: the causal mask's position tables ${TABLE}`],
    ['random_bits_huge_counter_table', `RandomBits: the counter table ${TABLE}`],
    ['block_masked_mm_huge_index_tables', `BlockMaskedMM: the block index table ${TABLE}`],
    ['rope_missing_operand', 'RoPE: the node has fewer operands, results or parameters than the primitive takes'],
    ['remainder_one_operand', 'Remainder: the primitive takes 2 operand(s), the node has 1'],
  ];
  it.each(cases)('%s is ERR_INVALID_INPUT and writes nothing', async (name, message) => {
    const error = await conversionError(regression(name), workDir());
    expect(error.code).toBe('ERR_INVALID_INPUT');
    expect(error.message).toBe(message);
  });

  it('a shape with more than 2^48 elements is refused by the reader, naming the byte', async () => {
    const input = regression('shape_element_count_overflow');
    const error = await conversionError(input, workDir());
    expect(error.code).toBe('ERR_INVALID_INPUT');
    expect(error.message).toBe(`${input}: shape has more than 2^48 elements (at byte 128)`);
  });

  it('the constants built from shapes are bounded per graph as well as each', async () => {
    // Five AsStrided views of 16M elements each: every table is within 2^24, all five are not.
    const dir = workDir();
    const input = path.join(dir, 'views.mlxfn');
    execFileSync(PYTHON, ['-c', [
      'import sys, mlx.core as mx',
      'mx.set_default_device(mx.cpu)',
      'f = lambda x: [mx.as_strided(x + i, (4000, 4000), (0, 1)) for i in range(5)]',
      'mx.export_function(sys.argv[1], f, mx.ones((4000,)))',
    ].join('\n'), input]);
    const error = await conversionError(input, dir);
    expect(error.code).toBe('ERR_INVALID_INPUT');
    expect(error.message).toBe('AsStrided: the index table would take the constants built for the graph past 67108864 elements');
  });

  it('an integer scalar beyond its dtype\'s range saturates instead of overflowing a cast', async () => {
    const out = path.join(workDir(), 'out.onnx');
    const result = await convert(regression('integer_scalar_out_of_range'), out);
    expect(result.files[0]!.path).toBe(out);
  });
});

describe('unsupported primitives', () => {
  it('lists every unsupported primitive with its count and reason, and writes nothing', async () => {
    const dir = workDir();
    const error = await conversionError(fixture('unsupported.mlxfn'), dir);
    expect(error.code).toBe('ERR_UNSUPPORTED_OP');
    expect(error.message).toContain('no ONNX lowering for 2 MLX primitives');
    expect(error.message).toContain('Cholesky (x1: linear-algebra factorization: no ONNX operator)');
    expect(error.message).toContain('FFT (x2:');
  });

  it('inspect reports them without failing', async () => {
    const info = await inspect(fixture('unsupported.mlxfn'));
    expect(info.traces[0]!.unsupportedOps).toEqual({ Cholesky: 1, FFT: 2 });
  });
});

describe('bad arguments and files', () => {
  it('a missing input file is ERR_IO', async () => {
    const error = await convert('/nonexistent/x.mlxfn', path.join(workDir(), 'o.onnx')).catch((e) => e);
    expect(error.code).toBe('ERR_IO');
    expect(error.message).toBe('input file /nonexistent/x.mlxfn does not exist');
  });

  it('an output folder that does not exist is ERR_IO', async () => {
    const error = await convert(fixture('valid.mlxfn'), '/nonexistent/dir/o.onnx').catch((e) => e);
    expect(error.code).toBe('ERR_IO');
    expect(error.message).toBe('output folder /nonexistent/dir does not exist');
  });

  it('a trace index past the end is ERR_INVALID_ARGUMENT', async () => {
    const dir = workDir();
    const error = await convert(fixture('two_traces.mlxfn'), path.join(dir, 'o.onnx'), { trace: 2 }).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('trace 2 does not exist');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an opset outside 18..23 is ERR_INVALID_ARGUMENT', async () => {
    const error = await convert(fixture('valid.mlxfn'), path.join(workDir(), 'o.onnx'), { opset: 12 }).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe('opset 12 is not supported (18 to 23)');
  });

  it('the wrong number of input names is ERR_INVALID_ARGUMENT', async () => {
    const error = await convert(fixture('valid.mlxfn'), path.join(workDir(), 'o.onnx'), { inputNames: ['a', 'b'] }).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe('got 2 input names for 1 inputs');
  });

  it('a bad externalData mode is ERR_INVALID_ARGUMENT', async () => {
    const error = await convert(fixture('valid.mlxfn'), path.join(workDir(), 'o.onnx'), { externalData: 'sometimes' as never }).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('a durable flag that is not a boolean is ERR_INVALID_ARGUMENT', async () => {
    const error = await convert(fixture('valid.mlxfn'), path.join(workDir(), 'o.onnx'), { durable: 'yes' as never }).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe('durable must be a boolean');
  });
});
