"""Outputs of model folders for token ids, through mlx-lm's own loader (BERT folders:
bert_reference.BertModel with all tokens valid and token type 0).

usage: mlx_lm_reference.py JSON   with JSON [{"dir": MODEL_DIR, "ids": [[id, ...], ...]}, ...]
prints [{"shape": [...], "values": [...flat float32...]}, ...]"""
import json
import sys
from pathlib import Path

import mlx.core as mx


def run(model_dir, ids):
    config = json.loads((model_dir / "config.json").read_text())
    if config["model_type"] == "bert":
        sys.path.insert(0, str(Path(__file__).parent))
        import bert_reference

        model = bert_reference.BertModel(config)
        model.load_weights(str(model_dir / "model.safetensors"))
        return model(ids, mx.ones_like(ids), mx.zeros_like(ids))
    from mlx_lm.utils import load_model

    model, _ = load_model(model_dir)
    return model(ids)


results = []
for job in json.loads(sys.argv[1]):
    out = run(Path(job["dir"]), mx.array(job["ids"])).astype(mx.float32)
    results.append({"shape": out.shape, "values": out.flatten().tolist()})
print(json.dumps(results))
