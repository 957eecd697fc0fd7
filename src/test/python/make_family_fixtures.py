#!/usr/bin/python3
"""Tiny random-weight GPT-NeoX/Pythia, Gemma 1/2/3, Qwen3, Phi-3 and OPT checkpoints (Hugging Face layout) with
float64 references.

Usage
-----
    /usr/bin/python3 src/test/python/make_family_fixtures.py
        Regenerates every case below under src/test/resources/fixtures/ (fixed seeds: reruns are byte-identical).

    /usr/bin/python3 src/test/python/make_family_fixtures.py --pythia-160m OUTDIR
        Writes a Pythia-160m-shaped GPTNeoXForCausalLM (12 layers, hidden 768, 12 heads, intermediate 3072,
        rotary_pct 0.25, vocab 50304, parallel residual, untied embed_out) with random F32 weights (std 0.02,
        LayerNorms 1/0) as OUTDIR/config.json + OUTDIR/model.safetensors (~650 MB). No reference. For `bench`
        only; do not commit.

Needs only torch + numpy; the safetensors writer and shared helpers come from make_fixtures.py, the RoPE
frequencies from make_llama_fixtures.py. Each reference forward below is written from the definitions in Hugging
Face's modeling files (modeling_gpt_neox.py, modeling_gemma.py, modeling_gemma2.py, modeling_gemma3.py,
modeling_qwen3.py, modeling_phi3.py, modeling_opt.py) and evaluated in float64 on the *stored* weights (after
rounding to BF16 for the bf16 cases). As in make_llama_fixtures.py the RoPE inverse frequencies and angles are
float32, as Hugging Face computes them; cos/sin and everything after are float64.

Shared shape: hidden 64, 3 layers, 4 heads, vocab 97, T = 16 token ids (no BOS added).

Cases (one folder each)
-----------------------
    pythia_f32            GPTNeoXForCausalLM: head_dim 16, rotary_pct 0.25 (4 rotated channels per head),
                          rotary_emb_base 10000, parallel residual, exact GELU, biases everywhere, untied embed_out
    pythia_sequential_f32 the same weights with use_parallel_residual false
    pythia_bf16           pythia_f32's weights stored as BF16
    gemma_f32             GemmaForCausalLM (Gemma 1): head_dim 16, 2 KV heads, embeddings × 8 (= √64), RMSNorm
                          x̂·(1 + w), GeGLU (tanh GELU), tied head
    gemma2_f32            Gemma2ForCausalLM: sandwich norms, query_pre_attn_scalar 32 (scale 32^−½, not
                          head_dim^−½), attn_logit_softcapping 2 and final_logit_softcapping 1 (small, so that they
                          bend these tiny models' values visibly), sliding_window 4 < T in the even layers 0 and 2
                          (Gemma-2's rule; no layer_types in the config)
    gemma2_bf16           gemma2_f32's weights stored as BF16
    gemma3_f32            Gemma3ForCausalLM (model_type gemma3_text): q/k RMSNorm per head (1 + w) before RoPE,
                          sliding_window_pattern 3 (layers 0, 1 local with window 4, layer 2 global), rope_theta 1e6
                          with rope_scaling linear factor 2 on the global layer, rope_local_base_freq 10000 on the
                          local ones, no soft-caps, head_dim 24 (≠ 64/4), query_pre_attn_scalar 24
    qwen3_f32             Qwen3ForCausalLM: head_dim 24 (q_proj [96, 64]), 2 KV heads, q/k RMSNorm per head
                          (plain w) before RoPE, no q/k/v bias, untied lm_head
    phi3_f32              Phi3ForCausalLM: fused qkv_proj ([q; k; v] rows, 2 KV heads) and gate_up_proj
                          ([gate; up]), partial_rotary_factor 0.5 (8 of 16 channels rotate), sliding_window 6 < T
    opt_f32               OPTForCausalLM, pre-LayerNorm (do_layer_norm_before true) with word_embed_proj_dim 32 ≠ 64:
                          project_in/project_out, learned positions at rows p + 2, ReLU, final_layer_norm, tied head
    opt_postln_f32        the same weights, do_layer_norm_before false (opt-350m's post-LN; no final norm)

Reference files (reference/, float32 .npy, C order)
---------------------------------------------------
    input.json      {"ids": [...]}
    attention.npy   [L, H, T, T] softmax probabilities (row = query, column = key)
    output.npy      logits [T, V]
    q_L1.npy        layer 1's queries after q-norm and RoPE, [T, H, d_head] (= hook blocks.1.attn.hook_q)
    gguf_attention.npy, gguf_output.npy (gemma2_f32, gemma3_f32 only) the same weights as llama.cpp runs them from
                    a GGUF its converter wrote: it stores no query_pre_attn_scalar and scales queries by head_dim^−½
                    (gemma2: 16, not 32), and its Gemma-3 has a fixed pattern of five local layers then one global
                    (here all three layers local, RoPE base 10000 unscaled)
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import (  # noqa: E402
    FIXTURES as FIXTURES_DIR, TORCH_DTYPE_NAME, gelu_erf, gelu_tanh, new_case, randn, save_npy, stored,
    write_json, write_safetensors, write_streamed_safetensors)
from make_llama_fixtures import inv_freq, rotate_half  # noqa: E402

D, LAYERS, HEADS, VOCAB, T = 64, 3, 4, 97, 16
HOOK_LAYER = 1
SEED = 4242


# ---------------------------------------------------------------------------
# shared numerics (float64)
# ---------------------------------------------------------------------------
def rope(x, theta, rotary, scaling=None):
    """Rotate-half RoPE on the first `rotary` channels of x [H, T, dh]; the rest pass through."""
    n = x.shape[1]
    freqs = torch.arange(n, dtype=torch.float32)[:, None] * inv_freq(theta, rotary, scaling)[None, :]
    emb = torch.cat([freqs, freqs], dim=-1).to(torch.float64)
    rot, rest = x[..., :rotary], x[..., rotary:]
    return torch.cat([rot * emb.cos() + rotate_half(rot) * emb.sin(), rest], dim=-1)


def rms(x, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(((x - mu) ** 2).mean(-1, keepdim=True) + eps) * w + b


def lin(W, x, name):
    return x @ W[name + ".weight"].T + (W[name + ".bias"] if name + ".bias" in W else 0)


def hidden_keys(n, window=0):
    """True where query i may not see key j: later keys, and with a window those i − j ≥ window."""
    i, j = torch.arange(n)[:, None], torch.arange(n)[None, :]
    hidden = j > i
    return hidden | (i - j >= window) if window else hidden


def attend(q, k, v, scale, window=0, softcap=0.0):
    """q [H, T, dh], k/v [KV, T, dh]: softmax(softcap(scale·q·kᵀ) + mask)·v. Returns (z [T, H·dh], pattern)."""
    H, n, dh = q.shape
    k = k.repeat_interleave(H // k.shape[0], dim=0)
    v = v.repeat_interleave(H // v.shape[0], dim=0)
    s = (q @ k.transpose(1, 2)) * scale
    if softcap:
        s = torch.tanh(s / softcap) * softcap
    pattern = torch.softmax(s.masked_fill(hidden_keys(n, window), float("-inf")), dim=-1)
    return (pattern @ v).transpose(0, 1).reshape(n, H * v.shape[-1]), pattern


def heads(x, count):
    """[T, count·dh] → [count, T, dh]."""
    return x.view(x.shape[0], count, -1).transpose(0, 1)


# ---------------------------------------------------------------------------
# GPT-NeoX / Pythia
# ---------------------------------------------------------------------------
NEOX = dict(dh=16, rotary=4, inter=128, eps=1e-5, theta=10000.0)


def neox_config(dtype, parallel):
    return {"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "hidden_act": "gelu",
            "hidden_size": D, "intermediate_size": NEOX["inter"], "num_attention_heads": HEADS,
            "num_hidden_layers": LAYERS, "vocab_size": VOCAB, "max_position_embeddings": 64,
            "rotary_pct": NEOX["rotary"] / NEOX["dh"], "rotary_emb_base": NEOX["theta"], "layer_norm_eps": NEOX["eps"],
            "use_parallel_residual": parallel, "tie_word_embeddings": False, "attention_bias": True,
            "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": TORCH_DTYPE_NAME[dtype]}


def neox_weights(gen):
    ln = lambda n: [(n + ".weight", randn(gen, D, std=0.1, mean=1.0)), (n + ".bias", randn(gen, D, std=0.05))]
    linear = lambda n, o, i, std=0.1: [(n + ".weight", randn(gen, o, i, std=std)), (n + ".bias", randn(gen, o, std=0.05))]
    w = [("gpt_neox.embed_in.weight", randn(gen, VOCAB, D, std=0.3))]
    for i in range(LAYERS):
        p = "gpt_neox.layers.%d." % i
        w += ln(p + "input_layernorm") + ln(p + "post_attention_layernorm")
        w += linear(p + "attention.query_key_value", 3 * D, D, std=0.2) + linear(p + "attention.dense", D, D)
        w += linear(p + "mlp.dense_h_to_4h", NEOX["inter"], D) + linear(p + "mlp.dense_4h_to_h", D, NEOX["inter"])
    w += ln("gpt_neox.final_layer_norm") + [("embed_out.weight", randn(gen, VOCAB, D, std=0.1))]
    return w


def neox_forward(W, ids, parallel):
    n, dh, eps = len(ids), NEOX["dh"], NEOX["eps"]
    x = W["gpt_neox.embed_in.weight"][ids]
    patterns, hook_q = [], None
    for layer in range(LAYERS):
        p = "gpt_neox.layers.%d." % layer
        h = layer_norm(x, W[p + "input_layernorm.weight"], W[p + "input_layernorm.bias"], eps)
        qkv = lin(W, h, p + "attention.query_key_value").view(n, HEADS, 3 * dh).transpose(0, 1)  # per head [q; k; v]
        q, k, v = qkv.chunk(3, dim=-1)
        q = rope(q, NEOX["theta"], NEOX["rotary"])
        k = rope(k, NEOX["theta"], NEOX["rotary"])
        if layer == HOOK_LAYER:
            hook_q = q.transpose(0, 1).clone()
        z, pattern = attend(q, k, v, dh ** -0.5)
        patterns.append(pattern)
        attn = lin(W, z, p + "attention.dense")
        mlp = lambda y: lin(W, gelu_erf(lin(W, y, p + "mlp.dense_h_to_4h")), p + "mlp.dense_4h_to_h")
        ln2 = lambda y: layer_norm(y, W[p + "post_attention_layernorm.weight"], W[p + "post_attention_layernorm.bias"], eps)
        if parallel:
            x = x + attn + mlp(ln2(x))
        else:
            x = x + attn
            x = x + mlp(ln2(x))
    x = layer_norm(x, W["gpt_neox.final_layer_norm.weight"], W["gpt_neox.final_layer_norm.bias"], eps)
    return x @ W["embed_out.weight"].T, torch.stack(patterns), hook_q


# ---------------------------------------------------------------------------
# Gemma 1 / 2 / 3 (text)
# ---------------------------------------------------------------------------
GEMMA = dict(inter=128, eps=1e-6, window=4)


def gemma_setup(kind):
    """Per kind: head_dim, KV heads, query_pre_attn_scalar, soft-caps, which layers are local."""
    if kind == "gemma":
        return dict(dh=16, kv=2, scalar=16, attn_cap=0.0, final_cap=0.0, local=[False] * LAYERS)
    if kind == "gemma2":
        return dict(dh=16, kv=2, scalar=32, attn_cap=2.0, final_cap=1.0, local=[layer % 2 == 0 for layer in range(LAYERS)])
    return dict(dh=24, kv=2, scalar=24, attn_cap=0.0, final_cap=0.0, local=[(layer + 1) % 3 != 0 for layer in range(LAYERS)])


GEMMA3_ROPE = dict(theta=1000000.0, scaling={"rope_type": "linear", "factor": 2.0}, local_theta=10000.0)


def gemma_config(kind, dtype):
    s = gemma_setup(kind)
    cfg = {"architectures": [{"gemma": "GemmaForCausalLM", "gemma2": "Gemma2ForCausalLM",
                              "gemma3": "Gemma3ForCausalLM"}[kind]],
           "model_type": "gemma3_text" if kind == "gemma3" else kind,
           "hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh",
           "hidden_size": D, "intermediate_size": GEMMA["inter"], "num_attention_heads": HEADS,
           "num_key_value_heads": s["kv"], "head_dim": s["dh"], "num_hidden_layers": LAYERS, "vocab_size": VOCAB,
           "max_position_embeddings": 64, "rms_norm_eps": GEMMA["eps"], "rope_theta": 10000.0,
           "attention_bias": False, "tie_word_embeddings": True, "bos_token_id": 2, "eos_token_id": 1,
           "pad_token_id": 0, "torch_dtype": TORCH_DTYPE_NAME[dtype]}
    if kind == "gemma2":
        cfg.update(query_pre_attn_scalar=s["scalar"], attn_logit_softcapping=s["attn_cap"],
                   final_logit_softcapping=s["final_cap"], sliding_window=GEMMA["window"],
                   cache_implementation="hybrid")
    if kind == "gemma3":
        cfg.update(query_pre_attn_scalar=s["scalar"], attn_logit_softcapping=None, final_logit_softcapping=None,
                   sliding_window=GEMMA["window"], sliding_window_pattern=3, rope_theta=GEMMA3_ROPE["theta"],
                   rope_scaling=GEMMA3_ROPE["scaling"], rope_local_base_freq=GEMMA3_ROPE["local_theta"])
    return cfg


def gemma_weights(kind, gen):
    s = gemma_setup(kind)
    dh, kv, f = s["dh"], s["kv"], GEMMA["inter"]
    norm = lambda n, width=D: [(n + ".weight", randn(gen, width, std=0.1))]  # the gain is 1 + w
    w = [("model.embed_tokens.weight", randn(gen, VOCAB, D, std=0.05))]
    for i in range(LAYERS):
        p = "model.layers.%d." % i
        w += norm(p + "input_layernorm")
        w += [(p + "self_attn.q_proj.weight", randn(gen, HEADS * dh, D, std=0.25)),
              (p + "self_attn.k_proj.weight", randn(gen, kv * dh, D, std=0.25)),
              (p + "self_attn.v_proj.weight", randn(gen, kv * dh, D, std=0.1)),
              (p + "self_attn.o_proj.weight", randn(gen, D, HEADS * dh, std=0.1))]
        if kind == "gemma3":
            w += norm(p + "self_attn.q_norm", dh) + norm(p + "self_attn.k_norm", dh)
        w += norm(p + "post_attention_layernorm")
        if kind != "gemma":
            w += norm(p + "pre_feedforward_layernorm") + norm(p + "post_feedforward_layernorm")
        w += [(p + "mlp.gate_proj.weight", randn(gen, f, D, std=0.1)),
              (p + "mlp.up_proj.weight", randn(gen, f, D, std=0.1)),
              (p + "mlp.down_proj.weight", randn(gen, D, f, std=0.1))]
    w += norm("model.norm")
    return w


def gemma_forward(W, ids, kind, **leave_out):
    """leave_out: setup entries replaced (attn_cap=0, final_cap=0, window=0) to show what a feature changes."""
    s = dict(gemma_setup(kind), window=GEMMA["window"])
    s.update(leave_out)
    n, dh, kv, eps = len(ids), s["dh"], s["kv"], GEMMA["eps"]
    gnorm = lambda x, name: rms(x, eps) * (1.0 + W[name + ".weight"])
    x = W["model.embed_tokens.weight"][ids] * float(torch.tensor(D ** 0.5, dtype=torch.float32))
    patterns, hook_q = [], None
    for layer in range(LAYERS):
        p = "model.layers.%d." % layer
        local = s["local"][layer]
        h = gnorm(x, p + "input_layernorm")
        q = heads(lin(W, h, p + "self_attn.q_proj"), HEADS)
        k = heads(lin(W, h, p + "self_attn.k_proj"), kv)
        v = heads(lin(W, h, p + "self_attn.v_proj"), kv)
        if kind == "gemma3":
            q = gnorm(q, p + "self_attn.q_norm")
            k = gnorm(k, p + "self_attn.k_norm")
            theta, scaling = ((GEMMA3_ROPE["local_theta"], None) if local
                              else (GEMMA3_ROPE["theta"], GEMMA3_ROPE["scaling"]))
        else:
            theta, scaling = 10000.0, None
        q, k = rope(q, theta, dh, scaling), rope(k, theta, dh, scaling)
        if layer == HOOK_LAYER:
            hook_q = q.transpose(0, 1).clone()
        z, pattern = attend(q, k, v, s["scalar"] ** -0.5, s["window"] if local else 0, s["attn_cap"])
        patterns.append(pattern)
        attn = lin(W, z, p + "self_attn.o_proj")
        mlp = lambda y: lin(W, gelu_tanh(lin(W, y, p + "mlp.gate_proj")) * lin(W, y, p + "mlp.up_proj"), p + "mlp.down_proj")
        if kind == "gemma":
            x = x + attn
            x = x + mlp(gnorm(x, p + "post_attention_layernorm"))
        else:
            x = x + gnorm(attn, p + "post_attention_layernorm")
            x = x + gnorm(mlp(gnorm(x, p + "pre_feedforward_layernorm")), p + "post_feedforward_layernorm")
    logits = gnorm(x, "model.norm") @ W["model.embed_tokens.weight"].T
    if s["final_cap"]:
        logits = torch.tanh(logits / s["final_cap"]) * s["final_cap"]
    return logits, torch.stack(patterns), hook_q


# ---------------------------------------------------------------------------
# Qwen3
# ---------------------------------------------------------------------------
QWEN3 = dict(dh=24, kv=2, inter=160, eps=1e-6, theta=1000000.0)


def qwen3_config(dtype):
    return {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_act": "silu",
            "hidden_size": D, "intermediate_size": QWEN3["inter"], "num_attention_heads": HEADS,
            "num_key_value_heads": QWEN3["kv"], "head_dim": QWEN3["dh"], "num_hidden_layers": LAYERS,
            "vocab_size": VOCAB, "max_position_embeddings": 64, "rms_norm_eps": QWEN3["eps"],
            "rope_theta": QWEN3["theta"], "rope_scaling": None, "attention_bias": False, "tie_word_embeddings": False,
            "use_sliding_window": False, "sliding_window": None, "max_window_layers": LAYERS,
            "torch_dtype": TORCH_DTYPE_NAME[dtype]}


def qwen3_weights(gen):
    dh, kv, f = QWEN3["dh"], QWEN3["kv"], QWEN3["inter"]
    norm = lambda n, width=D: [(n + ".weight", randn(gen, width, std=0.1, mean=1.0))]
    w = [("model.embed_tokens.weight", randn(gen, VOCAB, D, std=0.3))]
    for i in range(LAYERS):
        p = "model.layers.%d." % i
        w += norm(p + "input_layernorm")
        w += [(p + "self_attn.q_proj.weight", randn(gen, HEADS * dh, D, std=0.25)),
              (p + "self_attn.k_proj.weight", randn(gen, kv * dh, D, std=0.25)),
              (p + "self_attn.v_proj.weight", randn(gen, kv * dh, D, std=0.1)),
              (p + "self_attn.o_proj.weight", randn(gen, D, HEADS * dh, std=0.1))]
        w += norm(p + "self_attn.q_norm", dh) + norm(p + "self_attn.k_norm", dh)
        w += norm(p + "post_attention_layernorm")
        w += [(p + "mlp.gate_proj.weight", randn(gen, f, D, std=0.1)),
              (p + "mlp.up_proj.weight", randn(gen, f, D, std=0.1)),
              (p + "mlp.down_proj.weight", randn(gen, D, f, std=0.1))]
    w += norm("model.norm") + [("lm_head.weight", randn(gen, VOCAB, D, std=0.1))]
    return w


def swiglu(W, y, p, gate, up, down):
    g = lin(W, y, p + gate)
    return lin(W, g * torch.sigmoid(g) * lin(W, y, p + up), p + down)


def qwen3_forward(W, ids):
    n, dh, kv, eps = len(ids), QWEN3["dh"], QWEN3["kv"], QWEN3["eps"]
    norm = lambda x, name: rms(x, eps) * W[name + ".weight"]
    x = W["model.embed_tokens.weight"][ids]
    patterns, hook_q = [], None
    for layer in range(LAYERS):
        p = "model.layers.%d." % layer
        h = norm(x, p + "input_layernorm")
        q = norm(heads(lin(W, h, p + "self_attn.q_proj"), HEADS), p + "self_attn.q_norm")
        k = norm(heads(lin(W, h, p + "self_attn.k_proj"), kv), p + "self_attn.k_norm")
        v = heads(lin(W, h, p + "self_attn.v_proj"), kv)
        q, k = rope(q, QWEN3["theta"], dh), rope(k, QWEN3["theta"], dh)
        if layer == HOOK_LAYER:
            hook_q = q.transpose(0, 1).clone()
        z, pattern = attend(q, k, v, dh ** -0.5)
        patterns.append(pattern)
        x = x + lin(W, z, p + "self_attn.o_proj")
        x = x + swiglu(W, norm(x, p + "post_attention_layernorm"), p, "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")
    return norm(x, "model.norm") @ W["lm_head.weight"].T, torch.stack(patterns), hook_q


# ---------------------------------------------------------------------------
# Phi-3
# ---------------------------------------------------------------------------
PHI3 = dict(dh=16, kv=2, inter=160, eps=1e-5, theta=10000.0, factor=0.5, window=6)


def phi3_config(dtype):
    return {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "hidden_act": "silu",
            "hidden_size": D, "intermediate_size": PHI3["inter"], "num_attention_heads": HEADS,
            "num_key_value_heads": PHI3["kv"], "num_hidden_layers": LAYERS, "vocab_size": VOCAB,
            "max_position_embeddings": 64, "original_max_position_embeddings": 64, "rms_norm_eps": PHI3["eps"],
            "rope_theta": PHI3["theta"], "rope_scaling": None, "partial_rotary_factor": PHI3["factor"],
            "sliding_window": PHI3["window"], "tie_word_embeddings": False, "attention_bias": False,
            "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": TORCH_DTYPE_NAME[dtype]}


def phi3_weights(gen):
    dh, kv, f = PHI3["dh"], PHI3["kv"], PHI3["inter"]
    norm = lambda n: [(n + ".weight", randn(gen, D, std=0.1, mean=1.0))]
    w = [("model.embed_tokens.weight", randn(gen, VOCAB, D, std=0.3))]
    for i in range(LAYERS):
        p = "model.layers.%d." % i
        w += norm(p + "input_layernorm")
        w += [(p + "self_attn.qkv_proj.weight", torch.cat([randn(gen, (HEADS + kv) * dh, D, std=0.25),
                                                            randn(gen, kv * dh, D, std=0.1)])),
              (p + "self_attn.o_proj.weight", randn(gen, D, HEADS * dh, std=0.1))]
        w += norm(p + "post_attention_layernorm")
        w += [(p + "mlp.gate_up_proj.weight", randn(gen, 2 * f, D, std=0.1)),
              (p + "mlp.down_proj.weight", randn(gen, D, f, std=0.1))]
    w += norm("model.norm") + [("lm_head.weight", randn(gen, VOCAB, D, std=0.1))]
    return w


def phi3_forward(W, ids, factor=PHI3["factor"]):
    n, dh, kv, eps = len(ids), PHI3["dh"], PHI3["kv"], PHI3["eps"]
    rotary = int(dh * factor)
    norm = lambda x, name: rms(x, eps) * W[name + ".weight"]
    x = W["model.embed_tokens.weight"][ids]
    patterns, hook_q = [], None
    for layer in range(LAYERS):
        p = "model.layers.%d." % layer
        h = norm(x, p + "input_layernorm")
        qkv = lin(W, h, p + "self_attn.qkv_proj")
        q = heads(qkv[:, :HEADS * dh], HEADS)
        k = heads(qkv[:, HEADS * dh:(HEADS + kv) * dh], kv)
        v = heads(qkv[:, (HEADS + kv) * dh:], kv)
        q, k = rope(q, PHI3["theta"], rotary), rope(k, PHI3["theta"], rotary)
        if layer == HOOK_LAYER:
            hook_q = q.transpose(0, 1).clone()
        z, pattern = attend(q, k, v, dh ** -0.5, PHI3["window"])
        patterns.append(pattern)
        x = x + lin(W, z, p + "self_attn.o_proj")
        gate, up = lin(W, norm(x, p + "post_attention_layernorm"), p + "mlp.gate_up_proj").chunk(2, dim=-1)
        x = x + (gate * torch.sigmoid(gate) * up) @ W[p + "mlp.down_proj.weight"].T
    return norm(x, "model.norm") @ W["lm_head.weight"].T, torch.stack(patterns), hook_q


# ---------------------------------------------------------------------------
# OPT
# ---------------------------------------------------------------------------
OPT = dict(proj=32, ffn=128, positions=32, eps=1e-5)


def opt_config(dtype, pre_ln):
    return {"architectures": ["OPTForCausalLM"], "model_type": "opt", "activation_function": "relu",
            "hidden_size": D, "ffn_dim": OPT["ffn"], "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
            "vocab_size": VOCAB, "max_position_embeddings": OPT["positions"], "word_embed_proj_dim": OPT["proj"],
            "do_layer_norm_before": pre_ln, "enable_bias": True, "layer_norm_elementwise_affine": True,
            "tie_word_embeddings": True, "bos_token_id": 2, "eos_token_id": 2, "pad_token_id": 1,
            "torch_dtype": TORCH_DTYPE_NAME[dtype]}


def opt_weights(gen):
    ln = lambda n: [(n + ".weight", randn(gen, D, std=0.1, mean=1.0)), (n + ".bias", randn(gen, D, std=0.05))]
    linear = lambda n, o, i, std=0.1: [(n + ".weight", randn(gen, o, i, std=std)), (n + ".bias", randn(gen, o, std=0.05))]
    p0 = "model.decoder."
    w = [(p0 + "embed_tokens.weight", randn(gen, VOCAB, OPT["proj"], std=0.15)),
         (p0 + "embed_positions.weight", randn(gen, OPT["positions"] + 2, D, std=0.3)),
         (p0 + "project_in.weight", randn(gen, D, OPT["proj"], std=0.2)),
         (p0 + "project_out.weight", randn(gen, OPT["proj"], D, std=0.2))]
    for i in range(LAYERS):
        p = p0 + "layers.%d." % i
        for name, std in (("q_proj", 0.25), ("k_proj", 0.25), ("v_proj", 0.1), ("out_proj", 0.1)):
            w += linear(p + "self_attn." + name, D, D, std)
        w += ln(p + "self_attn_layer_norm")
        w += linear(p + "fc1", OPT["ffn"], D) + linear(p + "fc2", D, OPT["ffn"]) + ln(p + "final_layer_norm")
    w += ln(p0 + "final_layer_norm")
    return w


def opt_forward(W, ids, pre_ln):
    n, dh, eps, p0 = len(ids), D // HEADS, OPT["eps"], "model.decoder."
    ln = lambda x, name: layer_norm(x, W[name + ".weight"], W[name + ".bias"], eps)
    x = lin(W, W[p0 + "embed_tokens.weight"][ids], p0 + "project_in") + W[p0 + "embed_positions.weight"][torch.arange(n) + 2]
    patterns, hook_q = [], None
    for layer in range(LAYERS):
        p = p0 + "layers.%d." % layer
        h = ln(x, p + "self_attn_layer_norm") if pre_ln else x
        q = heads(lin(W, h, p + "self_attn.q_proj"), HEADS)
        if layer == HOOK_LAYER:
            hook_q = q.transpose(0, 1).clone()
        z, pattern = attend(q, heads(lin(W, h, p + "self_attn.k_proj"), HEADS), heads(lin(W, h, p + "self_attn.v_proj"), HEADS),
                            dh ** -0.5)
        patterns.append(pattern)
        x = x + lin(W, z, p + "self_attn.out_proj")
        if not pre_ln:
            x = ln(x, p + "self_attn_layer_norm")
        h = ln(x, p + "final_layer_norm") if pre_ln else x
        x = x + lin(W, torch.relu(lin(W, h, p + "fc1")), p + "fc2")
        if not pre_ln:
            x = ln(x, p + "final_layer_norm")
    if pre_ln:
        x = ln(x, p0 + "final_layer_norm")
    return lin(W, x, p0 + "project_out") @ W[p0 + "embed_tokens.weight"].T, torch.stack(patterns), hook_q


# ---------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------
def write_case(name, dtype, cfg, ws, ids, forward):
    folder = new_case(name)
    write_json(os.path.join(folder, "config.json"), cfg)
    write_safetensors(os.path.join(folder, "model.safetensors"), ws, dtype)
    W = {n: stored(t, dtype) for n, t in ws}
    out, att, q = forward(W)
    ref = os.path.join(folder, "reference")
    os.makedirs(ref)
    write_json(os.path.join(ref, "input.json"), {"ids": ids})
    save_npy(os.path.join(ref, "attention.npy"), att)
    save_npy(os.path.join(ref, "output.npy"), out)
    save_npy(os.path.join(ref, "q_L%d.npy" % HOOK_LAYER), q)
    print("%-22s logits within ±%.2f" % (name, out.abs().max().item()))
    return out


def write_gguf_reference(name, forward_result):
    """The reference of a case as llama.cpp runs its converted GGUF, beside the Hugging Face one."""
    out, att, _ = forward_result
    ref = os.path.join(FIXTURES_DIR, name, "reference")
    save_npy(os.path.join(ref, "gguf_attention.npy"), att)
    save_npy(os.path.join(ref, "gguf_output.npy"), out)


def show_effect(what, out, without):
    """The fixture only tests a feature if leaving it out changes the output a lot."""
    diff = (out - without).abs().max().item()
    print("  %-36s changes the output by up to %.3f" % (what, diff))
    assert diff > 1e-2, what + " has no visible effect; the fixture would not test it"


def make_all():
    gen = torch.Generator().manual_seed(SEED)
    ids = torch.randint(3, VOCAB, (T,), generator=gen).tolist()
    f64 = lambda ws: {n: stored(t, "F32") for n, t in ws}

    ws = neox_weights(gen)
    out = write_case("pythia_f32", "F32", neox_config("F32", True), ws, ids, lambda W: neox_forward(W, ids, True))
    seq = write_case("pythia_sequential_f32", "F32", neox_config("F32", False), ws, ids,
                     lambda W: neox_forward(W, ids, False))
    show_effect("parallel vs sequential residual", out, seq)
    write_case("pythia_bf16", "BF16", neox_config("BF16", True), ws, ids, lambda W: neox_forward(W, ids, True))

    for kind in ("gemma", "gemma2", "gemma3"):
        ws = gemma_weights(kind, gen)
        out = write_case(kind + "_f32", "F32", gemma_config(kind, "F32"), ws, ids, lambda W: gemma_forward(W, ids, kind))
        if kind == "gemma2":
            write_case("gemma2_bf16", "BF16", gemma_config(kind, "BF16"), ws, ids, lambda W: gemma_forward(W, ids, kind))
            show_effect("attention soft-cap", out, gemma_forward(f64(ws), ids, kind, attn_cap=0.0)[0])
            show_effect("final soft-cap", out, gemma_forward(f64(ws), ids, kind, final_cap=0.0)[0])
        if kind != "gemma":
            show_effect(kind + " sliding window", out, gemma_forward(f64(ws), ids, kind, window=0)[0])
            as_llama_cpp = dict(scalar=16) if kind == "gemma2" else dict(local=[True] * LAYERS)
            write_gguf_reference(kind + "_f32", gemma_forward(f64(ws), ids, kind, **as_llama_cpp))

    ws = qwen3_weights(gen)
    write_case("qwen3_f32", "F32", qwen3_config("F32"), ws, ids, lambda W: qwen3_forward(W, ids))

    ws = phi3_weights(gen)
    out = write_case("phi3_f32", "F32", phi3_config("F32"), ws, ids, lambda W: phi3_forward(W, ids))
    show_effect("partial rotary", out, phi3_forward(f64(ws), ids, factor=1.0)[0])

    ws = opt_weights(gen)
    out = write_case("opt_f32", "F32", opt_config("F32", True), ws, ids, lambda W: opt_forward(W, ids, True))
    post = write_case("opt_postln_f32", "F32", opt_config("F32", False), [(n, t) for n, t in ws
                      if n != "model.decoder.final_layer_norm.weight" and n != "model.decoder.final_layer_norm.bias"],
                      ids, lambda W: opt_forward(W, ids, False))
    show_effect("post-LN vs pre-LN", out, post)



# ---------------------------------------------------------------------------
# Pythia-160m-shaped benchmark checkpoint
# ---------------------------------------------------------------------------
def make_pythia_160m(outdir):
    d, layers, heads_, inter, vocab = 768, 12, 12, 3072, 50304
    shapes = [("gpt_neox.embed_in.weight", (vocab, d))]
    for i in range(layers):
        p = "gpt_neox.layers.%d." % i
        shapes += [(p + "input_layernorm.weight", (d,)), (p + "input_layernorm.bias", (d,)),
                   (p + "post_attention_layernorm.weight", (d,)), (p + "post_attention_layernorm.bias", (d,)),
                   (p + "attention.query_key_value.weight", (3 * d, d)), (p + "attention.query_key_value.bias", (3 * d,)),
                   (p + "attention.dense.weight", (d, d)), (p + "attention.dense.bias", (d,)),
                   (p + "mlp.dense_h_to_4h.weight", (inter, d)), (p + "mlp.dense_h_to_4h.bias", (inter,)),
                   (p + "mlp.dense_4h_to_h.weight", (d, inter)), (p + "mlp.dense_4h_to_h.bias", (d,))]
    shapes += [("gpt_neox.final_layer_norm.weight", (d,)), ("gpt_neox.final_layer_norm.bias", (d,)),
               ("embed_out.weight", (vocab, d))]
    os.makedirs(outdir, exist_ok=True)
    cfg = neox_config("F32", True)
    cfg.update(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads_, intermediate_size=inter,
               vocab_size=vocab, max_position_embeddings=2048, rotary_pct=0.25)
    write_json(os.path.join(outdir, "config.json"), cfg)
    gen = torch.Generator().manual_seed(7)

    def make(name, shape):
        if len(shape) == 1:
            return torch.ones(shape) if "norm.weight" in name else torch.zeros(shape)
        return randn(gen, *shape, std=0.02)

    size = write_streamed_safetensors(os.path.join(outdir, "model.safetensors"), shapes, "F32", make)
    print("wrote", outdir, "(%.2f GB)" % (size / 1e9))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pythia-160m", metavar="OUTDIR", help="write a random Pythia-160m-shaped checkpoint and exit")
    args = ap.parse_args(argv)
    torch.set_grad_enabled(False)
    if args.pythia_160m:
        make_pythia_160m(args.pythia_160m)
        return
    make_all()
    print("family fixtures written")


if __name__ == "__main__":
    main(sys.argv[1:])
