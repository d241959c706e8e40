// The element types an ONNX model uses (TensorProto.DataType numbers), read by the
// official onnx package: inputs, outputs, initializers, Cast targets and Constant values.
import { execFileSync } from 'node:child_process';
import { PYTHON } from './paths.js';

export const DOUBLE = 11;

const SCRIPT = `
import onnx, sys
g = onnx.load(sys.argv[1]).graph
types = {v.type.tensor_type.elem_type for v in list(g.input) + list(g.output)}
types |= {t.data_type for t in g.initializer}
for n in g.node:
    for a in n.attribute:
        if n.op_type == 'Cast' and a.name == 'to': types.add(a.i)
        if a.type == onnx.AttributeProto.TENSOR: types.add(a.t.data_type)
print(','.join(str(t) for t in sorted(types)))
`;

export function onnxElementTypes(file: string): number[] {
  return execFileSync(PYTHON, ['-c', SCRIPT, file], { encoding: 'utf8' }).trim().split(',').map(Number);
}
