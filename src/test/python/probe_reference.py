#!/usr/bin/python3
"""scikit-learn references for layer-wise probing (issue 21), and the probing fixture model with its data sets.

Usage
-----
    /usr/bin/python3 src/test/python/probe_reference.py

Writes two fixture folders under src/test/resources/fixtures/:

probe_solver/   features.npy (float32 [90, 7]; column 3 constant) and reference.json: for a two-class and a
                three-class labelling with a fixed train/test split, scikit-learn's StandardScaler statistics
                (training rows, population std, constant feature scale 1), LogisticRegression(C=1, newton-cg, tol 1e-10,
                multinomial; see fit() for why not lbfgs) weights and intercepts (intercepts centred to sum 0 for K > 2; the
                multinomial objective does not fix their common shift), the test rows' probabilities, and accuracy,
                F1 (binary: positive class 1; multiclass: macro) and ROC AUC (binary: on the decision values;
                multiclass: one-vs-rest macro on the probabilities).

probe_gpt2/     a GPT-2 built by hand so the answer is known: vocabulary 12, tokens one-hot in dims 0..11, positions
                0 and 1 one-hot in dims 24 and 25; block 0 does nothing (zero weights); in block 1, head 0 of
                position 1 attends to position 0 (q reads the position-1 dim, k the position-0 dim, scaled by 10)
                and copies its normalized token dims 0..11 into dims 12..23; block 2 does nothing.
                Inputs are every pair [a, b]. data/early.jsonl labels group(b) = b // 6 (the last token: the
                embedding already separates it); data/late.jsonl labels group(a) (only block 1 brings it to the last
                position); data/late3.csv labels a // 4 (three classes); data/late_seeded.jsonl is late without a split
                column. The other files carry a stratified split (numpy seed 21, 60% train).
                reference/probe.json: per data set with a split, scikit-learn's accuracy/F1/AUC per block and at the
                embedding, on the last token's hook_resid_post computed by this script's own float64 forward and
                rounded to float32 (what the engine's F32 forward gives, to rounding).

Deterministic: reruns write identical files. Needs Debian's python3-sklearn, python3-numpy, python3-torch.
"""
import json
import os
import sys
import warnings

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import FIXTURES, gpt2_config, gpt2_forward, layer_norm, new_case, write_json, write_safetensors  # noqa: E402

VOCAB, D, HEADS, LAYERS, POSITIONS = 12, 32, 2, 3, 4
SPLIT_SEED = 21
TRAIN_FRACTION = 0.6


def fit(x_train, y_train, classes, gradient_bound):
    """scikit-learn's LogisticRegression, C = 1, solved to a gradient below gradient_bound (checked). newton-cg, not lbfgs: with
    lbfgs scipy's relative-decrease test (ftol 64 eps) stops at a gradient of ~1e-4 whatever tol says, which moves the
    weights by ~1e-6; newton-cg reaches ~1e-9 on the solver fixture (on separable data its line search gives up near 1e-6; the
    end-to-end references compare accuracies only). Its warnings about tol 1e-10 not being reached are silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-10, max_iter=1000,
                                   multi_class="multinomial" if classes > 2 else "auto")
        model.fit(x_train, y_train)
    gradient = objective_gradient(model, x_train, y_train, classes)
    assert gradient < gradient_bound, "scikit-learn stopped at a gradient of %g" % gradient
    return model


def objective_gradient(model, x, y, classes):
    """max |gradient| of C sum log-loss + 1/2 |W|^2 (intercepts free) at the model's weights."""
    w, b = model.coef_, model.intercept_
    if classes == 2:
        residual = (1 / (1 + np.exp(-(x @ w[0] + b[0]))) - y)[:, None]
    else:
        z = x @ w.T + b
        p = np.exp(z - z.max(1, keepdims=True))
        residual = p / p.sum(1, keepdims=True) - np.eye(classes)[y]
    return max(np.abs(x.T @ residual + w.T).max(), np.abs(residual.sum(0)).max())


def scores(model, x_test, y_test, classes):
    predicted = model.predict(x_test)
    result = {"accuracy": float(accuracy_score(y_test, predicted))}
    if classes == 2:
        result["f1"] = float(f1_score(y_test, predicted, pos_label=1, average="binary"))
        result["auc"] = float(roc_auc_score(y_test, model.decision_function(x_test)))
    else:
        result["f1"] = float(f1_score(y_test, predicted, average="macro"))
        result["auc"] = float(roc_auc_score(y_test, model.predict_proba(x_test), multi_class="ovr", average="macro"))
    return result


