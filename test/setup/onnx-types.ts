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

const NODE_TYPES = `
import json, onnx, sys
m = onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]))
g = m.graph
types = {v.name: v.type.tensor_type.elem_type for v in list(g.input) + list(g.output) + list(g.value_info)}
types.update({t.name: t.data_type for t in g.initializer})
print(json.dumps({n.name: [types.get(v, 0) for v in list(n.output) + list(n.input) if v] for n in g.node}))
`;

/** The element types of each node's outputs and inputs, by node name, from onnx's shape inference. */
export function onnxNodeTypes(file: string): Record<string, number[]> {
  return JSON.parse(execFileSync(PYTHON, ['-c', NODE_TYPES, file], { encoding: 'utf8' }));
}
