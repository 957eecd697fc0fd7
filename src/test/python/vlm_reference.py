#!/usr/bin/python3
"""Independent float64 NumPy reference for the vision-language analyses (docs/vlm-analyses.md).

Usage
-----
    /usr/bin/python3 src/test/python/vlm_reference.py

Runs flow_reference.py's float64 Llama forward of the llama_f32 fixture on a joined sequence of chosen embeddings
(no vision tower is needed: the analyses start from the embedded sequence) and writes
llama_f32/reference/vlm.json with the embeddings, the layout and, computed the slow obvious way:

    shares      [class][L][H] mean over the generated rows of the attention each key class receives
                (classes SYSTEM, TEXT, IMAGE, GENERATED)
    phi         [L][T] max over the sink dimensions of |x / sqrt(mean(x^2) + 1e-6)|, x = each layer's input;
                dimensions: the channels where BOS exceeds tau in some layer
    vhd         [answer][L][H] |z(full) - z(text only)|_2, answer i of the full run against i - N of the run
                without the N image rows (positions move up)
    flow        FlowCut's decoder score from the last prompt position q: relation (attention restricted to the image,
                renormalised, mean over heads), semantic (softmax over the image of v_q.v_j / sqrt(dh), mean over
                KV heads), score = (r/sum r + s/sum s) * |mean_h v_j|_1, cumulative C <- 0.5 C + 0.5 score;
                attention [L][N] = mean_h A[q, image]
    var         VAR (tau, rho 0.5, summ 0.2, p 0.6, from layer 0, last layer skipped): per layer the sinks S = positions
                with phi > tau in the layer's input of this run; rows i after the image of a head with image mass
                >= summ and visual-sink share <= rho: sinks x p, the freed mass to the non-sink patches in proportion;
                probabilities [V] at the last row, redirected [L][H] rows
    pruning     at fractions 1, 0.9, ..., 0: the round((1 - f) N) image tokens lowest in flow.cumulative (and in
                flow.attention[1]) removed, [logit, probability, top] of the clean top token at the last row
Deterministic: reruns write identical files. Needs only numpy.
"""
import json
import math
import os

import numpy as np

import flow_reference as fr

FOLDER = os.path.join(fr.ROOT, "llama_f32")
IMAGE_START, ROWS, COLS, TEXT_AFTER, GENERATED = 4, 6, 6, 6, 4
SINK_CHANNEL, SINK_PATCH, TAU = 7, 4 * 6 + 1, 5.0


def layout():
    n = ROWS * COLS
    t = IMAGE_START + n + TEXT_AFTER + GENERATED
    classes = ["TEXT"] * t
    classes[0] = "SYSTEM"
    classes[IMAGE_START:IMAGE_START + n] = ["IMAGE"] * n
    classes[t - GENERATED:] = ["GENERATED"] * GENERATED
    return classes


def embeddings(t, d):
    x = np.random.default_rng(11).standard_normal((t, d)).astype(np.float32)
    x[0, SINK_CHANNEL] = 40
    x[IMAGE_START + SINK_PATCH, SINK_CHANNEL] = 40
    return x.astype(np.float64)


