// npm run fuzz -- [--seconds N]: builds the libFuzzer targets with clang (ASan + UBSan)
// and runs each for N seconds (default 60) on a corpus seeded with files MLX wrote: the
// .mlxfn reader, the whole lowering, and the safetensors header check. Crashes go to
// build-fuzz/crashes/ and fail the run.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { findMlx } from './find-mlx.mjs';
import { ROOT, venvPython } from './python-env.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--seconds');
const seconds = at >= 0 ? Number(args[at + 1]) : 60;
const build = path.join(ROOT, 'build-fuzz');
const run = (cmd, argv, options = {}) => execFileSync(cmd, argv, { stdio: 'inherit', ...options });

// MLX's headers only (the converter reads a table from them); nothing links MLX here.
run('cmake', ['-S', ROOT, '-B', build, '-DMLX_ONNX_FUZZ=ON', `-DMLX_DIR=${findMlx().cmakeDir}`,
  '-DCMAKE_CXX_COMPILER=clang++', '-DCMAKE_BUILD_TYPE=RelWithDebInfo']);
run('cmake', ['--build', build, '--parallel', '2']);

// Seeds: files MLX wrote (the bundled example, the test suite's file fixtures and, once
// the tests generated them, the small lowering cases; for safetensors, a few MLX saves).
const seeds = path.join(build, 'seeds');
if (!existsSync(seeds)) {
  mkdirSync(seeds, { recursive: true });
  run(venvPython(), [path.join(ROOT, 'test', 'fixtures', 'make_file_fixtures.py'), seeds]);
  copyFileSync(path.join(ROOT, 'examples', 'transformer_block.mlxfn'), path.join(seeds, 'transformer_block.mlxfn'));
  const cases = path.join(ROOT, 'test', 'fixtures', 'generated');
  for (const name of existsSync(cases) ? readdirSync(cases) : []) {
    const file = path.join(cases, name);
    if (name.endsWith('.mlxfn') && statSync(file).size < 64 << 10) copyFileSync(file, path.join(seeds, name));
  }
}
const safetensorsSeeds = path.join(build, 'seeds-safetensors');
if (!existsSync(safetensorsSeeds)) {
  mkdirSync(safetensorsSeeds, { recursive: true });
  run(venvPython(), [path.join(ROOT, 'test', 'fixtures', 'make_safetensors_seeds.py'), safetensorsSeeds]);
}
const crashes = path.join(build, 'crashes');
mkdirSync(crashes, { recursive: true });
const targets = [
  ['mlxfn_reader_fuzzer', seeds],
  ['lowering_fuzzer', seeds],
  ['safetensors_header_fuzzer', safetensorsSeeds],
];
for (const [target, seedDir] of targets) {
  const corpus = path.join(build, 'corpus', target);
  mkdirSync(corpus, { recursive: true });
  console.error(`fuzzing ${target} for ${seconds} s (${readdirSync(seedDir).length} seeds)`);
  run(path.join(build, target), [
    `-max_total_time=${seconds}`, `-artifact_prefix=${crashes}/${target}-`, '-max_len=1048576',
    '-rss_limit_mb=2048', '-timeout=20', corpus, seedDir,
  ]);
}
