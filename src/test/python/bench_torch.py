"""PyTorch reference timing for `headwise bench` (same checkpoint, same machine, same session).

    /usr/bin/python3 src/test/python/bench_torch.py MODEL_DIR --tokens 128 --repeat 5 [--threads 2]

Debian's python3-torch with libopenblas0-pthread installed (otherwise torch falls back to the slow reference
BLAS). Eager forward in float32 that keeps every attention probability (what output_attentions=True does),
on random ids (seed 42) after --warmup untimed forwards (3, as Headwise's bench); prints each time, the forward's
GFLOP/s, the SGEMM rate measured right after each forward (torch.mm at the forward's largest GEMM shape, tokens x
d_model . d_model x d_mlp, as Headwise's bench), peak RSS and the load average, and, last, forward_ms=<median>.
GPT-2, GPT-NeoX/Pythia (model_type gpt_neox) and Llama (model_type llama: RMSNorm, rotate-half RoPE, grouped-query
attention, SiLU-gated MLP). BF16 and F16 weights are upcast to float32 exactly, as Headwise loads them, and every
product runs in float32 on both sides.

Before the weights are read it checks that they, the kept attention maps and the forward's temporaries fit
MemAvailable (with 2 GB to spare) and refuses otherwise: the maps of a 22-layer, 32-head model at 2048 tokens
alone take 11.8 GB.

    /usr/bin/python3 src/test/python/bench_torch.py MODEL_DIR --ids 1,2,3 --check-output LOGITS.npy
checks the forward instead of timing it: the largest difference of its output from LOGITS.npy (e.g. `headwise export
--data output --format npy` on the same ids) relative to the largest logit.
"""
import argparse
import json
import math
import os
import resource
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


