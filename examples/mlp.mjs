// A model written in TypeScript/JavaScript with mx and nn, run by MLX, exported to ONNX
// and verified against MLX: node examples/mlp.mjs
import { mkdirSync } from 'node:fs';
import { mx, nn } from '../dist/index.js';

class Mlp extends nn.Module {
  up = new nn.Linear(16, 64);
  down = new nn.Linear(64, 4);
  forward(x) {
    return this.down.forward(nn.silu(this.up.forward(x)));
  }
}

const model = new Mlp();
mx.eval(...Object.values(model.parameters()));
const x = mx.random.normal([8, 16], { key: mx.random.key(0) });
console.log('MLX output shape:', model.forward(x).shape);

const traced = mx.trace((x) => model.forward(x), [{ shape: [8, 16] }]);
mkdirSync('examples/out', { recursive: true });
const report = await traced.toOnnx('examples/out/mlp.onnx', { verify: true });
console.log(`ONNX: ${report.nodeCount} nodes, verify ${report.verify.pass ? 'pass' : 'FAIL'}, max abs error ${report.verify.outputs[0].maxAbsError}`);
