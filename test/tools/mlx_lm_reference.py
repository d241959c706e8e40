"""Logits of an mlx-lm model folder for token ids, through mlx-lm's own loader.

usage: mlx_lm_reference.py MODEL_DIR IDS_JSON  (IDS_JSON: [[id, ...], ...])
prints {"shape": [...], "logits": [...flat...]}; for BERT folders the output of
bert_reference.BertModel (all tokens valid, token type 0)."""
import json
import sys
from pathlib import Path

import mlx.core as mx

model_dir, ids = Path(sys.argv[1]), mx.array(json.loads(sys.argv[2]))
config = json.loads((model_dir / "config.json").read_text())
if config["model_type"] == "bert":
    sys.path.insert(0, str(Path(__file__).parent))
    import bert_reference

    model = bert_reference.BertModel(config)
    model.load_weights(str(model_dir / "model.safetensors"))
    out = model(ids, mx.ones_like(ids), mx.zeros_like(ids))
else:
    from mlx_lm.utils import load_model

    model, _ = load_model(model_dir)
    out = model(ids)
out = out.astype(mx.float32)
print(json.dumps({"shape": out.shape, "logits": out.flatten().tolist()}))
