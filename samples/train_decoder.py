#!/usr/bin/python3
"""Train the sample decoder `tiny-stories-decoder`: a 2-layer GPT-2 with a word-level vocabulary.

Usage
-----
    /usr/bin/python3 samples/train_decoder.py [--out samples/tiny-stories-decoder] [--steps 2500]

Writes OUT/config.json, OUT/model.safetensors (F32, GPT2LMHeadModel names), OUT/tokenizer.json (a Hugging Face
WordLevel tokenizer that prepends <bos>) and OUT/example.txt. Deterministic: seeds are fixed and torch runs on one
thread, so the same torch/numpy give the same weights.

Training data (all generated here, free to ship):
  * short children's stories from a made-up template grammar (names, animals, objects, places), sometimes with a
    sentence repeated, and
  * random token sequences repeated until the context is full (<bos> r r r ...), tokens drawn from the whole
    vocabulary except <bos>, which is what teaches the model previous-token and induction heads.
Every training row starts with <bos>, which is what makes the first position an attention sink.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src", "test", "python"))
from make_fixtures import write_json, write_safetensors  # noqa: E402

SEED = 1234
CONFIG = dict(n_layer=2, n_head=4, n_embd=64, n_inner=256, n_positions=128)
BOS, UNK = "<bos>", "<unk>"

NAMES = "anna ben mia tom lily max zoe sam ella leo".split()
ANIMALS = "cat dog bird fox frog bear fish duck owl mouse rabbit horse".split()
OBJECTS = "ball box hat cake book kite cup drum boat flower apple stone star key shoe".split()
PLACES = "park garden forest river house school hill lake farm town beach cave".split()
ADJECTIVES = "big small red blue green yellow old little soft tall quiet bright dark funny".split()
FEELINGS = "happy sad tired hungry scared proud".split()
VERBS_T = "saw found liked took gave lost made wanted held painted carried hugged".split()
VERBS_I = "ran jumped sang played slept danced laughed walked swam smiled".split()
FUNCTION = ("once upon a time there was called the and to in with was is then he she it they one day very so said "
            "hello home went but too not could see at on of his her after that all").split()
PUNCTUATION = [".", ",", "!", "?"]

EXAMPLE_TEXT = ("the little fox found a red ball in the park . "
                "the little fox found a red ball in the park .")


def vocabulary():
    words = [BOS, UNK]
    for group in (FUNCTION, NAMES, ANIMALS, OBJECTS, PLACES, ADJECTIVES, FEELINGS, VERBS_T, VERBS_I, PUNCTUATION):
        for w in group:
            if w not in words:
                words.append(w)
    return words


class Stories:
    """A made-up grammar of short stories about one character and one animal."""

    def __init__(self, rng):
        self.r = rng

    def pick(self, words):
        return self.r.choice(words)

    def story(self):
        r = self.r
        name, other = r.sample(NAMES, 2)
        animal = self.pick(ANIMALS)
        pron = "she" if name in ("anna", "mia", "lily", "zoe", "ella") else "he"
        sents = [self.opening(name, animal)]
        for _ in range(r.randint(2, 6)):
            sents.append(self.sentence(name, other, animal, pron))
        if r.random() < 0.3:  # a story that repeats itself, as children's stories do
            k = r.randrange(len(sents))
            sents.insert(r.randint(k + 1, len(sents)), sents[k])
        sents.append(self.ending(name, pron))
        return " ".join(sents).split()

    def opening(self, name, animal):
        if self.r.random() < 0.5:
            return "once upon a time there was a %s %s called %s ." % (self.pick(ADJECTIVES), animal, name)
        return "one day %s went to the %s with the %s ." % (name, self.pick(PLACES), animal)

    def subject(self, name, animal, pron):
        x = self.r.random()
        return name if x < 0.4 else pron if x < 0.7 else "the %s %s" % (self.pick(ADJECTIVES), animal)

    def sentence(self, name, other, animal, pron):
        s = self.subject(name, animal, pron)
        t = self.r.randrange(8)
        if t == 0:
            return "%s %s a %s %s in the %s ." % (s, self.pick(VERBS_T), self.pick(ADJECTIVES), self.pick(OBJECTS),
                                                 self.pick(PLACES))
        if t == 1:
            return "%s and %s %s at the %s ." % (s, other, self.pick(VERBS_I), self.pick(PLACES))
        if t == 2:
            return "the %s was very %s ." % (self.pick(OBJECTS), self.pick(ADJECTIVES))
        if t == 3:
            return "%s was %s , so %s %s ." % (s, self.pick(FEELINGS), pron, self.pick(VERBS_I))
        if t == 4:
            return "%s said hello to the %s !" % (s, animal)
        if t == 5:
            return "%s gave the %s to %s ." % (s, self.pick(OBJECTS), other)
        if t == 6:
            return "could %s see the %s ? %s could not ." % (s, self.pick(OBJECTS), pron)
        return "then %s %s with his %s and her %s ." % (s, self.pick(VERBS_I), self.pick(OBJECTS), self.pick(OBJECTS))

    def ending(self, name, pron):
        if self.r.random() < 0.5:
            return "after that %s went home and %s was %s ." % (name, pron, self.pick(FEELINGS))
        return "%s %s all day , too ." % (name, self.pick(VERBS_I))


class Batches:
    """Rows of n_positions ids, each starting with <bos>: half stories, half repeated random sequences."""

    def __init__(self, words, seed):
        self.ids = {w: i for i, w in enumerate(words)}
        self.vocab = len(words)
        self.rng = random.Random(seed)
        self.stories = Stories(self.rng)
        self.t = CONFIG["n_positions"] + 1  # inputs are the first n_positions

    def story_row(self):
        row = [0]
        while len(row) < self.t:
            row += [self.ids[w] for w in self.stories.story()]
        return row[:self.t]

    def repeated_row(self):
        r = self.rng
        n = r.randint(3, 63)
        pool = range(1, self.vocab)  # anything but <bos>, as HeadTypes draws them
        seq = r.sample(pool, n) if r.random() < 0.5 else [r.choice(pool) for _ in range(n)]
        row = [0]
        while len(row) < self.t:
            row += seq
        return row[:self.t]

    def next(self, size):
        rows = [self.story_row() if i % 2 == 0 else self.repeated_row() for i in range(size)]
        return torch.tensor(rows, dtype=torch.long)


class Block(nn.Module):
    def __init__(self, d, heads, inner):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.c_fc = nn.Linear(d, inner)
        self.mlp_proj = nn.Linear(inner, d)

    def forward(self, x, mask, keep=None):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads)
        pattern = torch.softmax(scores.masked_fill(mask[:t, :t], float("-inf")), dim=-1)
        if keep is not None:
            keep.append(pattern.detach())
        z = (pattern @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.c_proj(z)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        c = CONFIG
        self.wte = nn.Embedding(vocab, c["n_embd"])
        self.wpe = nn.Embedding(c["n_positions"], c["n_embd"])
        self.h = nn.ModuleList(Block(c["n_embd"], c["n_head"], c["n_inner"]) for _ in range(c["n_layer"]))
        self.ln_f = nn.LayerNorm(c["n_embd"], eps=1e-5)
        t = c["n_positions"]
        self.register_buffer("mask", torch.triu(torch.ones(t, t, dtype=torch.bool), 1), persistent=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids, keep=None):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x, self.mask, keep)
        return self.ln_f(x) @ self.wte.weight.T  # tied LM head


def head_scores(model, vocab, length=50, seed=0):
    """TransformerLens-style scores on <bos> + r + r with the <bos> column excluded, [layer][head] each."""
    r = random.Random(seed)
    seq = r.sample(range(1, vocab), length)
    ids = [0] + seq + seq
    keep = []
    with torch.no_grad():
        model(torch.tensor([ids]), keep)
    t = len(ids)
    prev = torch.zeros(t, t)
    induction = torch.zeros(t, t)
    for i in range(1, t):
        prev[i, i - 1] = 1
        for j in range(1, i + 1):
            induction[i, j] = float(ids[i] == ids[j - 1])
    out = {}
    for name, d in (("prev", prev), ("induction", induction)):
        rows = []
        for a in keep:
            a = a[0].clone()
            a[:, :, 0] = 0
            rows.append([round(float((a[h] * d).sum() / a[h].sum()), 3) for h in range(a.shape[0])])
        out[name] = rows
    return out


def sink_scores(model, ids):
    """Causal sink score of the first token per head: mean over queries of A_i0."""
    keep = []
    with torch.no_grad():
        model(torch.tensor([ids]), keep)
    return [[round(float(a[0, h, :, 0].mean()), 3) for h in range(a.shape[1])] for a in keep]


def tokenizer_json(words):
    def special(i, w):
        return {"id": i, "content": w, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}

    bos = {"SpecialToken": {"id": BOS, "type_id": 0}}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(0, BOS), special(1, UNK)],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {BOS: {"id": BOS, "ids": [0], "tokens": [BOS]}},
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": {w: i for i, w in enumerate(words)}, "unk_token": UNK},
    }


def config_json(vocab):
    c = CONFIG
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "attn_pdrop": 0.0, "embd_pdrop": 0.0, "resid_pdrop": 0.0,
        "bos_token_id": 0, "eos_token_id": 0,
        "layer_norm_epsilon": 1e-5,
        "n_ctx": c["n_positions"], "n_positions": c["n_positions"],
        "n_embd": c["n_embd"], "n_head": c["n_head"], "n_inner": c["n_inner"], "n_layer": c["n_layer"],
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "vocab_size": vocab,
    }


def hf_tensors(model):
    """GPT2LMHeadModel names; Conv1D weights are [in, out], i.e. nn.Linear's transposed."""
    s = model.state_dict()
    out = [("transformer.wte.weight", s["wte.weight"]), ("transformer.wpe.weight", s["wpe.weight"])]
    for i in range(CONFIG["n_layer"]):
        p, q = "h.%d." % i, "transformer.h.%d." % i
        out += [(q + "ln_1.weight", s[p + "ln_1.weight"]), (q + "ln_1.bias", s[p + "ln_1.bias"]),
                (q + "attn.c_attn.weight", s[p + "c_attn.weight"].T), (q + "attn.c_attn.bias", s[p + "c_attn.bias"]),
                (q + "attn.c_proj.weight", s[p + "c_proj.weight"].T), (q + "attn.c_proj.bias", s[p + "c_proj.bias"]),
                (q + "ln_2.weight", s[p + "ln_2.weight"]), (q + "ln_2.bias", s[p + "ln_2.bias"]),
                (q + "mlp.c_fc.weight", s[p + "c_fc.weight"].T), (q + "mlp.c_fc.bias", s[p + "c_fc.bias"]),
                (q + "mlp.c_proj.weight", s[p + "mlp_proj.weight"].T), (q + "mlp.c_proj.bias", s[p + "mlp_proj.bias"])]
    out += [("transformer.ln_f.weight", s["ln_f.weight"]), ("transformer.ln_f.bias", s["ln_f.bias"])]
    return [(n, t.contiguous()) for n, t in out]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "tiny-stories-decoder"))
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--eval-every", type=int, default=250)
    args = ap.parse_args(argv)

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    words = vocabulary()
    model = Gpt2(len(words))
    data = Batches(words, SEED)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": other, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))
    warmup = 100
    schedule = lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    example = [0] + [words.index(w) for w in EXAMPLE_TEXT.split()]
    start = time.time()
    for step in range(args.steps + 1):
        if step % args.eval_every == 0:
            model.eval()
            hs = head_scores(model, len(words))
            print("step %d  %.0fs  prev %s  induction %s  sink %s" % (step, time.time() - start, hs["prev"],
                                                                       hs["induction"], sink_scores(model, example)),
                  flush=True)
            model.train()
        if step == args.steps:
            break
        ids = data.next(args.batch)
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 50 == 0:
            print("step %d loss %.3f" % (step, loss.item()), flush=True)

    os.makedirs(args.out, exist_ok=True)
    write_json(os.path.join(args.out, "config.json"), config_json(len(words)))
    write_json(os.path.join(args.out, "tokenizer.json"), tokenizer_json(words))
    write_safetensors(os.path.join(args.out, "model.safetensors"), hf_tensors(model), "F32")
    with open(os.path.join(args.out, "example.txt"), "w") as f:
        f.write(EXAMPLE_TEXT + "\n")
    print("wrote", args.out, "in %.0fs" % (time.time() - start))


if __name__ == "__main__":
    main(sys.argv[1:])
