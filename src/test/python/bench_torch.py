"""PyTorch reference timing for `headwise bench` (same checkpoint, same machine, same session).

    /usr/bin/python3 src/test/python/bench_torch.py MODEL_DIR --tokens 128 --repeat 5 [--threads 2]

Debian's python3-torch with libopenblas0-pthread installed (otherwise torch falls back to the slow reference
BLAS). Eager forward in float32 that keeps every attention probability (what output_attentions=True does),
on random ids (seed 42) after --warmup untimed forwards (3, as Headwise's bench); prints each time and, last, forward_ms=<median>.
GPT-2 and GPT-NeoX/Pythia (model_type gpt_neox).
"""
import argparse
import json
import math
import statistics
import struct
import time

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if info["dtype"] == "BF16":
            raw = np.frombuffer(data[begin:end], dtype=np.uint16).astype(np.uint32) << 16
            array = raw.view(np.float32)
        else:
            array = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).astype(np.float32)
        tensors[name] = torch.from_numpy(array.reshape(info["shape"]).copy())
    return tensors


def gpt2_forward(w, cfg, ids, prefix):
    d, H = cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    T = ids.shape[0]
    x = w[prefix + "wte.weight"][ids] + w[prefix + "wpe.weight"][:T]
    mask = torch.full((T, T), float("-inf")).triu(1)
    attentions = []
    for i in range(cfg["n_layer"]):
        p = f"{prefix}h.{i}."
        h = torch.nn.functional.layer_norm(x, (d,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = torch.addmm(w[p + "attn.c_attn.bias"], h, w[p + "attn.c_attn.weight"])
        q, k, v = (t.view(T, H, d // H).transpose(0, 1) for t in qkv.split(d, dim=1))
        scores = q @ k.transpose(1, 2) / math.sqrt(d // H) + mask
        pattern = torch.softmax(scores, dim=-1)
        attentions.append(pattern)
        z = (pattern @ v).transpose(0, 1).reshape(T, d)
        x = x + torch.addmm(w[p + "attn.c_proj.bias"], z, w[p + "attn.c_proj.weight"])
        h = torch.nn.functional.layer_norm(x, (d,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        h = torch.nn.functional.gelu(torch.addmm(w[p + "mlp.c_fc.bias"], h, w[p + "mlp.c_fc.weight"]), approximate="tanh")
        x = x + torch.addmm(w[p + "mlp.c_proj.bias"], h, w[p + "mlp.c_proj.weight"])
    x = torch.nn.functional.layer_norm(x, (d,), w[prefix + "ln_f.weight"], w[prefix + "ln_f.bias"], eps)
    return x @ w[prefix + "wte.weight"].T, attentions


def neox_forward(w, cfg, ids, prefix):
    """GPT-NeoX / Pythia: per-head interleaved fused qkv, rotate-half RoPE on the first rotary_pct of each head,
    exact GELU, parallel (or sequential) residual, untied embed_out."""
    d, H = cfg["hidden_size"], cfg["num_attention_heads"]
    dh, eps = d // H, cfg.get("layer_norm_eps", 1e-5)
    rot = int(dh * cfg.get("rotary_pct", 0.25))
    base = cfg.get("rope_theta", cfg.get("rotary_emb_base", 10000))
    T = ids.shape[0]
    inv = 1.0 / (base ** (torch.arange(0, rot, 2).float() / rot))
    angles = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
    cos, sin = torch.cat([angles, angles], -1).cos(), torch.cat([angles, angles], -1).sin()

    def rope(t):  # [H, T, dh]
        r, rest = t[..., :rot], t[..., rot:]
        half = torch.cat([-r[..., rot // 2:], r[..., :rot // 2]], -1)
        return torch.cat([r * cos + half * sin, rest], -1)

    ln = lambda x, n: torch.nn.functional.layer_norm(x, (d,), w[n + ".weight"], w[n + ".bias"], eps)
    lin = lambda x, n: torch.nn.functional.linear(x, w[n + ".weight"], w.get(n + ".bias"))
    x = w[prefix + "embed_in.weight"][ids]
    mask = torch.full((T, T), float("-inf")).triu(1)
    attentions = []
    for i in range(cfg["num_hidden_layers"]):
        p = f"{prefix}layers.{i}."
        qkv = lin(ln(x, p + "input_layernorm"), p + "attention.query_key_value").view(T, H, 3 * dh).transpose(0, 1)
        q, k, v = qkv.chunk(3, dim=-1)
        pattern = torch.softmax(rope(q) @ rope(k).transpose(1, 2) / math.sqrt(dh) + mask, dim=-1)
        attentions.append(pattern)
        attn = lin((pattern @ v).transpose(0, 1).reshape(T, d), p + "attention.dense")
        mlp = lambda y: lin(torch.nn.functional.gelu(lin(ln(y, p + "post_attention_layernorm"), p + "mlp.dense_h_to_4h")),
                            p + "mlp.dense_4h_to_h")
        x = x + attn + mlp(x) if cfg.get("use_parallel_residual", True) else x + attn + mlp(x + attn)
    return lin(ln(x, prefix + "final_layer_norm"), "embed_out"), attentions


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = json.load(open(f"{args.model}/config.json"))
    w = read_safetensors(f"{args.model}/model.safetensors")
    neox = cfg.get("model_type") == "gpt_neox"
    forward = neox_forward if neox else gpt2_forward
    prefix = ("gpt_neox." if "gpt_neox.embed_in.weight" in w else "") if neox else (
        "transformer." if "transformer.wte.weight" in w else "")
    ids = torch.from_numpy(np.random.default_rng(42).integers(0, cfg["vocab_size"], args.tokens))
    times = []
    with torch.inference_mode():
        for _ in range(args.warmup):
            forward(w, cfg, ids, prefix)
        for r in range(args.repeat):
            start = time.perf_counter()
            forward(w, cfg, ids, prefix)
            times.append((time.perf_counter() - start) * 1000)
            print(f"forward {r + 1}: {times[-1]:.1f} ms")
    print(f"torch={torch.__version__} threads={torch.get_num_threads()} tokens={args.tokens}")
    print(f"forward_ms={statistics.median(times):.1f}")


if __name__ == "__main__":
    main()
