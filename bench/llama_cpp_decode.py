"""llama.cpp's decode speed on a GGUF file, through llama-cpp-python, as the decode bench
measures the others: the prompt in one eval, then greedy steps of one token with its KV
cache, two CPU threads; the second of two passes. Prints {"prefillMs", "decodeMs"} (medians).

usage: llama_cpp_decode.py GGUF PROMPT STEPS
"""
import json
import sys
import time

import numpy as np
from llama_cpp import Llama

gguf, prompt_len, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# Logits of every position, as the exported decoders return them (and what reading the last
# one takes here).
llm = Llama(model_path=gguf, n_ctx=prompt_len + steps + 8, n_batch=prompt_len, n_threads=2, n_threads_batch=2,
            logits_all=True, verbose=False)
prompt = [(i * 37) % 1000 + 1 for i in range(prompt_len)]


def run():
    llm.reset()
    start = time.perf_counter()
    llm.eval(prompt)
    prefill = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(steps):
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        start = time.perf_counter()
        llm.eval([token])
        times.append((time.perf_counter() - start) * 1000)
    return prefill, sorted(times)[len(times) // 2]


run()
prefill, decode = run()
print(json.dumps({"prefillMs": prefill, "decodeMs": decode}))
