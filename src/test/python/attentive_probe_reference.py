#!/usr/bin/python3
"""Float64 PyTorch reference for the attentive probe (issue 21) and for F16/BF16 weight rounding.

Usage
-----
    /usr/bin/python3 src/test/python/attentive_probe_reference.py

Writes src/test/resources/fixtures/attentive_probe/reference.json:

- "problem": width d = 10, M = 3 queries (value width r = d // M = 3: d not divisible by M), K = 3 classes; 15
  fitting examples and 6 held-out ones of 2..6 tokens each (NumPy seed 21), their labels, and the initial flat
  parameter vector (queries [M][d], value matrix [d][M*r], classifier [K][M*r], biases [K]; random normal, so the
  Java side is checked on the math, not on its own seeded start).
- "gradient": the loss and its gradient (autograd) at the initial parameters.
- "training": torch.optim.Adam(lr=0.05) on the mean cross-entropy of the fitting examples, full batch, 40 steps:
  the fitting loss before each step, the held-out loss after each step, and the final parameters.
- "rounding": float32 values (edge cases and random ones over many magnitudes) and what torch's
  .to(float16) and .to(bfloat16) make of them, back in float32.

The model (independent of the Java code): logits s[m,t] = q_m . x_t, a = softmax over t, pooled_m = sum_t a x_t,
values = concat_m pooled_m @ Wv[:, m*r:(m+1)*r], z = values @ Wc^T + b; loss = mean cross-entropy.
Deterministic: reruns write identical files. Needs Debian's python3-torch and python3-numpy.
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "resources", "fixtures", "attentive_probe")

D, M, K = 10, 3, 3
R = D // M
N_FIT, N_HELD = 15, 6
LR, STEPS = 0.05, 40


def unpack(p):
    q = p[:M * D].reshape(M, D)
    wv = p[M * D:M * D + D * M * R].reshape(D, M * R)
    start = M * D + D * M * R
    wc = p[start:start + K * M * R].reshape(K, M * R)
    b = p[start + K * M * R:]
    return q, wv, wc, b


def logits(p, x):
    q, wv, wc, b = unpack(p)
    a = torch.softmax(x @ q.T, dim=0)  # [T, M]
    pooled = a.T @ x                    # [M, D]
    values = torch.cat([pooled[m] @ wv[:, m * R:(m + 1) * R] for m in range(M)])
    return wc @ values + b


def loss(p, xs, ys):
    z = torch.stack([logits(p, x) for x in xs])
    return torch.nn.functional.cross_entropy(z, torch.tensor(ys), reduction="mean")


def rounding():
    rng = np.random.default_rng(5)
    edge = [0.0, -0.0, 1.0, -1.0, 65504.0, 65519.0, 65520.0, 70000.0, 6e-8, 3e-8, 2.9e-8, 1e-5, 2.0 ** -14,
            1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, 3.0e38, 1e-40]
    random = (rng.standard_normal(300) * 10.0 ** rng.uniform(-9, 6, 300)).tolist()
    values = torch.tensor(edge + random, dtype=torch.float32)
    return {"values": values.tolist(),
            "f16": values.to(torch.float16).to(torch.float32).tolist(),
            "bf16": values.to(torch.bfloat16).to(torch.float32).tolist()}


def main():
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(21)
    count = M * D + D * M * R + K * M * R + K
    initial = rng.standard_normal(count) * 0.4
    lengths = rng.integers(2, 7, N_FIT + N_HELD)
    xs = [rng.standard_normal((t, D)) for t in lengths]
    ys = [int(y) for y in rng.integers(0, K, N_FIT + N_HELD)]
    fit_x = [torch.tensor(x) for x in xs[:N_FIT]]
    held_x = [torch.tensor(x) for x in xs[N_FIT:]]
    fit_y, held_y = ys[:N_FIT], ys[N_FIT:]

    p = torch.tensor(initial, requires_grad=True)
    value = loss(p, fit_x, fit_y)
    value.backward()
    gradient = {"loss": value.item(), "gradient": p.grad.tolist()}

    p = torch.tensor(initial, requires_grad=True)
    adam = torch.optim.Adam([p], lr=LR)
    fit_losses, held_losses = [], []
    for _ in range(STEPS):
        adam.zero_grad()
        value = loss(p, fit_x, fit_y)
        value.backward()
        adam.step()
        fit_losses.append(value.item())
        with torch.no_grad():
            held_losses.append(loss(p, held_x, held_y).item())

    os.makedirs(OUT, exist_ok=True)
    reference = {
        "problem": {"width": D, "queries": M, "classes": K, "fit": N_FIT, "held_out": N_HELD,
                    "x": [x.tolist() for x in xs], "labels": ys, "initial": initial.tolist()},
        "gradient": gradient,
        "training": {"learning_rate": LR, "steps": STEPS, "fit_loss": fit_losses, "held_out_loss": held_losses,
                     "final": p.detach().tolist()},
        "rounding": rounding(),
    }
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(reference, f, indent=None)
        f.write("\n")


if __name__ == "__main__":
    main()
