"""mlx-lm's greedy replies of a chat model folder, in float32 (export-model's default dtype):
each question in the folder's chat template, the prompt in one step, then one token per
step with mlx-lm's own cache, up to STEPS tokens or the end-of-turn token.

usage: chat_reference.py MODEL_DIR STEPS QUESTION...
prints [{"prompt": [id, ...], "tokens": [id, ...], "eos": id, "text": "..."}, ...]"""
import json
import sys

import mlx.core as mx
import mlx_lm
from mlx_lm.models.cache import make_prompt_cache


def main(folder, steps, questions):
    model, tokenizer = mlx_lm.load(folder)
    model.set_dtype(mx.float32)
    eos = tokenizer.eos_token_id
    replies = []
    for question in questions:
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True)
        cache = make_prompt_cache(model)
        logits = model(mx.array([prompt]), cache=cache)
        tokens = []
        while len(tokens) < steps:
            token = mx.argmax(logits[0, -1]).item()
            if token == eos:
                break
            tokens.append(token)
            logits = model(mx.array([[token]]), cache=cache)
        replies.append({"prompt": prompt, "tokens": tokens, "eos": eos, "text": tokenizer.decode(tokens)})
    print(json.dumps(replies))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
