#!/usr/bin/python3
"""Train the sample vision transformer `shapes-vit`: a 3-layer ViT classifying generated 32x32 shape images.

Usage
-----
    /usr/bin/python3 samples/train_vit.py [--out samples/shapes-vit] [--steps 4000]

Writes OUT/config.json (ViTForImageClassification), OUT/model.safetensors (F32, Hugging Face ViT names),
OUT/preprocessor_config.json and OUT/examples/*.png. Deterministic: seeds are fixed and torch runs on one thread.

The task (generated here, free to ship): one shape (circle, square, triangle, cross) in a random bright colour,
anywhere on a noisy dark background, size and position random. The class is the shape: 4 classes, which only
the shape's outline tells apart (local structure). Training images are drawn fresh for every batch (seed SEED);
the held-out set and the examples use their own seeds, so none of them was seen in training. Training stops at
the first evaluation where the held-out accuracy reaches --target.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src", "test", "python"))
from make_fixtures import write_json, write_safetensors  # noqa: E402

SEED, HELD_OUT_SEED, EXAMPLE_SEED = 4321, 99, 7
CONFIG = dict(hidden_size=64, num_hidden_layers=3, num_attention_heads=4, intermediate_size=128,
              image_size=32, patch_size=4, num_channels=3)
COLOURS = {"red": (230, 40, 40), "green": (40, 210, 60), "blue": (50, 90, 240), "yellow": (235, 220, 40)}  # the example images' colours; training colours are random
SHAPES = ["circle", "square", "triangle", "cross"]
LABELS = SHAPES
SUPERSAMPLE = 4  # shapes are drawn at 4x and box-filtered down, for anti-aliased edges
HELD_OUT = 1000


def draw(rng, shape, paint=None):
    """One uint8 image [32, 32, 3]; paint: an RGB colour, else a random bright one."""
    n = CONFIG["image_size"]
    r = rng.uniform(5.0, 9.0)  # half size in pixels
    cx = rng.uniform(r + 0.5, n - r - 0.5)
    cy = rng.uniform(r + 0.5, n - r - 0.5)
    s = SUPERSAMPLE
    grid = (np.arange(n * s) + 0.5) / s
    y, x = np.meshgrid(grid, grid, indexing="ij")
    if shape == 0:
        inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    elif shape == 1:
        inside = (np.abs(x - cx) <= r * 0.9) & (np.abs(y - cy) <= r * 0.9)
    elif shape == 2:  # apex up, base at the bottom
        inside = (y >= cy - r) & (y <= cy + r) & (np.abs(x - cx) <= (y - (cy - r)) / 2)
    else:  # a plus sign, arms a third of the size wide
        arm = r / 3
        inside = ((np.abs(x - cx) <= arm) & (np.abs(y - cy) <= r)) | ((np.abs(y - cy) <= arm) & (np.abs(x - cx) <= r))
    mask = inside.reshape(n, s, n, s).mean(axis=(1, 3))[:, :, None]
    background = rng.uniform(10, 90) + rng.normal(0, 12, size=(n, n, 3))
    if paint is None:
        paint = rng.uniform(0, 255, size=3)
        paint[rng.integers(3)] = rng.uniform(190, 255)  # at least one bright channel: visible on the background
    paint = np.asarray(paint, dtype=np.float64)
    image = background * (1 - mask) + paint * mask
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def sample(rng, count):
    """count random images and their labels."""
    images = np.empty((count, CONFIG["image_size"], CONFIG["image_size"], 3), dtype=np.uint8)
    labels = np.empty(count, dtype=np.int64)
    for k in range(count):
        labels[k] = rng.integers(len(SHAPES))
        images[k] = draw(rng, labels[k])
    return images, labels


def pixels(images):
    """As preprocessor_config.json says: rescale by 1/255, normalise with mean 0.5 and std 0.5; [N, 3, H, W]."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).to(torch.float32) / 255.0
    return (x - 0.5) / 0.5


