#!/usr/bin/python3
"""Tiny random-weight Llama / Mistral / Qwen2 checkpoints (Hugging Face layout) and float64 references.

Usage
-----
    /usr/bin/python3 src/test/python/make_llama_fixtures.py
        Regenerates every case below under src/test/resources/fixtures/ (fixed seeds: reruns are
        byte-identical).

    /usr/bin/python3 src/test/python/make_llama_fixtures.py --tinyllama OUTDIR
        Writes a TinyLlama-1.1B-shaped checkpoint (22 layers, hidden 2048, 32 heads, 4 KV heads,
        intermediate 5632, vocab 32000, untied lm_head) with random BF16 weights (std 0.02, norms 1)
        as OUTDIR/config.json + OUTDIR/model.safetensors (~2.2 GB), streamed tensor by tensor.
        No reference. For memory/time measurements only; do not commit.

Needs only torch + numpy; the safetensors writer and the shared helpers come from make_fixtures.py.
The reference forward below is written from the Hugging Face modeling code's definitions (LlamaRMSNorm,
rotate_half RoPE, repeat_kv, SwiGLU MLP, sliding-window causal mask) and evaluated in float64 on the
*stored* weights (after rounding to BF16/F16 for those cases). One deliberate exception: the RoPE
inverse frequencies (with rope_scaling) and the angles position * inv_freq are computed in float32,
exactly as Hugging Face computes them (its _compute_default_rope_parameters, _compute_llama3_parameters
and LlamaRotaryEmbedding.forward force float32); cos/sin and everything after are float64.

Model (shared by every case unless noted): hidden 64, 3 layers, 4 heads of 16, intermediate 160,
vocab 97, rms_norm_eps 1e-6, T = 16 token ids.

Cases (one folder each)
-----------------------
    llama_f32                  LlamaForCausalLM, `model.` prefix, GQA (2 KV heads), untied lm_head.weight
    llama_bf16, llama_f16      the same weights stored as BF16 / F16
    llama3_scaling_f32         rope_theta 500, rope_scaling {"rope_type": "llama3", factor 8,
                               low_freq_factor 1, high_freq_factor 4, original_max_position_embeddings 32}:
                               of the 8 frequencies 1 is kept, 2 are smoothed, 5 are divided by 8
    llama_linear_scaling_f32   rope_scaling {"type": "linear", "factor": 2.0} (the older "type" key)
    llama_mqa_tied_f32         1 KV head (MQA), tie_word_embeddings true, no lm_head.weight
    llama_bare_f32             LlamaModel: names without `model.`, no head; output = last hidden state
                               after the final norm [T, 64]
    mistral_window_f32         MistralForCausalLM, sliding_window 4, T = 12, head_dim 32 (≠ 64/4, as in
                               Mistral-Nemo: q_proj is [128, 64])
    qwen2_f32                  Qwen2ForCausalLM, q/k/v biases, tied embeddings, rope_theta 1e6,
                               sliding_window 4 but use_sliding_window false (so no window applies)

Reference files (reference/, float32 .npy, C order)
---------------------------------------------------
    input.json      {"ids": [...]} (used as given, no BOS added)
    attention.npy   [L, H, T, T] softmax probabilities, per query head (row = query, column = key)
    output.npy      logits [T, V] (bare model: last hidden state [T, d])
    q_L1.npy        layer 1's queries after RoPE, [T, H, d_head] (= hook blocks.1.attn.hook_q, batch 0)

Tokenizers (fixtures/tokenizers/NAME/tokenizer.json; hand-made, tiny vocabularies, for the sentence
"hello world é", whose "é" is in no vocabulary as a whole)
-------------------------------------------------------------------------------------------------
    llama2        Llama-2 SentencePiece BPE as Hugging Face converts it: normalizer Prepend("▁") +
                  Replace(" " → "▁"), byte_fallback with <0x00>…<0xFF> at ids 3…258,
                  TemplateProcessing adding <s> (id 1), decoder Replace/ByteFallback/Fuse/Strip
    llama2_metaspace  the same vocabulary with the newer Metaspace pre-tokenizer (prepend_scheme "first",
                  split false) instead of the normalizer
    llama3        Llama-3 byte-level BPE: Split (Llama-3 regex) + ByteLevel pre-tokenizer, ignore_merges,
                  merges as pairs, post-processor ByteLevel + TemplateProcessing adding <|begin_of_text|>
    qwen2         Qwen2 byte-level BPE: NFC normalizer, Split (Qwen2 regex) + ByteLevel, post-processor
                  ByteLevel only (no BOS)
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import (  # noqa: E402  (helpers shared with the GPT-2/BERT fixtures)
    FIXTURES, TORCH_DTYPE_NAME, new_case, randn, save_npy, stored, tensor_bytes, write_json, write_safetensors,
    write_streamed_safetensors)

TINY = dict(hidden_size=64, num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2,
            head_dim=16, intermediate_size=160, vocab_size=97)
SEED, T = 2024, 16
EPS = 1e-6
HOOK_LAYER = 1


# ---------------------------------------------------------------------------
# config.json
# ---------------------------------------------------------------------------
def config(c, dtype, model_type="llama", architecture="LlamaForCausalLM", **extra):
    cfg = {
        "architectures": [architecture],
        "model_type": model_type,
        "attention_bias": False, "attention_dropout": 0.0, "mlp_bias": False,
        "bos_token_id": 1, "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": c["hidden_size"],
        "initializer_range": 0.02,
        "intermediate_size": c["intermediate_size"],
        "max_position_embeddings": 64,
        "num_attention_heads": c["num_attention_heads"],
        "num_hidden_layers": c["num_hidden_layers"],
        "num_key_value_heads": c["num_key_value_heads"],
        "pretraining_tp": 1,
        "rms_norm_eps": EPS,
        "rope_scaling": None,
        "rope_theta": 10000.0,
        "tie_word_embeddings": False,
        "torch_dtype": TORCH_DTYPE_NAME[dtype],
        "use_cache": True,
        "vocab_size": c["vocab_size"],
    }
    if c["head_dim"] != c["hidden_size"] // c["num_attention_heads"]:
        cfg["head_dim"] = c["head_dim"]
    cfg.update(extra)
    return cfg


# ---------------------------------------------------------------------------
# weights: ordered (name without `model.`, float32 tensor); Linear layout [out, in]
# ---------------------------------------------------------------------------
def weights(c, gen, qkv_bias=False, lm_head=True, emb_std=0.3, mat_std=0.1, qk_std=0.25, norm_std=0.1):
    """Tied cases pass a smaller emb_std: with std 0.3 the tied logits reach ~12, where plain float32
    (PyTorch's own float32 forward included) is already ~2e-5 off the float64 reference."""
    d, f, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    qw = c["num_attention_heads"] * c["head_dim"]
    kvw = c["num_key_value_heads"] * c["head_dim"]
    norm = lambda n: [(n + ".weight", randn(gen, d, std=norm_std, mean=1.0))]
    w = [("embed_tokens.weight", randn(gen, V, d, std=emb_std))]
    for i in range(c["num_hidden_layers"]):
        p = "layers.%d." % i
        w += norm(p + "input_layernorm")
        for name, out, std in (("q_proj", qw, qk_std), ("k_proj", kvw, qk_std), ("v_proj", kvw, mat_std)):
            w.append((p + "self_attn." + name + ".weight", randn(gen, out, d, std=std)))
            if qkv_bias:
                w.append((p + "self_attn." + name + ".bias", randn(gen, out, std=0.1)))
        w.append((p + "self_attn.o_proj.weight", randn(gen, d, qw, std=mat_std)))
        w += norm(p + "post_attention_layernorm")
        w += [(p + "mlp.gate_proj.weight", randn(gen, f, d, std=mat_std)),
              (p + "mlp.up_proj.weight", randn(gen, f, d, std=mat_std)),
              (p + "mlp.down_proj.weight", randn(gen, d, f, std=mat_std))]
    w += norm("norm")
    if lm_head:
        w.append(("lm_head.weight", randn(gen, V, d, std=0.1)))
    return w


def prefixed(ws):
    """LlamaForCausalLM names: everything but lm_head under `model.`."""
    return [(n if n == "lm_head.weight" else "model." + n, t) for n, t in ws]


# ---------------------------------------------------------------------------
# RoPE frequencies, as Hugging Face computes them (float32)
# ---------------------------------------------------------------------------
def inv_freq(theta, dh, scaling):
    inv = 1.0 / (theta ** (torch.arange(0, dh, 2, dtype=torch.int64).float() / dh))
    if scaling is None:
        return inv
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "linear":
        return inv / scaling["factor"]
    if kind == "llama3":  # _compute_llama3_parameters
        factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        return torch.where(medium, smoothed, scaled)
    raise ValueError(kind)


def rope_cos_sin(theta, dh, scaling, length):
    freqs = torch.arange(length, dtype=torch.float32)[:, None] * inv_freq(theta, dh, scaling)[None, :]
    emb = torch.cat([freqs, freqs], dim=-1).to(torch.float64)  # [T, dh]
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


# ---------------------------------------------------------------------------
# float64 reference forward
# ---------------------------------------------------------------------------
def rms_norm(x, w):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + EPS) * w


