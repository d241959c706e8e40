import { convert, readSafetensors } from './dist/index.js';
import * as ort from 'onnxruntime-node';
const [name, opt] = process.argv.slice(2);
const r = await convert(`/tmp/se/${name}.mlxfn`, `/tmp/se/${name}.onnx`, opt === 'merge' ? { mergeTraces: true } : opt === 'recover' ? { recoverShapes: true } : {});
console.log(r.warnings, r.nodeCount, JSON.stringify(r.onnxOpHistogram ?? r.onnx?.opHistogram ?? {}));
const refs = await readSafetensors(`/tmp/se/${name.replace('_traces','')}.safetensors`);
const t = (a) => a.dtype === 'int32' ? new ort.Tensor('int32', new Int32Array(new Uint8Array(a.data).buffer), a.shape) : new ort.Tensor('float32', new Float32Array(new Uint8Array(a.data).buffer), a.shape);
const s = await ort.InferenceSession.create(`/tmp/se/${name}.onnx`);
for (const k of [1, 2, 3]) {
  const x = refs[`input_${k}`], y = refs[`output_${k}`];
  try {
    const o = (await s.run({ [s.inputNames[0]]: t(x) }))[s.outputNames[0]];
    const yd = new Float32Array(new Uint8Array(y.data).buffer);
    let m = 0; for (let i = 0; i < yd.length; i++) m = Math.max(m, Math.abs(o.data[i] - yd[i]));
    console.log(name, x.shape, 'maxdiff', m, o.dims);
  } catch (e) { console.log(name, x.shape, 'FAIL', e.message.slice(0, 150)); }
}
