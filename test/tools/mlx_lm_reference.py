"""Outputs of model folders for token ids, through mlx-lm's own loader (BERT folders:
bert_reference.BertModel with all tokens valid and token type 0), and for decoders the greedy
tokens mlx-lm generates with its own caches (make_prompt_cache: rotating caches for
sliding-window layers): the prompt in one step, then one token per step.

usage: mlx_lm_reference.py JSON
  JSON [{"dir": MODEL_DIR, "ids": [[id, ...], ...], "prompts": [[id, ...], ...], "steps": N}, ...]
  ("prompts" and "steps" optional)
prints [{"shape": [...], "values": [...flat float32...], "tokens": [[id, ...], ...]}, ...]"""
import json
import sys
from pathlib import Path

import mlx.core as mx


def load(model_dir):
    config = json.loads((model_dir / "config.json").read_text())
    if config["model_type"] == "bert":
        sys.path.insert(0, str(Path(__file__).parent))
        import bert_reference

        model = bert_reference.BertModel(config)
        model.load_weights(str(model_dir / "model.safetensors"))
        return lambda ids: model(ids, mx.ones_like(ids), mx.zeros_like(ids)), None
    from mlx_lm.utils import load_model

    model, _ = load_model(model_dir)
    return model, model


def greedy(model, prompt, steps):
    from mlx_lm.models.cache import make_prompt_cache

    cache = make_prompt_cache(model)
    ids, tokens = prompt, []
    while len(tokens) < steps:
        logits = model(mx.array([ids]), cache=cache)
        tokens.append(mx.argmax(logits[0, -1]).item())
        ids = tokens[-1:]
    return tokens


results = []
for job in json.loads(sys.argv[1]):
    forward, decoder = load(Path(job["dir"]))
    out = forward(mx.array(job["ids"])).astype(mx.float32)
    result = {"shape": out.shape, "values": out.flatten().tolist()}
    if decoder is not None and job.get("prompts"):
        result["tokens"] = [greedy(decoder, p, job["steps"]) for p in job["prompts"]]
    results.append(result)
print(json.dumps(results))