def forward(x):
    layers, _, output, _, _ = fr.llama(FOLDER, None, embedded=x)
    z = [np.stack([l.pattern[h] @ l.v[h // l.group] for h in range(l.pattern.shape[0])]) for l in layers]  # [H,T,dh]
    return layers, output, z


def shares(layers, classes, rows):
    names = ["SYSTEM", "TEXT", "IMAGE", "GENERATED"]
    out = np.zeros((4, len(layers), layers[0].pattern.shape[0]))
    for l, layer in enumerate(layers):
        for c, name in enumerate(names):
            keys = np.array([k == name for k in classes])
            out[c, l] = layer.pattern[:, rows][:, :, keys].sum(-1).mean(-1)
    return out


def sinks(layers):
    normed = [np.abs(l.pre / np.sqrt((l.pre ** 2).mean(-1, keepdims=True) + 1e-6)) for l in layers]
    dims = sorted({int(c) for n in normed for c in np.nonzero(n[0] > TAU)[0]})
    phi = [n[:, dims].max(-1) if dims else np.zeros(n.shape[0]) for n in normed]
    return dims, np.stack(phi)


def flowcut(layers, q, image):
    scores, attention, cumulative = [], [], np.zeros(len(image))
    for l in layers:
        a = l.pattern[:, q, image]  # [H, N]
        relation = (a / a.sum(-1, keepdims=True)).mean(0)
        dh = l.v.shape[-1]
        semantic = fr.softmax(np.einsum("hc,hjc->hj", l.v[:, q], l.v[:, image]) / math.sqrt(dh)).mean(0)
        norm = np.abs(l.v[:, image].mean(0)).sum(-1)
        score = (relation / relation.sum() + semantic / semantic.sum()) * norm
        cumulative = 0.5 * cumulative + 0.5 * score
        scores.append(score)
        attention.append(a.mean(0))
    return {"query": q, "scores": np.stack(scores).tolist(), "cumulative": cumulative.tolist(),
            "attention": np.stack(attention).tolist()}


def var(x, dims, image, rho=0.5, summ=0.2, p=0.6):
    n_layers = json.load(open(os.path.join(FOLDER, "config.json")))["num_hidden_layers"]
    counts = []
    start, end = int(image[0]), int(image[-1]) + 1

    def hook(layer, h_in, pattern):
        counts.append([0] * pattern.shape[0])
        if layer == n_layers - 1:
            return pattern
        phi = np.abs(h_in / np.sqrt((h_in ** 2).mean(-1, keepdims=True) + 1e-6))[:, dims].max(-1)
        sink = phi > TAU
        if not sink[start:end].any():
            return pattern
        out = pattern.copy()
        for h in range(pattern.shape[0]):
            for i in range(end, pattern.shape[1]):
                row = pattern[h, i]
                img = row[start:end].sum()
                vis_sinks = row[start:end][sink[start:end]].sum()
                receivers = img - vis_sinks
                if img < summ or vis_sinks > rho * img or receivers <= 0:
                    continue
                gain = (1 - p) * row[sink].sum() / receivers
                new = row.copy()
                new[sink] *= p
                patch = np.zeros_like(sink)
                patch[start:end] = ~sink[start:end]
                new[patch] *= 1 + gain
                out[h, i] = new
                counts[-1][h] += 1
        return out

    _, _, output, _, _ = fr.llama(FOLDER, None, embedded=x, pattern_hook=hook)
    return {"probabilities": np.exp(fr.log_softmax(output[-1])).tolist(), "redirected": counts}


def prune(x, image, order, fractions, target):
    out = []
    for f in fractions:
        removed = set(image[order[:len(image) - int(round(f * len(image)))]].tolist())
        kept = [p for p in range(x.shape[0]) if p not in removed]
        _, output, _ = forward(x[kept])
        logits = output[-1]
        logp = fr.log_softmax(logits)
        out.append([float(logits[target]), float(math.exp(logp[target])), int(np.argmax(logits))])
    return out


def main():
    d = json.load(open(os.path.join(FOLDER, "config.json")))["hidden_size"]
    classes = layout()
    t, n = len(classes), ROWS * COLS
    x = embeddings(t, d)
    image = np.arange(IMAGE_START, IMAGE_START + n)
    generated = [i for i, c in enumerate(classes) if c == "GENERATED"]
    layers, output, z = forward(x)
    dims, phi = sinks(layers)

    cut = [p for p in range(t) if p not in set(image.tolist())]
    _, _, z_cut = forward(x[cut])
    vhd = [[np.linalg.norm(z[l][:, i] - z_cut[l][:, i - n], axis=-1).tolist() for l in range(len(layers))]
           for i in generated]

    q = max(i for i, c in enumerate(classes) if c != "GENERATED")
    flow = flowcut(layers, q, image)
    fractions = [(10 - k) / 10 for k in range(11)]
    target = int(np.argmax(output[-1]))
    logp = fr.log_softmax(output[-1])
    pruning = {"fractions": fractions, "clean": [target, float(output[-1][target]), float(math.exp(logp[target]))],
               "flow": prune(x, image, np.argsort(np.array(flow["cumulative"]), kind="stable"), fractions, target),
               "attention": prune(x, image, np.argsort(np.array(flow["attention"][1]), kind="stable"), fractions, target)}
    out = {"embedded": x.tolist(), "classes": classes, "image_start": IMAGE_START, "rows": ROWS, "cols": COLS,
           "tau": TAU, "shares": shares(layers, classes, generated).tolist(), "dimensions": dims, "phi": phi.tolist(),
           "answers": generated, "vhd": vhd, "flow": flow, "pruning": pruning, "var": var(x, dims, image)}
    target_file = os.path.join(FOLDER, "reference", "vlm.json")
    with open(target_file, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("wrote", os.path.relpath(target_file), "(%d KB)" % (os.path.getsize(target_file) // 1024), "dimensions", dims)


if __name__ == "__main__":
    main()
