// `npm install` entry: a prebuilt addon for this platform (prebuilds/<platform>-<arch>/)
// is used as is; otherwise the addon is built from source, which needs a C++20
// compiler, CMake and MLX 0.32 (found or installed by find-mlx.mjs).
import { createRequire } from 'node:module';
import { ROOT } from './python-env.mjs';

const require = createRequire(import.meta.url);
function prebuiltPath() {
  try {
    const found = require('node-gyp-build').path(ROOT);
    return found.includes(`${'/'}prebuilds${'/'}`) ? found : null;
  } catch {
    return null;
  }
}

const prebuilt = process.env.MLX_ONNX_BUILD_FROM_SOURCE ? null : prebuiltPath();
if (prebuilt) {
  console.error(`mlx-onnx: using the prebuilt addon ${prebuilt}`);
} else {
  const { buildNative } = await import('./build-native.mjs');
  buildNative();
}
