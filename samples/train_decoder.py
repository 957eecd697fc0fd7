#!/usr/bin/python3
"""Train the sample decoder `tiny-stories-decoder`: a 2-layer Llama (RoPE) with a word-level vocabulary.

Usage
-----
    /usr/bin/python3 samples/train_decoder.py [--out samples/tiny-stories-decoder] [--steps 2500]

Writes OUT/config.json, OUT/model.safetensors (F32, LlamaForCausalLM names, tied head), OUT/tokenizer.json (a Hugging Face
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
CONFIG = dict(num_hidden_layers=2, num_attention_heads=4, hidden_size=64, intermediate_size=128, rms_norm_eps=1e-5,
              rope_theta=10000.0, context=128)
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
    """Rows of context + 1 ids, each starting with <bos>: a quarter stories, half repeated random sequences, a
    quarter skip chains."""

    def __init__(self, words, seed):
        self.ids = {w: i for i, w in enumerate(words)}
        self.vocab = len(words)
        self.rng = random.Random(seed)
        self.stories = Stories(self.rng)
        self.t = CONFIG["context"] + 1  # inputs are the first n_positions
        targets = list(range(1, self.vocab))
        random.Random(seed + 1).shuffle(targets)
        self.skip = [0] + targets  # a permutation of the ids other than <bos>

    def story_row(self):
        row = [0]
        while len(row) < self.t:
            row += [self.ids[w] for w in self.stories.story()]
        return row[:self.t]

    def repeated_row(self):
        r = self.rng
        n = r.randint(3, 50)
        pool = range(1, self.vocab)  # anything but <bos>, as HeadTypes draws them
        seq = r.sample(pool, n) if r.random() < 0.5 else [r.choice(pool) for _ in range(n)]
        row = [0]
        while len(row) < self.t:
            row += seq
        return row[:self.t]

    def skip_row(self):
        """Two interleaved chains: x[i+1] = SKIP[x[i-1]], a fixed permutation, so predicting needs the previous
        token; this is what gets previous-token heads going before the induction heads can use them."""
        r = self.rng
        row = [0, r.randrange(1, self.vocab), r.randrange(1, self.vocab)]
        while len(row) < self.t:
            row.append(self.skip[row[-2]])
        return row

    def next(self, size):
        kinds = (self.story_row, self.repeated_row, self.skip_row, self.repeated_row)
        rows = [kinds[i % 4]() for i in range(size)]
        return torch.tensor(rows, dtype=torch.long)


class RmsNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(count, d_head, theta):
    """cos and sin [count, d_head] for Hugging Face's rotate-half RoPE."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, d_head, 2, dtype=torch.float32) / d_head))
    angle = torch.arange(count, dtype=torch.float32)[:, None] * inv_freq[None, :]
    angle = torch.cat([angle, angle], dim=-1)
    return angle.cos(), angle.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Layer(nn.Module):
    def __init__(self, d, heads, inner, eps):
        super().__init__()
        self.heads = heads
        self.input_layernorm = RmsNorm(d, eps)
        # attention_bias: a constant query and key let RoPE make a purely positional (previous-token) head
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (nn.Linear(d, d) for _ in range(4))
        self.post_attention_layernorm = RmsNorm(d, eps)
        self.gate_proj, self.up_proj = nn.Linear(d, inner, bias=False), nn.Linear(d, inner, bias=False)
        self.down_proj = nn.Linear(inner, d, bias=False)

    def forward(self, x, mask, cos, sin, keep=None):
        b, t, d = x.shape
        h = self.input_layernorm(x)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (m(h).view(shape).transpose(1, 2) for m in (self.q_proj, self.k_proj, self.v_proj))
        q = q * cos[:t] + rotate_half(q) * sin[:t]
        k = k * cos[:t] + rotate_half(k) * sin[:t]
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads)
        pattern = torch.softmax(scores.masked_fill(mask[:t, :t], float("-inf")), dim=-1)
        if keep is not None:
            keep.append(pattern.detach())
        x = x + self.o_proj((pattern @ v).transpose(1, 2).reshape(b, t, d))
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Llama(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        c = CONFIG
        d = c["hidden_size"]
        self.embed_tokens = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(Layer(d, c["num_attention_heads"], c["intermediate_size"], c["rms_norm_eps"])
                                    for _ in range(c["num_hidden_layers"]))
        self.norm = RmsNorm(d, c["rms_norm_eps"])
        t = c["context"]
        self.register_buffer("mask", torch.triu(torch.ones(t, t, dtype=torch.bool), 1), persistent=False)
        cos, sin = rope_tables(t, d // c["num_attention_heads"], c["rope_theta"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)

    def forward(self, ids, keep=None):
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, self.mask, self.cos, self.sin, keep)
        return self.norm(x) @ self.embed_tokens.weight.T  # tied LM head


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
    c = {k: v for k, v in CONFIG.items() if k != "context"}
    c.update({
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_act": "silu",
        "max_position_embeddings": CONFIG["context"],
        "num_key_value_heads": CONFIG["num_attention_heads"],
        "bos_token_id": 0, "eos_token_id": 0,
        "attention_bias": True,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "vocab_size": vocab,
    })
    return c


def hf_tensors(model):
    """LlamaForCausalLM names (Linear weights [out, in]); the LM head is tied, so not stored."""
    return [("model." + n, t.contiguous()) for n, t in model.state_dict().items()]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "tiny-stories-decoder"))
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--snapshots", action="store_true", help="also save OUT-stepN at every evaluation")
    args = ap.parse_args(argv)

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    words = vocabulary()
    model = Llama(len(words))
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
            if args.snapshots:
                save(model, words, args.out + "-step%d" % step)
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

    save(model, words, args.out)
    print("wrote", args.out, "in %.0fs" % (time.time() - start))


def save(model, words, out):
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "config.json"), config_json(len(words)))
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json(words))
    write_safetensors(os.path.join(out, "model.safetensors"), hf_tensors(model), "F32")
    with open(os.path.join(out, "example.txt"), "w") as f:
        f.write(EXAMPLE_TEXT + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
