#!/usr/bin/python3
"""Independent PyTorch (float64) reference for the attention interventions run as analyses.

Usage
-----
    /usr/bin/python3 src/test/python/intervene_reference.py

Reads the GPT-2 fixture src/test/resources/fixtures/gpt2_f32 (config.json, model.safetensors read by hand,
reference/input.json) and writes reference/intervene.json with, per case, the softmax of the logits at the last
position without and with the intervention, and KL(original || shifted) in nats:

    zerotuning   in the chosen heads, every query row: A'_i0 = g A_i0 / Z_i, A'_ij = A_ij / Z_i,
                 Z_i = 1 + (g - 1) A_i0 (after softmax, before pattern @ v); rows with Z_i <= 0 (g = 0 and
                 all mass on key 0) are left as they are
    act          sinks per chosen head: keys j (j > 0 unless include_first) whose clean sink score
                 s_j = 1/(T - j) sum_{i >= j} A_ij exceeds alpha; every row keeps b A_ij on the sinks and
                 A_ij (1 - b m_i) / (1 - m_i) elsewhere, m_i = sum_{j in S} A_ij; rows with 1 - m_i < 1e-6
                 are left as they are. The detected sinks are written too: [[layer, head, [keys]], ...]

Its own forward (no transformers package): GPT-2 with Conv1D weights [in, out], tanh GELU, LayerNorm eps from
the config, tied head. Deterministic: reruns write identical files.
"""
import json
import math
import os
import struct

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "gpt2_f32")
NOWHERE = 1e-6

CASES = [
    {"kind": "zerotuning", "gamma": 0.5, "heads": [[1, 2], [2, 0]]},
    {"kind": "zerotuning", "gamma": 3.0, "heads": "all"},
    {"kind": "zerotuning", "gamma": 0.0, "heads": [[0, 1]]},
    {"kind": "act", "beta": 0.4, "alpha": 0.1, "include_first": False, "heads": "all"},
    {"kind": "act", "beta": 0.0, "alpha": 0.1, "include_first": True, "heads": [[0, 1], [2, 3]]},
]


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", name
        start, end = meta["data_offsets"]
        t = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32).reshape(meta["shape"])
        out[name[len("transformer."):] if name.startswith("transformer.") else name] = t.double()
    return out


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(W, c, ids, edit=None):
    """Logits [T, V] and the clean patterns [L][H, T, T]; edit(layer, pattern [H,T,T]) -> pattern."""
    d, H, eps = c["n_embd"], c["n_head"], c["layer_norm_epsilon"]
    dh, T = d // H, len(ids)
    x = W["wte.weight"][ids] + W["wpe.weight"][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    patterns = []
    for l in range(c["n_layer"]):
        p = "h.%d." % l
        h = layer_norm(x, W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)
        qkv = h @ W[p + "attn.c_attn.weight"] + W[p + "attn.c_attn.bias"]
        q, k, v = (t.reshape(T, H, dh).transpose(0, 1) for t in qkv.split(d, dim=1))
        scores = (q @ k.transpose(1, 2)) / math.sqrt(dh)
        scores = scores.masked_fill(~mask, float("-inf"))
        pattern = torch.softmax(scores, dim=-1)
        patterns.append(pattern)
        if edit is not None:
            pattern = edit(l, pattern.clone())
        z = (pattern @ v).transpose(0, 1).reshape(T, d)
        x = x + z @ W[p + "attn.c_proj.weight"] + W[p + "attn.c_proj.bias"]
        h = layer_norm(x, W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
        x = x + gelu_tanh(h @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"]) @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"]
    x = layer_norm(x, W["ln_f.weight"], W["ln_f.bias"], eps)
    return x @ W["wte.weight"].T, patterns


def chosen(case, c):
    if case["heads"] == "all":
        return [[l, h] for l in range(c["n_layer"]) for h in range(c["n_head"])]
    return case["heads"]


def zerotuning_edit(heads, gamma):
    def edit(layer, pattern):
        for l, h in heads:
            if l == layer:
                a = pattern[h]
                z = 1 + (gamma - 1) * a[:, 0:1]
                tuned = a / z
                tuned[:, 0] = tuned[:, 0] * gamma
                keep = (z <= 0).expand_as(a)  # gamma = 0 on a row whose mass is all on key 0: left as it is
                pattern[h] = torch.where(keep, a, tuned)
        return pattern
    return edit


def detect_sinks(patterns, heads, alpha, include_first):
    T = patterns[0].shape[-1]
    out = []
    for l, h in heads:
        a = patterns[l][h]
        s = a.sum(0) / torch.tensor([T - j for j in range(T)], dtype=torch.float64)
        keys = [j for j in range(0 if include_first else 1, T) if s[j].item() > alpha]
        margin = min(abs(s[j].item() - alpha) for j in range(T))
        assert margin > 1e-5, "sink score %g too close to alpha for a float32 comparison" % margin
        out.append([l, h, keys])
    return out


def act_edit(sinks, beta):
    def edit(layer, pattern):
        for l, h, keys in sinks:
            if l != layer or not keys:
                continue
            a = pattern[h]
            for i in range(a.shape[0]):
                m = a[i, keys].sum().item()
                rest = 1 - m
                if m <= 0 or rest < NOWHERE:
                    continue
                row = a[i] * ((rest + (1 - beta) * m) / rest)
                row[keys] = a[i, keys] * beta
                a[i] = row
            pattern[h] = a
        return pattern
    return edit


def main():
    c = json.load(open(os.path.join(ROOT, "config.json")))
    W = read_safetensors(os.path.join(ROOT, "model.safetensors"))
    ids = json.load(open(os.path.join(ROOT, "reference", "input.json")))["ids"]
    clean, patterns = forward(W, c, ids)
    position = len(ids) - 1
    p = torch.softmax(clean[position], -1)
    cases = []
    for case in CASES:
        heads = chosen(case, c)
        out = dict(case)
        if case["kind"] == "zerotuning":
            logits, _ = forward(W, c, ids, zerotuning_edit(heads, case["gamma"]))
        else:
            sinks = detect_sinks(patterns, heads, case["alpha"], case["include_first"])
            out["sinks"] = sinks
            logits, _ = forward(W, c, ids, act_edit(sinks, case["beta"]))
        q = torch.softmax(logits[position], -1)
        out["position"] = position
        out["original"] = p.tolist()
        out["shifted"] = q.tolist()
        out["kl"] = float((p * (torch.log(p) - torch.log(q))).sum())
        cases.append(out)
    path = os.path.join(ROOT, "reference", "intervene.json")
    with open(path, "w") as f:
        json.dump({"fixture": "gpt2_f32", "ids": ids, "cases": cases}, f, indent=1)
        f.write("\n")
    for case in cases:
        print(case["kind"], case.get("gamma", case.get("beta")), "KL %.3e" % case["kl"],
              "sinks %d" % sum(len(s[2]) for s in case.get("sinks", [])))


if __name__ == "__main__":
    main()