def forward(W, c, ids, theta=10000.0, scaling=None, window=0, tied=False, bare=False):
    """W: name (no prefix) -> float64. Returns (output, attention [L,H,T,T], q after RoPE of HOOK_LAYER [T,H,dh])."""
    n, H, KV, dh = len(ids), c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
    cos, sin = rope_cos_sin(theta, dh, scaling, n)
    i_pos = torch.arange(n)[:, None]
    j_pos = torch.arange(n)[None, :]
    hidden = j_pos > i_pos
    if window:
        hidden = hidden | (i_pos - j_pos >= window)  # a query sees the last `window` keys, itself included
    lin = lambda x, name: x @ W[name + ".weight"].T + (W[name + ".bias"] if name + ".bias" in W else 0)

    x = W["embed_tokens.weight"][ids]
    patterns, hook_q = [], None
    for layer in range(c["num_hidden_layers"]):
        p = "layers.%d." % layer
        h = rms_norm(x, W[p + "input_layernorm.weight"])
        q = lin(h, p + "self_attn.q_proj").view(n, H, dh).transpose(0, 1)   # [H, T, dh]
        k = lin(h, p + "self_attn.k_proj").view(n, KV, dh).transpose(0, 1)  # [KV, T, dh]
        v = lin(h, p + "self_attn.v_proj").view(n, KV, dh).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if layer == HOOK_LAYER:
            hook_q = q.transpose(0, 1).clone()
        k = k.repeat_interleave(H // KV, dim=0)  # repeat_kv: query head h reads KV head h // (H/KV)
        v = v.repeat_interleave(H // KV, dim=0)
        scores = (q @ k.transpose(1, 2)) / math.sqrt(dh)
        pattern = torch.softmax(scores.masked_fill(hidden, float("-inf")), dim=-1)
        patterns.append(pattern)
        z = (pattern @ v).transpose(0, 1).reshape(n, H * dh)
        x = x + lin(z, p + "self_attn.o_proj")
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"])
        gate = lin(h, p + "mlp.gate_proj")
        x = x + lin(gate * torch.sigmoid(gate) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms_norm(x, W["norm.weight"])
    if bare:
        out = x
    else:
        out = x @ (W["embed_tokens.weight"] if tied else W["lm_head.weight"]).T
    return out, torch.stack(patterns), hook_q


def write_case(name, c, dtype, cfg, tensors, ws, ids, **fw):
    folder = new_case(name)
    write_json(os.path.join(folder, "config.json"), cfg)
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors, dtype)
    W = {n: stored(t, dtype) for n, t in ws}
    out, att, q = forward(W, c, ids, **fw)
    ref = os.path.join(folder, "reference")
    os.makedirs(ref)
    write_json(os.path.join(ref, "input.json"), {"ids": ids})
    save_npy(os.path.join(ref, "attention.npy"), att)
    save_npy(os.path.join(ref, "output.npy"), out)
    save_npy(os.path.join(ref, "q_L%d.npy" % HOOK_LAYER), q)
    return out, att


def make_all():
    c = TINY
    gen = torch.Generator().manual_seed(SEED)
    ids = torch.randint(3, c["vocab_size"], (T,), generator=gen).tolist()
    ws = weights(c, gen)
    W32 = {n: stored(t, "F32") for n, t in ws}

    base, _ = write_case("llama_f32", c, "F32", config(c, "F32"), prefixed(ws), ws, ids)
    write_case("llama_bf16", c, "BF16", config(c, "BF16"), prefixed(ws), ws, ids)
    write_case("llama_f16", c, "F16", config(c, "F16"), prefixed(ws), ws, ids)

    llama3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
              "original_max_position_embeddings": 32}
    out, _ = write_case("llama3_scaling_f32", c, "F32", config(c, "F32", rope_theta=500.0, rope_scaling=llama3),
                        prefixed(ws), ws, ids, theta=500.0, scaling=llama3)
    plain = forward(W32, c, ids, theta=500.0)[0]
    show_effect("llama3 rope_scaling", out, plain, inv_freq(500.0, c["head_dim"], None),
                inv_freq(500.0, c["head_dim"], llama3))

    linear = {"type": "linear", "factor": 2.0}
    out, _ = write_case("llama_linear_scaling_f32", c, "F32", config(c, "F32", rope_scaling=linear),
                        prefixed(ws), ws, ids, scaling=linear)
    show_effect("linear rope_scaling", out, base)

    mqa = dict(c, num_key_value_heads=1)
    gen_mqa = torch.Generator().manual_seed(SEED + 1)
    ws_mqa = weights(mqa, gen_mqa, lm_head=False, emb_std=0.1)
    write_case("llama_mqa_tied_f32", mqa, "F32", config(mqa, "F32", tie_word_embeddings=True),
               prefixed(ws_mqa), ws_mqa, ids, tied=True)

    bare = [(n, t) for n, t in ws if n != "lm_head.weight"]
    write_case("llama_bare_f32", c, "F32", config(c, "F32", architecture="LlamaModel"), bare, bare, ids, bare=True)

    mistral = dict(c, head_dim=32)
    gen_mistral = torch.Generator().manual_seed(SEED + 2)
    ws_mistral = weights(mistral, gen_mistral)
    mistral_ids = ids[:12]
    cfg = config(mistral, "F32", model_type="mistral", architecture="MistralForCausalLM", sliding_window=4)
    for key in ("attention_bias", "mlp_bias", "pretraining_tp", "rope_scaling"):
        del cfg[key]
    out, _ = write_case("mistral_window_f32", mistral, "F32", cfg, prefixed(ws_mistral), ws_mistral, mistral_ids,
                        window=4)
    W_m = {n: stored(t, "F32") for n, t in ws_mistral}
    show_effect("sliding window 4", out, forward(W_m, mistral, mistral_ids)[0])

    gen_qwen = torch.Generator().manual_seed(SEED + 3)
    ws_qwen = weights(c, gen_qwen, qkv_bias=True, lm_head=False, emb_std=0.1)
    cfg = config(c, "F32", model_type="qwen2", architecture="Qwen2ForCausalLM", rope_theta=1000000.0,
                 tie_word_embeddings=True, use_sliding_window=False, sliding_window=4, max_window_layers=2)
    for key in ("attention_bias", "mlp_bias", "pretraining_tp", "rope_scaling"):
        del cfg[key]
    out, _ = write_case("qwen2_f32", c, "F32", cfg, prefixed(ws_qwen), ws_qwen, ids, theta=1000000.0, tied=True)
    W_q = {n: stored(t, "F32") for n, t in ws_qwen}
    show_effect("(unused) window 4", forward(W_q, c, ids, theta=1000000.0, tied=True, window=4)[0], out)


def show_effect(what, out, without, inv_plain=None, inv_scaled=None):
    """The fixture only tests a feature if leaving the feature out changes the output a lot."""
    diff = (out - without).abs().max().item()
    print("%-22s changes the output by up to %.3f" % (what, diff))
    assert diff > 1e-2, what + " has no visible effect; fixture would not test it"
    if inv_plain is not None:
        ratio = (inv_plain / inv_scaled).tolist()
        print("  inv_freq divided by", ["%.3f" % r for r in ratio])


# ---------------------------------------------------------------------------
# tokenizer.json fixtures
# ---------------------------------------------------------------------------
SPECIAL = dict(single_word=False, lstrip=False, rstrip=False, normalized=False, special=True)
# merges in rank order; they build "hello" and "world" from single characters (▁/Ġ = the leading space)
WORD_MERGES = [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("o", "r"), ("l", "d"), ("SP", "w"),
               ("SPw", "or"), ("SPwor", "ld")]


def merges_for(space):
    return [(a.replace("SP", space), b.replace("SP", space)) for a, b in WORD_MERGES]


def bpe_vocab(base, merges):
    vocab = {t: i for i, t in enumerate(base)}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    return vocab


def template(bos, bos_id):
    """Hugging Face's TemplateProcessing that puts `bos` before every sequence."""
    return {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [bos_id], "tokens": [bos]}}}


