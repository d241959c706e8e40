"""Minimal ONNX models for two bugs of onnxruntime-web 1.30's JSEP WebGPU provider (ort.min.mjs).

usage: .venv/bin/python scripts/webgpu-repro/make_models.py <out-dir>

Writes <name>.onnx and <name>.json (the inputs to feed: {input: {type, dims, data}}) for
  bug1_gather               JSEP: both Gathers read the same index tensor (write-after-read hazard)
  bug1_gather_sizes_differ  the same with inputs of different sizes: right
  bug2_slice_all_axes       JSEP: session.run fails ("Can't perform binary op") - Slice lists all axes
  bug2_slice_one_axis       the same graph with the Slice listing only the sliced axis: right
  bug2_slice_axes_1_0       JSEP: one Slice whose axes are not ascending gives a wrong shape
  bug2_slice_axes_0_1       the same slice with ascending axes: right
docs/webgpu.md describes them; scripts/webgpu-repro/run.mjs runs them.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

node = helper.make_node


def save(out, name, nodes, feeds, outputs, initializers):
    """Writes name.onnx (opset 17, float outputs, shapes inferred) and name.json (feeds); prints name."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(k, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape) for k, v in feeds.items()],
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, None) for k in outputs],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])
    model.ir_version = 8
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(out, name + '.onnx'))
    print(name)
    with open(os.path.join(out, name + '.json'), 'w') as f:
        json.dump({k: {'type': str(v.dtype), 'dims': list(v.shape), 'data': v.ravel().tolist()}
                   for k, v in feeds.items()}, f)


def bug1(out, name, b_size):
    """Two int64 inputs, each through Add(x, 0) into its own Gather of a float table.

    JSEP has no int64 Add, so ORT runs both Adds on the CPU and copies each result to the GPU
    right before its Gather. On JSEP both copies land in the same GPU buffer
    (ORT's memory planner reuses it: the first Gather is its last reader) and both Gathers read
    whichever index tensor was copied last. With b_size != 4 the two copies cannot share a
    buffer and the results are right.
    """
    nodes = [
        node('Add', ['a', 'zero'], ['a1']),
        node('Add', ['b', 'zero'], ['b1']),
        node('Gather', ['table', 'a1'], ['ya']),
        node('Gather', ['table', 'b1'], ['yb']),
    ]
    feeds = {'a': np.array([0, 1, 2, 3], np.int64), 'b': np.arange(4, 4 + b_size, dtype=np.int64)}
    table = np.arange(10, dtype=np.float32) * 10  # table[i] = 10 i: ya = [0 10 20 30], yb = [40 50 60 70]
    save(out, name, nodes, feeds, ['ya', 'yb'], {'table': table, 'zero': np.array(0, np.int64)})


def bug2_transpose_slice(out, name, all_axes):
    """Transpose(0,2,1,3) -> Slice of the last axis -> Mul -> Transpose(0,2,1,3), x: [1,7,2,16].

    The rotary-embedding pattern cut down. With the Slice listing all four axes (starts
    [0,0,0,0], ends [1,2,7,8], axes [0,1,2,3]) ORT's transpose optimizer pushes the first
    Transpose through the Slice, rewriting its axes to [0,2,1,3]; JSEP's Slice kernel reads
    starts/ends as if axes were ascending, gives [1,2,7,8] instead of [1,7,2,8], and the Mul
    fails ("Can't perform binary op on the given tensors"). With axes [3] the rewritten axes
    stay [3] and the graph runs right.
    """
    x = (np.arange(1 * 7 * 2 * 16, dtype=np.float32).reshape(1, 7, 2, 16) % 13) / 4 - 1
    axes = [0, 1, 2, 3] if all_axes else [3]
    starts, ends = ([0, 0, 0, 0], [1, 2, 7, 8]) if all_axes else ([0], [8])
    nodes = [
        node('Transpose', ['x'], ['t'], perm=[0, 2, 1, 3]),  # [1,2,7,16]
        node('Slice', ['t', 'starts', 'ends', 'axes'], ['s']),  # [1,2,7,8]
        node('Mul', ['s', 'c'], ['m']),  # c: [7,8]
        node('Transpose', ['m'], ['y'], perm=[0, 2, 1, 3]),  # [1,7,2,8]
    ]
    c = np.arange(7 * 8, dtype=np.float32).reshape(7, 8) / 56
    save(out, name, nodes, {'x': x}, ['y'], {
        'starts': np.array(starts, np.int64), 'ends': np.array(ends, np.int64), 'axes': np.array(axes, np.int64), 'c': c})


def bug2_slice(out, name, axes, starts, ends):
    """One Slice of x [3,4]: rows 0..2, columns 0..1 -> y [3,2], the axes in the given order.

    JSEP's Slice kernel takes starts/ends by axis number rather than by position in `axes`;
    with axes [1,0] it gives a [2,3] result (x[0:2, 0:3]). The kernel underneath bug 2.
    """
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    nodes = [node('Slice', ['x', 'starts', 'ends', 'axes'], ['y'])]
    save(out, name, nodes, {'x': x}, ['y'], {
        'starts': np.array(starts, np.int64), 'ends': np.array(ends, np.int64), 'axes': np.array(axes, np.int64)})


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    bug1(out, 'bug1_gather', b_size=4)  # wrong on JSEP
    bug1(out, 'bug1_gather_sizes_differ', b_size=5)  # control: right
    bug2_transpose_slice(out, 'bug2_slice_all_axes', all_axes=True)  # fails on JSEP
    bug2_transpose_slice(out, 'bug2_slice_one_axis', all_axes=False)  # the fixed twin: right
    bug2_slice(out, 'bug2_slice_axes_1_0', axes=[1, 0], starts=[0, 0], ends=[2, 3])  # wrong on JSEP
    bug2_slice(out, 'bug2_slice_axes_0_1', axes=[0, 1], starts=[0, 0], ends=[3, 2])  # the same slice: right


if __name__ == '__main__':
    main()