class Layer(nn.Module):
    def __init__(self, d, heads, inner):
        super().__init__()
        self.heads = heads
        self.layernorm_before = nn.LayerNorm(d, eps=1e-12)
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.dense = nn.Linear(d, d)
        self.layernorm_after = nn.LayerNorm(d, eps=1e-12)
        self.intermediate = nn.Linear(d, inner)
        self.output = nn.Linear(inner, d)

    def forward(self, x, keep=None):
        b, t, d = x.shape
        h = self.layernorm_before(x)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (m(h).view(shape).transpose(1, 2) for m in (self.query, self.key, self.value))
        pattern = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        if keep is not None:
            keep.append(pattern.detach())
        x = x + self.dense((pattern @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.output(F.gelu(self.intermediate(self.layernorm_after(x))))


def sincos_positions(rows, cols, d):
    """2-D sine-cosine table [rows*cols, d] (half the channels for the row, half for the column)."""
    quarter = d // 4
    freq = 1.0 / (100.0 ** (torch.arange(quarter) / quarter))
    r, c = torch.meshgrid(torch.arange(rows, dtype=torch.float32), torch.arange(cols, dtype=torch.float32), indexing="ij")
    parts = []
    for axis in (r.reshape(-1), c.reshape(-1)):
        angle = axis[:, None] * freq[None, :]
        parts += [angle.sin(), angle.cos()]
    return torch.cat(parts, dim=1)


def start_local(layer, heads, gain):
    """Query and key weights of these heads that read only the position channels of four frequencies per axis, so
    q_i . k_j ~ sum of cos(w (r_i - r_j)) + cos(w (c_i - c_j)): attention peaked on the query's neighbours at the
    start. Only a starting point: training may keep or change it."""
    d = layer.query.weight.shape[1]
    d_head, quarter = d // CONFIG["num_attention_heads"], d // 4
    with torch.no_grad():
        for n, h in enumerate(heads):
            ks = [n + 2 * i for i in range(d_head // 4)]  # frequencies 1/100^(k/quarter)
            channels = [part * quarter + k for k in ks for part in range(4)]
            w = torch.zeros(d_head, d)
            w[torch.arange(d_head), torch.tensor(channels)] = gain
            for m in (layer.query, layer.key):
                m.weight[h * d_head:(h + 1) * d_head] = w
                m.bias[h * d_head:(h + 1) * d_head] = 0


class Vit(nn.Module):
    def __init__(self, classes, local_heads=(), local_gain=4.0):
        super().__init__()
        c = CONFIG
        d, p = c["hidden_size"], c["patch_size"]
        side = c["image_size"] // p
        self.projection = nn.Conv2d(c["num_channels"], d, kernel_size=p, stride=p)
        self.cls_token = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        # sine-cosine start (learned afterwards): neighbouring patches start out similar, which local heads use
        table = torch.cat([torch.zeros(1, d), 0.5 * sincos_positions(side, side, d)])
        self.position_embeddings = nn.Parameter(table[None].clone())
        self.layer = nn.ModuleList(Layer(d, c["num_attention_heads"], c["intermediate_size"])
                                   for _ in range(c["num_hidden_layers"]))
        self.layernorm = nn.LayerNorm(d, eps=1e-12)
        self.classifier = nn.Linear(d, classes)
        if local_heads:
            start_local(self.layer[0], local_heads, local_gain)

    def forward(self, x, keep=None):
        x = self.projection(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.position_embeddings
        for layer in self.layer:
            x = layer(x, keep)
        return self.classifier(self.layernorm(x)[:, 0])


def accuracy(model, images, labels, batch=500):
    model.eval()
    right = 0
    with torch.no_grad():
        for k in range(0, len(labels), batch):
            right += int((model(pixels(images[k:k + batch])).argmax(1) == torch.from_numpy(labels[k:k + batch])).sum())
    model.train()
    return right / len(labels)


def mean_distances(model, images):
    """Mean attention distance in pixels per [layer][head] (patch queries and keys, CLS left out, no
    renormalisation) and the attention mass patch queries put on CLS, averaged over the images."""
    keep = []
    model.eval()
    with torch.no_grad():
        model(pixels(images), keep)
    model.train()
    c = CONFIG
    side, p = c["image_size"] // c["patch_size"], c["patch_size"]
    g = torch.stack(torch.meshgrid(torch.arange(side), torch.arange(side), indexing="ij"), -1).reshape(-1, 2).float()
    dist = torch.cdist(g, g) * p
    out, cls = [], []
    for a in keep:
        patches = a[:, :, 1:, 1:]
        out.append([round(float((patches[:, h] * dist).sum(-1).mean()), 1) for h in range(a.shape[1])])
        cls.append([round(float(a[:, h, 1:, 0].mean()), 2) for h in range(a.shape[1])])
    return out, cls


def config_json():
    c = dict(CONFIG)
    c.update({
        "architectures": ["ViTForImageClassification"],
        "model_type": "vit",
        "attention_probs_dropout_prob": 0.0, "hidden_dropout_prob": 0.0,
        "encoder_stride": CONFIG["patch_size"],
        "hidden_act": "gelu",
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "qkv_bias": True,
        "torch_dtype": "float32",
        "id2label": {str(i): name for i, name in enumerate(LABELS)},
        "label2id": {name: i for i, name in enumerate(LABELS)},
    })
    return c


def preprocessor_json():
    n = CONFIG["image_size"]
    return {"do_normalize": True, "do_rescale": True, "do_resize": True,
            "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
            "image_processor_type": "ViTImageProcessor", "resample": 2,
            "rescale_factor": 1 / 255, "size": {"height": n, "width": n}}


def hf_tensors(model):
    s = model.state_dict()
    out = [("vit.embeddings.cls_token", s["cls_token"]),
           ("vit.embeddings.position_embeddings", s["position_embeddings"]),
           ("vit.embeddings.patch_embeddings.projection.weight", s["projection.weight"]),
           ("vit.embeddings.patch_embeddings.projection.bias", s["projection.bias"])]
    names = {"layernorm_before": "layernorm_before", "query": "attention.attention.query",
             "key": "attention.attention.key", "value": "attention.attention.value",
             "dense": "attention.output.dense", "layernorm_after": "layernorm_after",
             "intermediate": "intermediate.dense", "output": "output.dense"}
    for i in range(CONFIG["num_hidden_layers"]):
        for ours, theirs in names.items():
            for part in ("weight", "bias"):
                out.append(("vit.encoder.layer.%d.%s.%s" % (i, theirs, part), s["layer.%d.%s.%s" % (i, ours, part)]))
    out += [("vit.layernorm.weight", s["layernorm.weight"]), ("vit.layernorm.bias", s["layernorm.bias"]),
            ("classifier.weight", s["classifier.weight"]), ("classifier.bias", s["classifier.bias"])]
    return [(n, t.contiguous()) for n, t in out]


def write_examples(folder):
    """One image per class (unseen in training), named colour_shape.png; returns (image, label) pairs."""
    rng = np.random.default_rng(EXAMPLE_SEED)
    os.makedirs(folder, exist_ok=True)
    out = []
    for shape, colour in zip(range(len(SHAPES)), ["red", "blue", "yellow", "green"]):
        image = draw(rng, shape, COLOURS[colour])
        Image.fromarray(image, "RGB").save(os.path.join(folder, "%s_%s.png" % (colour, SHAPES[shape])))
        out.append((image, shape))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "shapes-vit"))
    ap.add_argument("--steps", type=int, default=4000, help="at most this many steps")
    ap.add_argument("--target", type=float, default=0.95, help="stop once the held-out accuracy reaches this")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--local-heads", type=int, nargs="*", default=[0, 1],
                    help="layer-0 heads whose query/key start reading the position channels (see start_local)")
    ap.add_argument("--local-gain", type=float, default=4.0)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--eval-every", type=int, default=250)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    train_rng = np.random.default_rng(SEED)
    held_images, held_labels = sample(np.random.default_rng(HELD_OUT_SEED), HELD_OUT)
    model = Vit(len(LABELS), args.local_heads, args.local_gain)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    warmup = 200
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))
    start = time.time()
    for step in range(args.steps + 1):
        if (step % args.eval_every == 0 and step > 0) or step == args.steps:
            dist, cls = mean_distances(model, held_images[:200])
            acc = accuracy(model, held_images, held_labels)
            print("step %d  %.0fs  held-out accuracy %.4f  mean distance px %s  CLS mass %s"
                  % (step, time.time() - start, acc, dist, cls), flush=True)
            if acc >= args.target:
                break
        if step == args.steps:
            break
        images, labels = sample(train_rng, args.batch)
        loss = F.cross_entropy(model(pixels(images)), torch.from_numpy(labels))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 100 == 0:
            print("step %d loss %.3f" % (step, loss.item()), flush=True)

    os.makedirs(args.out, exist_ok=True)
    write_json(os.path.join(args.out, "config.json"), config_json())
    write_json(os.path.join(args.out, "preprocessor_config.json"), preprocessor_json())
    write_safetensors(os.path.join(args.out, "model.safetensors"), hf_tensors(model), "F32")
    examples = write_examples(os.path.join(args.out, "examples"))
    with torch.no_grad():
        model.eval()
        predicted = model(pixels(np.stack([e[0] for e in examples]))).argmax(1).tolist()
    print("examples", [(SHAPES[e[1]], SHAPES[p]) for e, p in zip(examples, predicted)])
    print("wrote", args.out, "in %.0fs" % (time.time() - start))


if __name__ == "__main__":
    main(sys.argv[1:])
