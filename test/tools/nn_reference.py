"""mlx.nn reference outputs for test/nn.test.ts.

  nn_reference.py layers DIR      DIR/cases.json lists layers; for each case NAME,
      DIR/NAME.safetensors holds `param.<name>` weights and `input.<i>` inputs written by
      TypeScript. The mlx.nn layer is built, loads the weights strictly (names and shapes
      must match mlx.nn's), runs, and its output goes to DIR/NAME.out.safetensors.
  nn_reference.py checkpoint DIR  writes an mlx-lm style quantized checkpoint of TinyModel
      (config.json with per-layer quantization, two shards and their index), an input and
      the model's output (reference.safetensors).
"""

import json
import sys
from pathlib import Path

import mlx.core as mx
import mlx.nn as nn


def build(case):
    a = case["args"]
    kind = case["layer"]
    if kind == "QuantizedLinear":
        return nn.QuantizedLinear(a["input_dims"], a["output_dims"], a["bias"], a["group_size"], a["bits"], mode=a["mode"])
    if kind == "QuantizedEmbedding":
        return nn.QuantizedEmbedding(a["count"], a["dims"], a["group_size"], a["bits"], mode=a["mode"])
    if kind == "RoPE":
        return nn.RoPE(a["dims"], traditional=a["traditional"], base=a["base"], scale=a["scale"])
    if kind == "MultiHeadAttention":
        return nn.MultiHeadAttention(a["dims"], a["num_heads"], **a.get("extra", {}))
    if kind == "Conv1d":
        return nn.Conv1d(a["in"], a["out"], a["kernel"], a["stride"], a["padding"], a["dilation"], a["groups"], a["bias"])
    if kind == "Conv2d":
        return nn.Conv2d(a["in"], a["out"], tuple(a["kernel"]), tuple(a["stride"]), tuple(a["padding"]),
                         tuple(a["dilation"]), a["groups"], a["bias"])
    if kind == "QuantizedLinear.from_linear":
        return nn.Linear(a["input_dims"], a["output_dims"], a["bias"])
    if kind == "TinyModel":
        model = TinyModel(a["vocab"], a["dims"])
        nn.quantize(model, a["group_size"], a["bits"], class_predicate=lambda p, m: hasattr(m, "to_quantized") and p != "head")
        return model
    raise ValueError(f"unknown layer {kind}")


def run(case, layer, inputs):
    kind = case["layer"]
    if kind == "QuantizedLinear.from_linear":
        # The quantized parameters themselves are the output: TS must pack them identically.
        q = nn.QuantizedLinear.from_linear(layer, case["args"]["group_size"], case["args"]["bits"])
        return dict(nn.utils.tree_flatten(q.parameters()))
    if kind == "QuantizedEmbedding" and case.get("call") == "as_linear":
        return {"output": layer.as_linear(inputs[0])}
    if kind == "RoPE":
        return {"output": layer(inputs[0], offset=case.get("offset", 0))}
    if kind == "MultiHeadAttention":
        mask = case.get("mask")
        if mask == "input":
            mask = inputs[3]
        return {"output": layer(inputs[0], inputs[1], inputs[2], mask=mask)}
    return {"output": layer(*inputs)}


class TinyModel(nn.Module):
    """An embedding, two linear layers and an untied head: the module tree quantize() walks."""

    def __init__(self, vocab, dims):
        super().__init__()
        self.embed = nn.Embedding(vocab, dims)
        self.layers = [nn.Linear(dims, dims), nn.Linear(dims, dims, bias=False)]
        self.head = nn.Linear(dims, vocab)

    def __call__(self, ids):
        h = self.embed(ids)
        for layer in self.layers:
            h = nn.silu(layer(h))
        return self.head(h) + self.embed.as_linear(h)


def layers(out_dir):
    for case in json.loads((out_dir / "cases.json").read_text()):
        tensors = mx.load(str(out_dir / f"{case['name']}.safetensors"))
        params = [(k[len("param."):], v) for k, v in tensors.items() if k.startswith("param.")]
        inputs = [tensors[f"input.{i}"] for i in range(sum(k.startswith("input.") for k in tensors))]
        layer = build(case)
        layer.load_weights(params, strict=True)
        outputs = run(case, layer, inputs)
        mx.save_safetensors(str(out_dir / f"{case['name']}.out.safetensors"), outputs)


def checkpoint(out_dir):
    mx.random.seed(7)
    vocab, dims = 96, 64
    model = TinyModel(vocab, dims)
    # mlx-lm's mixed quantization: defaults, one layer with its own settings, the head in float.
    quantization = {"group_size": 32, "bits": 4, "layers.1": {"group_size": 64, "bits": 8}, "head": False}

    def predicate(path, module):
        if path in quantization:
            return quantization[path]
        return hasattr(module, "to_quantized")

    nn.quantize(model, 32, 4, class_predicate=predicate)
    weights = dict(nn.utils.tree_flatten(model.parameters()))
    names = sorted(weights)
    shards = {"model-00001-of-00002.safetensors": names[: len(names) // 2],
              "model-00002-of-00002.safetensors": names[len(names) // 2:]}
    weight_map = {}
    for shard, shard_names in shards.items():
        mx.save_safetensors(str(out_dir / shard), {n: weights[n] for n in shard_names}, metadata={"format": "mlx"})
        weight_map.update({n: shard for n in shard_names})
    (out_dir / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    (out_dir / "config.json").write_text(json.dumps({"vocab_size": vocab, "hidden_size": dims, "quantization": quantization}))
    ids = mx.array([[1, 5, 9, 95, 0, 42]], dtype=mx.int32)
    mx.save_safetensors(str(out_dir / "reference.safetensors"), {"ids": ids, "logits": model(ids)})


if __name__ == "__main__":
    {"layers": layers, "checkpoint": checkpoint}[sys.argv[1]](Path(sys.argv[2]))
