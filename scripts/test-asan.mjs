// npm run test:asan: the addon built with AddressSanitizer (build-asan/), and the tests
// that drive it run with the ASan runtime preloaded into Node. Leak checking covers the
// addon's own allocations; Node, V8, Python and MLX internals are suppressed
// (test/asan/lsan.supp).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './python-env.mjs';

const build = path.join(ROOT, 'build-asan');
execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-native.mjs')], {
  stdio: 'inherit', env: { ...process.env, MLX_ONNX_BUILD_DIR: build, MLX_ONNX_ASAN: '1' },
});
const runtime = execFileSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
const tests = process.argv.slice(2).length ? process.argv.slice(2)
  : ['test/errors.test.ts', 'test/convert.test.ts', 'test/faults.test.ts', 'test/mx.test.ts', 'test/dynamic.test.ts',
    'test/safetensors_header.test.ts'];
execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...tests], {
  stdio: 'inherit',
  env: {
    ...process.env,
    MLX_ONNX_ADDON: path.join(build, 'Release', 'mlx_onnx.node'),
    LD_PRELOAD: runtime,
    ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1:halt_on_error=1',
    LSAN_OPTIONS: `suppressions=${path.join(ROOT, 'test', 'asan', 'lsan.supp')}:print_suppressions=0`,
  },
});
