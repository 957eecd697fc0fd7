#!/usr/bin/python3
"""Train the sample decoder `tiny-stories-decoder`: a 2-layer GPT-2 with a word-level vocabulary.

Usage
-----
    /usr/bin/python3 samples/train_decoder.py [--out samples/tiny-stories-decoder] [--steps 4000]

Writes OUT/config.json, OUT/model.safetensors (F32, GPT2LMHeadModel names, tied head), OUT/tokenizer.json (a Hugging
Face WordLevel tokenizer that prepends <bos>) and OUT/example.txt. Deterministic: seeds are fixed and torch runs on
one thread, so the same torch/numpy give the same weights. Training stops at the first evaluation where the targets
hold (an induction head, a previous-token head, a sink on <bos>), so the run is as short as it can be.

Training data (all generated here, free to ship), every row starting with <bos> (which makes it an attention sink):
  * three quarters: a random segment of distinct ordinary tokens (any id but <bos>, as HeadTypes draws them)
    repeated until the context is full; predicting the repeats needs a previous-token head in layer 0 and an
    induction head in layer 1;
  * one quarter: short children's stories from a made-up template grammar (names, animals, objects, places).
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
CONFIG = dict(n_layer=2, n_head=4, n_embd=64, n_inner=128, n_positions=64, layer_norm_epsilon=1e-5)
BOS, UNK = "<bos>", "<unk>"
REPEATED_SHARE = 0.75

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
    """Rows of n_positions + 1 ids, each starting with <bos>: REPEATED_SHARE repeated random segments, the rest
    stories."""

    def __init__(self, words, seed):
        self.ids = {w: i for i, w in enumerate(words)}
        self.vocab = len(words)
        self.rng = random.Random(seed)
        self.stories = Stories(self.rng)
        self.t = CONFIG["n_positions"] + 1  # inputs are the first n_positions ids, targets the last

    def story_row(self):
        row = [0]
        while len(row) < self.t:
            row += [self.ids[w] for w in self.stories.story()]
        return row[:self.t]

    def repeated_row(self):
        r = self.rng
        n = r.randint(4, (self.t - 1) // 2)
        seq = r.sample(range(1, self.vocab), n)  # distinct, anything but <bos>
        row = [0]
        while len(row) < self.t:
            row += seq
        return row[:self.t]

    def next(self, size):
        rows = [self.repeated_row() if self.rng.random() < REPEATED_SHARE else self.story_row() for _ in range(size)]
        return torch.tensor(rows, dtype=torch.long)


class Block(nn.Module):
    """A GPT-2 block (pre-LayerNorm); Linear weights are [out, in], transposed to Conv1D's [in, out] on saving."""

    def __init__(self, d, heads, inner, eps):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.c_attn = nn.Linear(d, 3 * d)
        self.attn_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.c_fc = nn.Linear(d, inner)
        self.mlp_proj = nn.Linear(inner, d)

    def forward(self, x, mask, keep=None):
        b, t, d = x.shape
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.reshape(shape).transpose(1, 2) for z in self.c_attn(self.ln_1(x)).split(d, dim=-1))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads)
        pattern = torch.softmax(scores.masked_fill(mask[:t, :t], float("-inf")), dim=-1)
        if keep is not None:
            keep.append(pattern.detach())
        x = x + self.attn_proj((pattern @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        c = CONFIG
        d, t = c["n_embd"], c["n_positions"]
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(t, d)
        self.h = nn.ModuleList(Block(d, c["n_head"], c["n_inner"], c["layer_norm_epsilon"]) for _ in range(c["n_layer"]))
        self.ln_f = nn.LayerNorm(d, eps=c["layer_norm_epsilon"])
        self.register_buffer("mask", torch.triu(torch.ones(t, t, dtype=torch.bool), 1), persistent=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids, keep=None):
        x = self.wte(ids) + self.wpe.weight[:ids.shape[1]]
        for block in self.h:
            x = block(x, self.mask, keep)
        return self.ln_f(x) @ self.wte.weight.T  # tied LM head


def head_scores(model, vocab, seeds=(0, 1, 2)):
    """HeadTypes' scores with withBos(0).withExclusions(true, false): on <bos> + r + r (r = the longest segment of
    distinct ids that fits), Σ(A⊙D)/ΣA over all rows with the <bos> key column left out; mean over a few seeds."""
    length = (CONFIG["n_positions"] - 1) // 2
    total = {"prev": 0, "induction": 0}
    for seed in seeds:
        seq = random.Random(seed).sample(range(1, vocab), length)
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
        for name, d in (("prev", prev), ("induction", induction)):
            rows = []
            for a in keep:
                a = a[0].clone()
                a[:, :, 0] = 0
                rows.append([float((a[h] * d).sum() / a[h].sum()) for h in range(a.shape[0])])
            total[name] = total[name] + torch.tensor(rows) / len(seeds)
    return total


def sink_scores(model, ids):
    """Causal sink score of the first token per head, [layer][head]: mean over all queries of A_i0."""
    keep = []
    with torch.no_grad():
        model(torch.tensor([ids]), keep)
    return torch.stack([a[0, :, :, 0].mean(-1) for a in keep])


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
    c = dict(CONFIG)
    c.update({
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "n_ctx": CONFIG["n_positions"],
        "bos_token_id": 0, "eos_token_id": 0,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "vocab_size": vocab,
    })
    return c


def hf_tensors(model):
    """GPT2LMHeadModel names; Conv1D weights are [in, out]; the LM head is tied, so not stored."""
    out = [("transformer.wte.weight", model.wte.weight), ("transformer.wpe.weight", model.wpe.weight)]
    for i, b in enumerate(model.h):
        p = "transformer.h.%d." % i
        out += [(p + "ln_1.weight", b.ln_1.weight), (p + "ln_1.bias", b.ln_1.bias),
                (p + "attn.c_attn.weight", b.c_attn.weight.T), (p + "attn.c_attn.bias", b.c_attn.bias),
                (p + "attn.c_proj.weight", b.attn_proj.weight.T), (p + "attn.c_proj.bias", b.attn_proj.bias),
                (p + "ln_2.weight", b.ln_2.weight), (p + "ln_2.bias", b.ln_2.bias),
                (p + "mlp.c_fc.weight", b.c_fc.weight.T), (p + "mlp.c_fc.bias", b.c_fc.bias),
                (p + "mlp.c_proj.weight", b.mlp_proj.weight.T), (p + "mlp.c_proj.bias", b.mlp_proj.bias)]
    out += [("transformer.ln_f.weight", model.ln_f.weight), ("transformer.ln_f.bias", model.ln_f.bias)]
    return [(n, t.detach().contiguous()) for n, t in out]


def targets_hold(scores, sinks, args):
    """Induction in layer 1, a previous-token head in layer 0 and a head resting on <bos>."""
    return (scores["induction"][1].max() > args.induction and scores["prev"][0].max() >= args.prev
            and sinks.max() > args.sink)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "tiny-stories-decoder"))
    ap.add_argument("--steps", type=int, default=4000, help="at most this many steps")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--induction", type=float, default=0.6, help="stop once a layer-1 head's induction score beats this")
    ap.add_argument("--prev", type=float, default=0.6, help="... and a layer-0 head's previous-token score")
    ap.add_argument("--sink", type=float, default=0.3, help="... and a head's mean attention on <bos>")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
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
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))
    example = [0] + [words.index(w) for w in EXAMPLE_TEXT.split()]
    start = time.time()
    for step in range(args.steps + 1):
        if step % args.eval_every == 0 and step > 0:
            model.eval()
            hs, sinks = head_scores(model, len(words)), sink_scores(model, example)
            fmt = lambda m: [[round(float(v), 2) for v in row] for row in m]
            print("step %d  %.0fs  prev %s  induction %s  sink %s" % (step, time.time() - start, fmt(hs["prev"]),
                                                                       fmt(hs["induction"]), fmt(sinks)), flush=True)
            model.train()
            save(model, words, args.out)  # the latest evaluated weights, should the run be cut short
            if targets_hold(hs, sinks, args):
                print("targets hold at step %d" % step)
                break
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
            print("step %d loss %.3f  %.0fs" % (step, loss.item(), time.time() - start), flush=True)

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
