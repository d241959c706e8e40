#!/usr/bin/env python3
"""Give a model with bfloat16 inputs and outputs float32 ones, through Cast nodes, so that
onnxruntime-node (which cannot feed or read bfloat16 tensors) can run it. The casts are
exact for values that are bfloat16 already.

usage: widen_io.py IN.onnx OUT.onnx   (external data, if any, stays where IN's is)
Prints {"widened": [names of the inputs and outputs that were bfloat16]}.
"""
import json
import sys

import onnx
from onnx import TensorProto, helper


def widen(graph, values, into_graph):
    names = []
    for v in values:
        if v.type.tensor_type.elem_type != TensorProto.BFLOAT16:
            continue
        names.append(v.name)
        inner = f"{v.name}__bfloat16"
        if into_graph:  # float32 input -> Cast -> the bfloat16 name the graph reads
            for node in graph.node:
                node.input[:] = [inner if i == v.name else i for i in node.input]
            graph.node.insert(0, helper.make_node("Cast", [v.name], [inner], to=TensorProto.BFLOAT16))
        else:  # the graph's bfloat16 result -> Cast -> float32 output of the same name
            for node in graph.node:
                node.output[:] = [inner if o == v.name else o for o in node.output]
                node.input[:] = [inner if i == v.name else i for i in node.input]
            graph.node.append(helper.make_node("Cast", [inner], [v.name], to=TensorProto.FLOAT))
        v.type.tensor_type.elem_type = TensorProto.FLOAT
    return names


def main(source, target):
    model = onnx.load(source, load_external_data=False)
    names = widen(model.graph, model.graph.input, True) + widen(model.graph, model.graph.output, False)
    onnx.save(model, target)
    print(json.dumps({"widened": names}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
