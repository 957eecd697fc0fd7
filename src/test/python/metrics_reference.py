#!/usr/bin/python3
"""Independent NumPy reference for the fixed metrics.json keys (see docs/metrics-json.md).

Usage
-----
    /usr/bin/python3 src/test/python/metrics_reference.py [FIXTURE ...]

For each fixture folder name under src/test/resources/fixtures/ (default: gpt2_f32) reads
reference/attention.npy (float32 [L, H, T, T]) and config.json (causal unless the model is BERT-like or a
ViT) and writes reference/metrics.json with the keys entropy, confidence, prev_token, sink_score, sink_rate,
mean_distance, rollout, layer_similarity, computed in float64 with natural logs. Needs only numpy.
Deterministic: reruns write identical files.
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures")
SINK_EPSILON = 0.3


def is_causal(config):
    model_type = config.get("model_type", "")
    return model_type not in ("bert", "vit", "deit")


def metrics(attention, causal):
    A = attention.astype(np.float64)  # [L, H, T, T]
    L, H, T, _ = A.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(A > 0, A * np.log(np.where(A > 0, A, 1.0)), 0.0)
    entropy = (-plogp.sum(axis=-1)).mean(axis=-1)
    confidence = A.max(axis=-1).mean(axis=-1)
    sub = np.arange(1, T)
    prev = A[:, :, sub, sub - 1].sum(axis=-1) / A.sum(axis=(-1, -2))
    if causal:
        lower = np.tril(np.ones((T, T)))  # i >= j
        sink = (A * lower).sum(axis=-2) / (T - np.arange(T))
    else:
        sink = A.sum(axis=-2) / T
    sink_rate = 100.0 * (sink > SINK_EPSILON).reshape(L * H, T).mean(axis=0)
    idx = np.arange(T)
    dist = np.abs(idx[:, None] - idx[None, :]).astype(np.float64)
    mean_distance = (A * dist).sum(axis=-1).mean(axis=-1)
    rollout = np.eye(T)
    for layer in range(L):  # R = Â^L ⋯ Â^1: each new layer multiplies on the left
        a_hat = 0.5 * (A[layer].mean(axis=0) + np.eye(T))
        a_hat = a_hat / a_hat.sum(axis=-1, keepdims=True)
        rollout = a_hat @ rollout
    flat = A.mean(axis=1).reshape(L, T * T)
    norms = np.linalg.norm(flat, axis=1)
    similarity = (flat @ flat.T) / np.outer(norms, norms)
    return {
        "entropy": entropy.tolist(),
        "confidence": confidence.tolist(),
        "prev_token": prev.tolist(),
        "sink_score": sink.tolist(),
        "sink_rate": sink_rate.tolist(),
        "mean_distance": mean_distance.tolist(),
        "rollout": rollout.tolist(),
        "layer_similarity": similarity.tolist(),
    }


def main(names):
    for name in names or ["gpt2_f32"]:
        folder = os.path.join(ROOT, name)
        with open(os.path.join(folder, "config.json")) as f:
            config = json.load(f)
        attention = np.load(os.path.join(folder, "reference", "attention.npy"))
        out = metrics(attention, is_causal(config))
        target = os.path.join(folder, "reference", "metrics.json")
        with open(target, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print("wrote", os.path.relpath(target))


if __name__ == "__main__":
    main(sys.argv[1:])