def rotate_half_rope(T, rot, theta):
    """RoPE as Hugging Face applies it (rotate_half; inverse frequencies and angles in float32) on the first rot
    channels of each head at positions 0..T-1; the rest pass through. Returns rope(t) for t [heads, T, head_dim]."""
    inv = 1.0 / (theta ** (torch.arange(0, rot, 2, dtype=torch.float32) / rot))
    angles = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
    cos, sin = torch.cat([angles, angles], -1).cos(), torch.cat([angles, angles], -1).sin()

    def rope(t):
        r = t[..., :rot]
        rotated = r * cos + torch.cat([-r[..., rot // 2:], r[..., :rot // 2]], -1) * sin
        return rotated if rot == t.shape[-1] else torch.cat([rotated, t[..., rot:]], -1)  # no copy for whole heads
    return rope


def neox_forward(w, cfg, ids, prefix):
    """GPT-NeoX / Pythia: per-head interleaved fused qkv, rotate-half RoPE on the first rotary_pct of each head,
    exact GELU, parallel (or sequential) residual, untied embed_out."""
    d, H = cfg["hidden_size"], cfg["num_attention_heads"]
    dh, eps = d // H, cfg.get("layer_norm_eps", 1e-5)
    rot = int(dh * cfg.get("rotary_pct", 0.25))
    base = cfg.get("rope_theta", cfg.get("rotary_emb_base", 10000))
    T = ids.shape[0]
    rope = rotate_half_rope(T, rot, base)

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


def llama_forward(w, cfg, ids, prefix):
    """Llama as Hugging Face's eager LlamaForCausalLM computes it: RMSNorm, RoPE on whole heads by rotate_half
    (inverse frequencies and angles in float32), grouped-query attention (key/value head g serves the query heads
    g*H/KV ... (g+1)*H/KV - 1, copied as repeat_kv does), SiLU-gated MLP, lm_head or tied embeddings."""
    d, H = cfg["hidden_size"], cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads", H)
    dh = cfg.get("head_dim") or d // H
    eps = cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    if cfg.get("rope_scaling"):
        raise SystemExit("bench_torch.py: rope_scaling is not implemented here")
    T = ids.shape[0]
    rope = rotate_half_rope(T, dh, theta)

    def rms(x, n):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w[n + ".weight"]

    lin = lambda x, n: torch.nn.functional.linear(x, w[n + ".weight"], w.get(n + ".bias"))
    x = w[prefix + "embed_tokens.weight"][ids]
    mask = torch.full((T, T), float("-inf")).triu(1)
    attentions = []
    for i in range(cfg["num_hidden_layers"]):
        p = f"{prefix}layers.{i}."
        h = rms(x, p + "input_layernorm")
        q = rope(lin(h, p + "self_attn.q_proj").view(T, H, dh).transpose(0, 1))
        k = rope(lin(h, p + "self_attn.k_proj").view(T, KV, dh).transpose(0, 1)).repeat_interleave(H // KV, dim=0)
        v = lin(h, p + "self_attn.v_proj").view(T, KV, dh).transpose(0, 1).repeat_interleave(H // KV, dim=0)
        pattern = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(dh) + mask, dim=-1)
        attentions.append(pattern)
        x = x + lin((pattern @ v).transpose(0, 1).reshape(T, H * dh), p + "self_attn.o_proj")
        h = rms(x, p + "post_attention_layernorm")
        x = x + lin(torch.nn.functional.silu(lin(h, p + "mlp.gate_proj")) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    head = w["lm_head.weight"] if "lm_head.weight" in w else w[prefix + "embed_tokens.weight"]
    return rms(x, prefix + "norm") @ head.T, attentions


def shape(cfg):
    """(layers, d_model, heads, kv_heads, d_head, d_mlp, vocab, gated MLP) of any of the three families."""
    if cfg.get("model_type") == "llama":
        d, H = cfg["hidden_size"], cfg["num_attention_heads"]
        return (cfg["num_hidden_layers"], d, H, cfg.get("num_key_value_heads", H), cfg.get("head_dim") or d // H,
                cfg["intermediate_size"], cfg["vocab_size"], True)
    if cfg.get("model_type") == "gpt_neox":
        d, H = cfg["hidden_size"], cfg["num_attention_heads"]
        return cfg["num_hidden_layers"], d, H, H, d // H, cfg["intermediate_size"], cfg["vocab_size"], False
    d, H = cfg["n_embd"], cfg["n_head"]
    return cfg["n_layer"], d, H, H, d // H, cfg.get("n_inner") or 4 * d, cfg["vocab_size"], False


def forward_flops(cfg, t):
    """Headwise's ForwardFlops.of: matrix products only (a multiply-add is 2), the whole T x T square of both
    attention products, the vocabulary projection included."""
    layers, d, H, KV, dh, dmlp, vocab, gated = shape(cfg)
    projections = 2 * t * d * (H * dh + 2 * KV * dh) + 2 * t * H * dh * d
    attention = 4 * H * t * t * dh
    mlp = 2 * t * d * dmlp * (3 if gated else 2)
    return layers * (projections + attention + mlp) + 2 * t * d * vocab


def needed_bytes(cfg, weights_f32, t):
    """Weights as float32, every layer's kept attention, one layer's scores/softmax temporaries, logits, activations."""
    layers, d, H, KV, dh, dmlp, vocab, _ = shape(cfg)
    maps = layers * H * t * t * 4
    return weights_f32 + maps + 4 * H * t * t * 4 + 2 * t * vocab * 4 + 8 * t * max(dmlp, 3 * d) * 4


def weights_f32_bytes(path):
    with open(path, "rb") as f:
        header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
    return sum(4 * math.prod(info["shape"]) for name, info in header.items() if name != "__metadata__")


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def sgemm_gflops(m, k, n, repeat=5):
    """The float32 GEMM rate torch reaches at [m, k] . [k, n]: best of `repeat` after two warm-ups."""
    a, b = torch.rand(m, k), torch.rand(k, n)
    best = float("inf")
    for r in range(-2, repeat):
        start = time.perf_counter()
        torch.mm(a, b)
        if r >= 0:
            best = min(best, time.perf_counter() - start)
    return 2.0 * m * k * n / best / 1e9


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def load_average():
    return "%.2f %.2f %.2f" % os.getloadavg()


def family(cfg, w):
    """The forward and the weights' name prefix for this checkpoint."""
    kind = cfg.get("model_type")
    if kind == "llama":
        return llama_forward, "model." if "model.embed_tokens.weight" in w else ""
    if kind == "gpt_neox":
        return neox_forward, "gpt_neox." if "gpt_neox.embed_in.weight" in w else ""
    return gpt2_forward, "transformer." if "transformer.wte.weight" in w else ""


def check_output(forward, w, cfg, prefix, ids, expected_path, attention_path, tolerance):
    """The forward's output (and attention) against Headwise's, relative to the largest value; exits 1 above tolerance."""
    with torch.inference_mode():
        out, attentions = forward(w, cfg, ids, prefix)
    expected = np.load(expected_path).astype(np.float64)
    ours = out.double().numpy().reshape(expected.shape)
    worst = np.abs(ours - expected).max() / np.abs(expected).max()
    print(f"output: {expected.shape}, max |torch - headwise| / max |headwise| = {worst:.3g} (tolerance {tolerance:g})")
    failed = worst > tolerance
    if attention_path:
        maps = np.load(attention_path).astype(np.float64)
        ours = torch.stack(attentions).double().numpy().reshape(maps.shape)
        diff = np.abs(ours - maps).max()
        print(f"attention: {maps.shape}, max |torch - headwise| = {diff:.3g} (tolerance {tolerance:g})")
        failed = failed or diff > tolerance
    raise SystemExit(1 if failed else 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--ids", help="comma-separated token ids (with --check-output) instead of random ones")
    parser.add_argument("--check-output", metavar="NPY", help="compare the output with NPY instead of timing")
    parser.add_argument("--check-attention", metavar="NPY", help="with --check-output: also the attention [L, H, T, T]")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = json.load(open(f"{args.model}/config.json"))
    path = f"{args.model}/model.safetensors"
    if args.check_output is None:
        need, free = needed_bytes(cfg, weights_f32_bytes(path), args.tokens), mem_available()
        if free is not None and need + (2 << 30) > free:
            raise SystemExit(f"bench_torch.py: {args.tokens} tokens need about {need >> 20} MiB with every attention map "
                             f"kept, but only {free >> 20} MiB are available (2 GiB kept free): not started")
    w = read_safetensors(path)
    forward, prefix = family(cfg, w)
    if args.check_output:
        ids = torch.tensor([int(i) for i in args.ids.split(",")])
        check_output(forward, w, cfg, prefix, ids, args.check_output, args.check_attention, args.tolerance)
    ids = torch.from_numpy(np.random.default_rng(42).integers(0, cfg["vocab_size"], args.tokens))
    _, d, _, _, _, dmlp, _, _ = shape(cfg)
    flops = forward_flops(cfg, args.tokens)
    times, rates = [], []
    with torch.inference_mode():
        for _ in range(args.warmup):
            forward(w, cfg, ids, prefix)
        for r in range(args.repeat):
            start = time.perf_counter()
            forward(w, cfg, ids, prefix)
            times.append((time.perf_counter() - start) * 1000)
            rates.append(sgemm_gflops(args.tokens, d, dmlp))
            print(f"forward {r + 1}: {times[-1]:.1f} ms (sgemm {rates[-1]:.1f} GFLOP/s just after)")
    median_ms = statistics.median(times)
    utilisation = statistics.median(flops / (t / 1e3) / 1e9 / rate for t, rate in zip(times, rates))
    print(f"torch={torch.__version__} threads={torch.get_num_threads()} model_type={cfg.get('model_type', 'gpt2')} "
          f"tokens={args.tokens}")
    print(f"forward_gflops={flops / (median_ms / 1e3) / 1e9:.1f} sgemm_gflops={statistics.median(rates):.1f} "
          f"utilisation={100 * utilisation:.0f}% peak_rss_mib={peak_rss_mib()} load={load_average()}")
    print(f"forward_ms={median_ms:.1f}")


if __name__ == "__main__":
    main()
