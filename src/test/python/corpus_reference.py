#!/usr/bin/python3
"""Independent reference for the corpus command (docs/corpus.md) on the gpt2_f32 fixture.

Usage
-----
    /usr/bin/python3 src/test/python/corpus_reference.py

Writes src/test/resources/fixtures/corpus_gpt2/prompts.jsonl (a small corpus of token ids: some prompts repeat a
stretch of tokens, so the induction and duplicate-token scores apply to them) and reference/head_stats.json,
reference/layer_stats.json and reference/atlas.json. The attention of every prompt comes from make_fixtures.py's
float64 PyTorch GPT-2 on the same weights (rebuilt from its seed), not from Headwise; the statistics, the
Jensen-Shannon distances (computed directly as ½ Σ p ln(p/m) + ½ Σ q ln(q/m)) and the classical MDS (numpy.linalg.eigh)
are NumPy. Deterministic.
"""
import json
import os
import random

import numpy as np
import torch

import make_fixtures as mf

HERE = os.path.dirname(os.path.abspath(__file__))
CASE = os.path.join(HERE, "..", "resources", "fixtures", "corpus_gpt2")
METRICS = ["entropy", "entropy_normalised", "confidence", "prev_token", "mean_distance", "first_token_sink",
           "duplicate_token", "induction"]


def prompts():
    r = random.Random(20)
    out = []
    for k in range(12):
        n = r.randint(4, 24)
        ids = [r.randrange(97) for _ in range(n)]
        if k % 3 == 0:  # a repeated stretch: induction applies
            ids = ids[: max(2, n // 2)] * 2
        row = {"id": "p%d" % k, "ids": ids}
        if k % 2:
            row["label"] = "odd"
        out.append(row)
    return out


def attention_of(ids):
    c = mf.GPT2_TINY
    gen = torch.Generator().manual_seed(mf.GPT2_SEED)
    weights = {n: mf.stored(t, "F32") for n, t in mf.gpt2_weights(c, gen)}
    return mf.gpt2_forward(weights, c, ids)[1].numpy()  # [L, H, T, T] float64


def xlogx(a):
    return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)


def per_head(A, ids):
    L, H, T, _ = A.shape
    i = np.arange(T)
    entropy_rows = -xlogx(A).sum(-1)  # [L, H, T]
    keys = i + 1  # causal: query i sees i+1 keys
    normalised = np.where(keys > 1, entropy_rows / np.log(np.maximum(keys, 2)), 0.0).mean(-1)
    prev = A[:, :, i[1:], i[1:] - 1].sum(-1) / A.sum((-1, -2))
    dist = np.abs(i[:, None] - i[None, :])
    sink0 = A[:, :, :, 0].sum(-1) / T  # causal sink score of token 0: all T queries see it
    tok = np.array(ids)
    repeats = len(set(ids)) < len(ids)
    dup = np.tril(tok[:, None] == tok[None, :], -1)
    ind = np.zeros((T, T), bool)
    ind[:, 1:] = tok[:, None] == tok[None, :-1]
    ind = np.tril(ind)
    score = lambda D: (A * D).sum((-1, -2)) / A.sum((-1, -2))
    nan = np.full((L, H), np.nan)
    return {
        "entropy": entropy_rows.mean(-1),
        "entropy_normalised": normalised,
        "confidence": A.max(-1).mean(-1),
        "prev_token": prev,
        "mean_distance": (A * dist).sum(-1).mean(-1),
        "first_token_sink": sink0,
        "duplicate_token": score(dup) if repeats else nan,
        "induction": score(ind) if repeats else nan,
    }


def js_distance(A):
    L, H, T, _ = A.shape
    P = A.reshape(L * H, T, T)
    n = L * H
    out = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            p, q = P[a], P[b]
            m = 0.5 * (p + q)
            with np.errstate(divide="ignore", invalid="ignore"):
                kl_p = np.where(p > 0, p * np.log(p / m), 0.0).sum(-1)
                kl_q = np.where(q > 0, q * np.log(q / m), 0.0).sum(-1)
            out[a, b] = (0.5 * kl_p + 0.5 * kl_q).mean()
    return out


def mds(D):
    n = len(D)
    J = np.eye(n) - np.ones((n, n)) / n
    B = -0.5 * J @ (D ** 2) @ J
    values, vectors = np.linalg.eigh(B)
    order = np.argsort(-values, kind="stable")[:2]
    xy = np.zeros((n, 2))
    for axis, k in enumerate(order):
        v = vectors[:, k]
        v = v * (1 if v[np.argmax(np.abs(v))] >= 0 else -1)
        xy[:, axis] = v * np.sqrt(max(values[k], 0.0))
    return xy


def summary(values):
    """values: [N, ...] with NaN rows for prompts a metric does not apply to."""
    kept = values[~np.isnan(values.reshape(len(values), -1)[:, 0])]
    return {"prompts": int(len(kept)),
            "mean": kept.mean(0).tolist(), "std": kept.std(0).tolist(),
            "p10": np.percentile(kept, 10, axis=0).tolist(), "p50": np.percentile(kept, 50, axis=0).tolist(),
            "p90": np.percentile(kept, 90, axis=0).tolist()}


def main():
    rows = prompts()
    os.makedirs(os.path.join(CASE, "reference"), exist_ok=True)
    with open(os.path.join(CASE, "prompts.jsonl"), "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    per = {m: [] for m in METRICS}
    distance = 0
    for row in rows:
        A = attention_of(row["ids"])
        for m, v in per_head(A, row["ids"]).items():
            per[m].append(v)
        distance = distance + js_distance(A)
    distance = distance / len(rows)
    head_stats = {"prompts": len(rows), "metrics": {m: summary(np.array(v)) for m, v in per.items()}}
    layer_stats = {"prompts": len(rows), "metrics": {m: summary(np.array(v).mean(-1)) for m, v in per.items()}}
    xy = mds(distance)
    heads = mf.GPT2_TINY["n_head"]
    atlas = {"distance": distance.tolist(),
             "heads": [{"layer": k // heads, "head": k % heads, "x": xy[k, 0], "y": xy[k, 1]} for k in range(len(xy))]}
    for name, doc in [("head_stats", head_stats), ("layer_stats", layer_stats), ("atlas", atlas)]:
        with open(os.path.join(CASE, "reference", name + ".json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    print("wrote", os.path.relpath(CASE))


if __name__ == "__main__":
    main()