def probe(features, labels, train, test, classes, gradient_bound):
    """Standardise on train (float64 of the float32 features), fit, score on test."""
    x = features.astype(np.float64)
    scaler = StandardScaler().fit(x[train])
    model = fit(scaler.transform(x[train]), labels[train], classes, gradient_bound)
    return scaler, model, scores(model, scaler.transform(x[test]), labels[test], classes)


def stratified_split(labels, seed):
    rng = np.random.RandomState(seed)
    train = []
    for k in np.unique(labels):
        members = np.flatnonzero(labels == k)
        rng.shuffle(members)
        train.extend(members[:int(round(TRAIN_FRACTION * len(members)))].tolist())
    train = np.array(sorted(train))
    test = np.setdiff1d(np.arange(len(labels)), train)
    return train, test


# ---------------------------------------------------------------------------
# the solver fixture
# ---------------------------------------------------------------------------
def make_solver():
    folder = new_case("probe_solver")
    rng = np.random.RandomState(2021)
    n, d = 90, 7
    three = np.repeat(np.arange(3), n // 3)
    rng.shuffle(three)
    centres = rng.normal(0, 1.0, (3, d))
    x = rng.normal(0, 1.5, (n, d)) + centres[three] + rng.normal(0, 3.0, d)  # overlapping classes, off-centre features
    x[:, 3] = 2.5  # constant: centred, not scaled
    x = x.astype(np.float32)
    np.save(os.path.join(folder, "features.npy"), x)
    cases = {}
    for name, labels, classes in (("binary", (three == 1).astype(int), 2), ("multinomial", three, 3)):
        train, test = stratified_split(labels, SPLIT_SEED)
        scaler, model, result = probe(x, labels, train, test, classes, 1e-7)
        x_test = scaler.transform(x[test].astype(np.float64))
        intercept = model.intercept_ - (model.intercept_.mean() if classes > 2 else 0)
        cases[name] = {
            "classes": classes, "labels": labels.tolist(), "train": train.tolist(), "test": test.tolist(),
            "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
            "weights": model.coef_.tolist(), "intercepts": intercept.tolist(),
            "test_probabilities": model.predict_proba(x_test).tolist(), **result}
    write_json(os.path.join(folder, "reference.json"), cases)


# ---------------------------------------------------------------------------
# the hand-built GPT-2 and its data sets
# ---------------------------------------------------------------------------
def probe_weights():
    d, dh = D, D // HEADS
    zero = lambda *shape: torch.zeros(*shape)
    wte = zero(VOCAB, d)
    wte[torch.arange(VOCAB), torch.arange(VOCAB)] = 1.0
    wpe = zero(POSITIONS, d)
    wpe[0, 24] = 1.0
    wpe[1, 25] = 1.0
    w = [("wte.weight", wte), ("wpe.weight", wpe)]
    for layer in range(LAYERS):
        p = "h.%d." % layer
        copy = layer == 1
        c_attn = zero(d, 3 * d)  # Conv1D [in, out], columns [q | k | v], head h at h*dh.. within each
        c_proj = zero(d, d)
        if copy:
            c_attn[25, 12] = 10.0  # q of head 0, dim 12: "I am position 1"
            c_attn[24, d + 12] = 10.0  # k of head 0, dim 12: "I am position 0"
            for j in range(VOCAB):
                c_attn[j, 2 * d + j] = 1.0  # v of head 0: the normalized token dims
                c_proj[j, 12 + j] = 1.0  # into dims 12..23
        w += [(p + "ln_1.weight", torch.full((d,), 1.0 if copy else 0.0)), (p + "ln_1.bias", zero(d)),
              (p + "attn.c_attn.weight", c_attn), (p + "attn.c_attn.bias", zero(3 * d)),
              (p + "attn.c_proj.weight", c_proj), (p + "attn.c_proj.bias", zero(d)),
              (p + "ln_2.weight", zero(d)), (p + "ln_2.bias", zero(d)),
              (p + "mlp.c_fc.weight", zero(d, 4 * d)), (p + "mlp.c_fc.bias", zero(4 * d)),
              (p + "mlp.c_proj.weight", zero(4 * d, d)), (p + "mlp.c_proj.bias", zero(d))]
    w += [("ln_f.weight", torch.ones(d)), ("ln_f.bias", zero(d))]
    return w


def resid_posts(W, c, ids):
    """float64 [L + 1, d]: the last position's embedding output and hook_resid_post of every block."""
    T, d = len(ids), c["n_embd"]
    x = W["wte.weight"][ids] + W["wpe.weight"][:T]
    out = [x[-1].clone()]
    for i in range(c["n_layer"]):
        g = lambda n: W["h.%d.%s" % (i, n)]
        h = layer_norm(x, g("ln_1.weight"), g("ln_1.bias"), 1e-5)
        q, k, v = (h @ g("attn.c_attn.weight") + g("attn.c_attn.bias")).split(d, dim=1)
        dh = d // c["n_head"]
        heads = lambda m: m.view(T, c["n_head"], dh).transpose(0, 1)
        scores = heads(q) @ heads(k).transpose(1, 2) / dh ** 0.5
        scores = scores.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
        z = (torch.softmax(scores, -1) @ heads(v)).transpose(0, 1).reshape(T, d)
        x = x + z @ g("attn.c_proj.weight") + g("attn.c_proj.bias")
        h = layer_norm(x, g("ln_2.weight"), g("ln_2.bias"), 1e-5)
        x = x + torch.nn.functional.gelu(h @ g("mlp.c_fc.weight") + g("mlp.c_fc.bias"), approximate="tanh") \
            @ g("mlp.c_proj.weight") + g("mlp.c_proj.bias")
        out.append(x[-1].clone())
    return torch.stack(out)


def write_jsonl(path, pairs, labels, split):
    with open(path, "w") as f:
        for i, (a, b) in enumerate(pairs):
            row = {"ids": [a, b], "label": labels[i]}
            if split is not None:
                row["split"] = split[i]
            f.write(json.dumps(row) + "\n")


def make_probe_model():
    folder = new_case("probe_gpt2")
    c = dict(n_embd=D, n_layer=LAYERS, n_head=HEADS, n_positions=POSITIONS, vocab_size=VOCAB)
    tensors = probe_weights()
    write_json(os.path.join(folder, "config.json"), gpt2_config(c, "F32"))
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors, "F32")
    W = {name: t.double() for name, t in tensors}
    assert gpt2_forward(W, c, [3, 7])[1][1, 0, 1, 0] > 0.999  # block 1, head 0: position 1 looks at position 0

    pairs = [(a, b) for a in range(VOCAB) for b in range(VOCAB)]
    features = np.stack([resid_posts(W, c, list(p)).numpy() for p in pairs]).astype(np.float32)  # [n, L + 1, d]
    data = os.path.join(folder, "data")
    os.makedirs(data)
    sets = {"early": np.array([b // 6 for a, b in pairs]), "late": np.array([a // 6 for a, b in pairs]),
            "late3": np.array([a // 4 for a, b in pairs])}
    reference = {}
    for name, labels in sets.items():
        train, test = stratified_split(labels, SPLIT_SEED)
        split = ["train" if i in set(train.tolist()) else "test" for i in range(len(pairs))]
        text_labels = ["g%d" % k for k in labels]
        if name == "late3":
            with open(os.path.join(data, "late3.csv"), "w") as f:
                f.write("ids,label,split\n")
                for i, (a, b) in enumerate(pairs):
                    f.write('"%d %d",%s,%s\n' % (a, b, text_labels[i], split[i]))
        else:
            write_jsonl(os.path.join(data, name + ".jsonl"), pairs, text_labels, split)
        classes = len(np.unique(labels))
        per_layer = [probe(features[:, l], labels, train, test, classes, 1e-4)[2] for l in range(LAYERS + 1)]
        reference[name] = {"n_train": len(train), "n_test": len(test), "embedding": per_layer[0], "layers": per_layer[1:]}
    write_jsonl(os.path.join(data, "late_seeded.jsonl"), pairs, ["g%d" % k for k in sets["late"]], None)
    os.makedirs(os.path.join(folder, "reference"))
    write_json(os.path.join(folder, "reference", "probe.json"), reference)


def main():
    torch.set_grad_enabled(False)
    make_solver()
    make_probe_model()


if __name__ == "__main__":
    main()