def llama2_tokenizer(metaspace):
    base = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + ["▁", "h", "e", "l", "o", "w", "r", "d"]
    merges = merges_for("▁") + [("▁", "hello")]  # SentencePiece marks the first word too
    spm_decoder = {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
        {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [dict(id=i, content=t, **SPECIAL) for i, t in enumerate(base[:3])],
        "normalizer": None if metaspace else {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}
        if metaspace else None,
        "post_processor": template("<s>", 1),
        "decoder": spm_decoder,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": bpe_vocab(base, merges), "merges": ["%s %s" % m for m in merges]},
    }


def bytes_to_unicode():
    """GPT-2's printable stand-in for each byte (the ByteLevel alphabet): 0x20 → Ġ, 0xC3 → Ã, 0xA9 → ©."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def byte_level_tokenizer(specials, split, bos, nfc):
    byte_chars = bytes_to_unicode()
    base = [byte_chars[b] for b in range(256)]  # id b = byte b
    merges = merges_for(byte_chars[ord(" ")])
    vocab = bpe_vocab(base, merges)
    added = [dict(id=len(vocab) + i, content=t, **SPECIAL) for i, t in enumerate(specials)]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    post = [dict(byte_level)]
    if bos is not None:
        post.append(template(bos, next(a["id"] for a in added if a["content"] == bos)))
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "NFC"} if nfc else None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": split}, "behavior": "Isolated", "invert": False},
            dict(byte_level, trim_offsets=True)]},
        "post_processor": {"type": "Sequence", "processors": post} if len(post) > 1 else post[0],
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": vocab, "merges": [list(m) for m in merges]},
    }


def make_tokenizers():
    root = os.path.join(FIXTURES, "tokenizers")
    files = {
        "llama2": llama2_tokenizer(metaspace=False),
        "llama2_metaspace": llama2_tokenizer(metaspace=True),
        "llama3": byte_level_tokenizer(["<|begin_of_text|>", "<|end_of_text|>"], LLAMA3_SPLIT, "<|begin_of_text|>",
                                       nfc=False),
        "qwen2": byte_level_tokenizer(["<|endoftext|>", "<|im_start|>", "<|im_end|>"], QWEN2_SPLIT, None, nfc=True),
    }
    for name, content in files.items():
        folder = os.path.join(root, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(content, f, indent=2, ensure_ascii=False)
            f.write("\n")


# ---------------------------------------------------------------------------
# TinyLlama-shaped benchmark checkpoint
# ---------------------------------------------------------------------------
def make_tinyllama(outdir):
    c = dict(hidden_size=2048, num_hidden_layers=22, num_attention_heads=32, num_key_value_heads=4,
             head_dim=64, intermediate_size=5632, vocab_size=32000)
    d, f, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    kvw = c["num_key_value_heads"] * c["head_dim"]
    shapes = [("model.embed_tokens.weight", (V, d))]
    for i in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % i
        shapes += [(p + "input_layernorm.weight", (d,)),
                   (p + "self_attn.q_proj.weight", (d, d)), (p + "self_attn.k_proj.weight", (kvw, d)),
                   (p + "self_attn.v_proj.weight", (kvw, d)), (p + "self_attn.o_proj.weight", (d, d)),
                   (p + "post_attention_layernorm.weight", (d,)),
                   (p + "mlp.gate_proj.weight", (f, d)), (p + "mlp.up_proj.weight", (f, d)),
                   (p + "mlp.down_proj.weight", (d, f))]
    shapes += [("model.norm.weight", (d,)), ("lm_head.weight", (V, d))]
    os.makedirs(outdir, exist_ok=True)
    cfg = config(c, "BF16", max_position_embeddings=2048, rms_norm_eps=1e-5)
    write_json(os.path.join(outdir, "config.json"), cfg)

    gen = torch.Generator().manual_seed(7)
    size = write_streamed_safetensors(os.path.join(outdir, "model.safetensors"), shapes, "BF16",
                                      lambda name, shape: torch.ones(shape) if len(shape) == 1
                                      else randn(gen, *shape, std=0.02))
    print("wrote", outdir, "(%.2f GB)" % (size / 1e9))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinyllama", metavar="OUTDIR", help="write a random TinyLlama-shaped BF16 checkpoint and exit")
    args = ap.parse_args(argv)
    torch.set_grad_enabled(False)
    if args.tinyllama:
        make_tinyllama(args.tinyllama)
        return
    make_all()
    make_tokenizers()
    print("llama fixtures and tokenizers written")


if __name__ == "__main__":
    main(sys.argv[1:])
