// npm run fuzz -- [--seconds N]: builds the libFuzzer targets with clang (ASan + UBSan)
// and runs each for N seconds (default 60) on a corpus seeded with real MLX exports.
// Crashes are written to build-fuzz/crashes/ and fail the run.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, venvPython } from './python-env.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--seconds');
const seconds = at >= 0 ? Number(args[at + 1]) : 60;
const build = path.join(ROOT, 'build-fuzz');
const run = (cmd, argv, options = {}) => execFileSync(cmd, argv, { stdio: 'inherit', ...options });

run('cmake', ['-S', ROOT, '-B', build, '-DMLX_ONNX_FUZZ=ON', '-DCMAKE_CXX_COMPILER=clang++', '-DCMAKE_BUILD_TYPE=RelWithDebInfo']);
run('cmake', ['--build', build, '--parallel', '2']);

// Seeds: files MLX wrote (the bundled example and the test suite's file fixtures).
const seeds = path.join(build, 'seeds');
if (!existsSync(seeds)) {
  mkdirSync(seeds, { recursive: true });
  run(venvPython(), [path.join(ROOT, 'test', 'fixtures', 'make_file_fixtures.py'), seeds]);
  copyFileSync(path.join(ROOT, 'examples', 'transformer_block.mlxfn'), path.join(seeds, 'transformer_block.mlxfn'));
}
const corpus = path.join(build, 'corpus');
const crashes = path.join(build, 'crashes');
mkdirSync(corpus, { recursive: true });
mkdirSync(crashes, { recursive: true });
console.error(`fuzzing the .mlxfn reader for ${seconds} s (${readdirSync(seeds).length} seeds)`);
run(path.join(build, 'mlxfn_reader_fuzzer'), [
  `-max_total_time=${seconds}`, `-artifact_prefix=${crashes}/`, '-max_len=1048576', '-rss_limit_mb=2048',
  corpus, seeds,
]);
