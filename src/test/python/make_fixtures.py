#!/usr/bin/python3
"""Generate tiny random-weight Hugging Face-layout checkpoints and reference outputs.

Usage
-----
    /usr/bin/python3 src/test/python/make_fixtures.py
        Regenerates every case under src/test/resources/fixtures/ (deterministic:
        each model family uses a fixed torch seed, so reruns are byte-identical).

    /usr/bin/python3 src/test/python/make_fixtures.py --gpt2-small OUTDIR
        Writes a GPT-2-small-shaped checkpoint (12 layers, 12 heads, d=768,
        1024 positions, vocab 50257, random weights std 0.02, F32, tied head,
        `transformer.` prefix) as OUTDIR/config.json + OUTDIR/model.safetensors.
        No reference outputs. For benchmarks only; do not commit (~500 MB).

Needs only torch + numpy (no `transformers`, no `safetensors`): the safetensors
files are written by hand and the reference forward pass is an independent
plain-torch implementation evaluated in float64 on the *stored* weights (i.e.
after rounding to F16/BF16 for the half-precision cases).

Cases (one folder each)
-----------------------
GPT-2 tiny (n_embd 64, n_layer 3, n_head 4, n_positions 32, vocab 97, T=12):
    gpt2_f32            `transformer.` prefix, tied head (no lm_head.weight)
    gpt2_noprefix_f32   same weights, names without `transformer.`, GPT2Model
    gpt2_lmhead_f32     prefix + explicit lm_head.weight (copy of wte)
    gpt2_f16, gpt2_bf16 weights stored as F16 / BF16
    gpt2_sharded        F32 split over model-0000{1,2}-of-00002.safetensors
                        + model.safetensors.index.json
BERT tiny (hidden 64, 3 layers, 4 heads, intermediate 128, 32 positions,
vocab 101, T=10):
    bert_f32            no prefix (BertModel layout), pooler present but unused
    bert_prefix_gamma_f32  `bert.` prefix, LayerNorm.gamma/.beta, plus an unused
                        extra tensor cls.predictions.bias (BertForMaskedLM)
    bert_f16, bert_bf16, bert_sharded   as for GPT-2
All cases of a family share the same underlying float32 weights and input ids.

Reference files (each case's reference/ folder; all .npy are float32, C order)
-----------------------------------------------------------------------------
    input.json                  {"ids": [...]} token ids (token_type 0 for BERT)
    attention.npy               [L, H, T, T] softmax probabilities of the clean
                                run; row = query position, column = key position
                                (GPT-2: causal, entries above the diagonal are 0)
    output.npy                  GPT-2: logits [T, V] (ln_f(x) @ wte^T);
                                BERT: last hidden state [T, d]
    ablate_zero_L1H2.npy        output when layer 1 / head 2's per-head context
                                vector z (pattern @ v, before the output
                                projection) is set to 0 at every position
    ablate_mean_L1H2.npy        same, but z is replaced at every position by its
                                mean over positions in that same run
    reweight_L1_k0_g0.5.npy     output when, in layer 1, for every head, the
                                attention probabilities to key position 0 are
                                multiplied by 0.5 and each row is renormalised
                                to sum 1 (after softmax, before pattern @ v)
Layers and heads are 0-based.
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures"))

# Intervention parameters shared by all cases (see docstring).
ABL_LAYER, ABL_HEAD = 1, 2
RW_LAYER, RW_KEY, RW_GAIN = 1, 0, 0.5

# ---------------------------------------------------------------------------
# safetensors writing
# ---------------------------------------------------------------------------
ST_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
TORCH_DTYPE_NAME = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


def tensor_bytes(t, dtype):
    """Raw little-endian bytes of float32 tensor t stored as `dtype`."""
    t = t.detach().to(torch.float32).contiguous()
    if dtype == "F32":
        return t.numpy().astype("<f4").tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().astype("<f2").tobytes()
    if dtype == "BF16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors, dtype):
    """tensors: list of (name, float32 tensor); all written as `dtype`.

    Returns the number of data bytes (for the shard index total_size)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors:
        b = tensor_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    header["__metadata__"] = {"format": "pt"}
    js = json.dumps(header, separators=(",", ":")).encode("utf-8")
    js += b" " * ((-(8 + len(js))) % 8)  # pad so the data section is 8-aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)
    return offset


def write_sharded(folder, tensors, dtype):
    """Split tensors (in order) over two shards plus model.safetensors.index.json."""
    half = (len(tensors) + 1) // 2
    parts = [tensors[:half], tensors[half:]]
    weight_map, total = {}, 0
    for i, part in enumerate(parts):
        fname = "model-%05d-of-%05d.safetensors" % (i + 1, len(parts))
        total += write_safetensors(os.path.join(folder, fname), part, dtype)
        for name, _ in part:
            weight_map[name] = fname
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    write_json(os.path.join(folder, "model.safetensors.index.json"), index)


def write_streamed_safetensors(path, shapes, dtype, make_tensor):
    """A large safetensors file written tensor by tensor (bench checkpoints of GBs): the header first, from the
    shapes, then make_tensor(name, shape) for each. Returns the file size."""
    header, offset = {}, 0
    item = {"F32": 4, "F16": 2, "BF16": 2}[dtype]
    for name, shape in shapes:
        size = item * math.prod(shape)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    header["__metadata__"] = {"format": "pt"}
    js = json.dumps(header, separators=(",", ":")).encode("utf-8")
    js += b" " * ((-(8 + len(js))) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(js)))
        out.write(js)
        for name, shape in shapes:
            out.write(tensor_bytes(make_tensor(name, shape), dtype))
    return offset + len(js) + 8


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def stored(t, dtype):
    """Weights as the loader will see them: rounded to `dtype`, upcast to f64."""
    return t.to(ST_DTYPES[dtype]).to(torch.float64)


# ---------------------------------------------------------------------------
# shared math (float64)
# ---------------------------------------------------------------------------
def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)  # biased variance
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_erf(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def attention(q, k, v, n_head, causal, layer, iv):
    """Multi-head attention core. q,k,v: [T, d]. Returns (concat z [T, d], pattern [H,T,T]).

    iv: None or an intervention tuple, applied only when layer matches:
      ("zero", layer, head) / ("mean", layer, head) on that head's z,
      ("reweight", layer, key, gain) on all heads' probabilities."""
    T, d = q.shape
    dh = d // n_head
    split = lambda m: m.view(T, n_head, dh).transpose(0, 1)  # [H, T, dh]
    q, k, v = split(q), split(k), split(v)
    scores = q @ k.transpose(1, 2) / math.sqrt(dh)
    if causal:
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(mask, float("-inf"))
    pattern = torch.softmax(scores, dim=-1)
    if iv is not None and iv[0] == "reweight" and iv[1] == layer:
        _, _, key, gain = iv
        pattern = pattern.clone()
        pattern[:, :, key] *= gain
        pattern = pattern / pattern.sum(-1, keepdim=True)
    z = pattern @ v  # [H, T, dh]
    if iv is not None and iv[0] in ("zero", "mean") and iv[1] == layer:
        z = z.clone()
        h = iv[2]
        z[h] = 0.0 if iv[0] == "zero" else z[h].mean(0, keepdim=True).expand(T, dh)
    return z.transpose(0, 1).reshape(T, d), pattern


def interventions():
    return {
        "ablate_zero_L%dH%d" % (ABL_LAYER, ABL_HEAD): ("zero", ABL_LAYER, ABL_HEAD),
        "ablate_mean_L%dH%d" % (ABL_LAYER, ABL_HEAD): ("mean", ABL_LAYER, ABL_HEAD),
        "reweight_L%d_k%d_g%g" % (RW_LAYER, RW_KEY, RW_GAIN): ("reweight", RW_LAYER, RW_KEY, RW_GAIN),
    }


def write_reference(folder, ids, forward):
    """forward(iv) -> (output [T, *], attention [L, H, T, T]) in float64."""
    ref = os.path.join(folder, "reference")
    os.makedirs(ref)
    write_json(os.path.join(ref, "input.json"), {"ids": ids})
    out, att = forward(None)
    save_npy(os.path.join(ref, "attention.npy"), att)
    save_npy(os.path.join(ref, "output.npy"), out)
    for name, iv in interventions().items():
        save_npy(os.path.join(ref, name + ".npy"), forward(iv)[0])


def save_npy(path, t):
    np.save(path, np.ascontiguousarray(t.numpy().astype(np.float32)))


def randn(gen, *shape, std=1.0, mean=0.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float32) * std + mean


def new_case(name):
    # clears the whole case folder, also the reference/*.json that metrics_, flow_ and intervene_reference.py add:
    # regenerate_fixtures.py runs those scripts after this one
    folder = os.path.join(FIXTURES, name)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    return folder


# ---------------------------------------------------------------------------
# GPT-2
# ---------------------------------------------------------------------------
GPT2_TINY = dict(n_embd=64, n_layer=3, n_head=4, n_positions=32, vocab_size=97)
GPT2_SEED, GPT2_T = 1234, 12


def gpt2_config(c, dtype, architectures=("GPT2LMHeadModel",)):
    return {
        "architectures": list(architectures),
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "attn_pdrop": 0.1, "embd_pdrop": 0.1, "resid_pdrop": 0.1,
        "bos_token_id": c["vocab_size"] - 1, "eos_token_id": c["vocab_size"] - 1,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-5,
        "n_ctx": c["n_positions"], "n_embd": c["n_embd"], "n_head": c["n_head"],
        "n_inner": None, "n_layer": c["n_layer"], "n_positions": c["n_positions"],
        "vocab_size": c["vocab_size"],
        "torch_dtype": TORCH_DTYPE_NAME[dtype],
    }


def gpt2_weights(c, gen, mat_std=0.1, qk_std=0.3, emb_std=0.2, ln_std=0.1, bias_std=0.05):
    """Ordered list of (name-without-prefix, float32 tensor).

    emb_std 0.2 keeps the tied-head logits in GPT-2's usual range (|logit| < 10): with larger
    embeddings the logits reach ~18 and plain float32 rounding alone (~1e-5) meets the tolerance."""
    d, V, P = c["n_embd"], c["vocab_size"], c["n_positions"]
    w = [("wte.weight", randn(gen, V, d, std=emb_std)),
         ("wpe.weight", randn(gen, P, d, std=emb_std))]
    ln = lambda n: [(n + ".weight", randn(gen, d, std=ln_std, mean=1.0)),
                    (n + ".bias", randn(gen, d, std=bias_std))]
    for i in range(c["n_layer"]):
        p = "h.%d." % i
        # Conv1D layout [in, out]; columns are [q | k | v]
        c_attn = torch.cat([randn(gen, d, d, std=qk_std), randn(gen, d, d, std=qk_std),
                            randn(gen, d, d, std=mat_std)], dim=1)
        w += ln(p + "ln_1")
        w += [(p + "attn.c_attn.weight", c_attn),
              (p + "attn.c_attn.bias", randn(gen, 3 * d, std=bias_std)),
              (p + "attn.c_proj.weight", randn(gen, d, d, std=mat_std)),
              (p + "attn.c_proj.bias", randn(gen, d, std=bias_std))]
        w += ln(p + "ln_2")
        w += [(p + "mlp.c_fc.weight", randn(gen, d, 4 * d, std=mat_std)),
              (p + "mlp.c_fc.bias", randn(gen, 4 * d, std=bias_std)),
              (p + "mlp.c_proj.weight", randn(gen, 4 * d, d, std=mat_std)),
              (p + "mlp.c_proj.bias", randn(gen, d, std=bias_std))]
    w += ln("ln_f")
    return w


def gpt2_forward(W, c, ids, iv=None, eps=1e-5):
    """W: dict name(no prefix) -> float64 tensor. Returns (logits [T,V], attn [L,H,T,T])."""
    T, d = len(ids), c["n_embd"]
    x = W["wte.weight"][ids] + W["wpe.weight"][:T]
    patterns = []
    for i in range(c["n_layer"]):
        g = lambda n: W["h.%d.%s" % (i, n)]
        h = layer_norm(x, g("ln_1.weight"), g("ln_1.bias"), eps)
        qkv = h @ g("attn.c_attn.weight") + g("attn.c_attn.bias")
        q, k, v = qkv.split(d, dim=1)
        z, pat = attention(q, k, v, c["n_head"], True, i, iv)
        patterns.append(pat)
        x = x + z @ g("attn.c_proj.weight") + g("attn.c_proj.bias")
        h = layer_norm(x, g("ln_2.weight"), g("ln_2.bias"), eps)
        m = gelu_tanh(h @ g("mlp.c_fc.weight") + g("mlp.c_fc.bias"))
        x = x + m @ g("mlp.c_proj.weight") + g("mlp.c_proj.bias")
    x = layer_norm(x, W["ln_f.weight"], W["ln_f.bias"], eps)
    return x @ W["wte.weight"].T, torch.stack(patterns)


def make_gpt2():
    c = GPT2_TINY
    gen = torch.Generator().manual_seed(GPT2_SEED)
    weights = gpt2_weights(c, gen)
    ids = torch.randint(0, c["vocab_size"], (GPT2_T,), generator=gen).tolist()
    prefixed = [("transformer." + n, t) for n, t in weights]

    def case(name, dtype, tensors, arch=("GPT2LMHeadModel",), sharded=False):
        folder = new_case(name)
        write_json(os.path.join(folder, "config.json"), gpt2_config(c, dtype, arch))
        if sharded:
            write_sharded(folder, tensors, dtype)
        else:
            write_safetensors(os.path.join(folder, "model.safetensors"), tensors, dtype)
        W = {n: stored(t, dtype) for n, t in weights}
        write_reference(folder, ids, lambda iv: gpt2_forward(W, c, ids, iv))

    case("gpt2_f32", "F32", prefixed)
    case("gpt2_noprefix_f32", "F32", weights, arch=("GPT2Model",))
    wte = dict(weights)["wte.weight"]
    case("gpt2_lmhead_f32", "F32", prefixed + [("lm_head.weight", wte.clone())])
    case("gpt2_f16", "F16", prefixed)
    case("gpt2_bf16", "BF16", prefixed)
    case("gpt2_sharded", "F32", prefixed, sharded=True)


def make_gpt2_small(outdir):
    """GPT-2-small-shaped random checkpoint for benchmarks (no reference)."""
    c = dict(n_embd=768, n_layer=12, n_head=12, n_positions=1024, vocab_size=50257)
    gen = torch.Generator().manual_seed(124)
    weights = gpt2_weights(c, gen, mat_std=0.02, qk_std=0.02, emb_std=0.02,
                           ln_std=0.0, bias_std=0.0)  # LN = 1, biases = 0
    os.makedirs(outdir, exist_ok=True)
    cfg = gpt2_config(c, "F32")
    cfg["bos_token_id"] = cfg["eos_token_id"] = 50256
    write_json(os.path.join(outdir, "config.json"), cfg)
    write_safetensors(os.path.join(outdir, "model.safetensors"),
                      [("transformer." + n, t) for n, t in weights], "F32")


# ---------------------------------------------------------------------------
# BERT
# ---------------------------------------------------------------------------
BERT_TINY = dict(hidden_size=64, num_hidden_layers=3, num_attention_heads=4,
                 intermediate_size=128, max_position_embeddings=32, vocab_size=101)
BERT_SEED, BERT_T = 4321, 10


def bert_config(c, dtype, architectures=("BertModel",)):
    return {
        "architectures": list(architectures),
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_size": c["hidden_size"],
        "initializer_range": 0.02,
        "intermediate_size": c["intermediate_size"],
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": c["max_position_embeddings"],
        "num_attention_heads": c["num_attention_heads"],
        "num_hidden_layers": c["num_hidden_layers"],
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": 2,
        "vocab_size": c["vocab_size"],
        "torch_dtype": TORCH_DTYPE_NAME[dtype],
    }


def bert_weights(c, gen, mat_std=0.1, qk_std=0.3, emb_std=0.5, ln_std=0.1, bias_std=0.05):
    """Ordered list of (canonical name, float32 tensor); Linear layout [out, in]."""
    d, f = c["hidden_size"], c["intermediate_size"]
    ln = lambda n: [(n + ".weight", randn(gen, d, std=ln_std, mean=1.0)),
                    (n + ".bias", randn(gen, d, std=bias_std))]
    lin = lambda n, o, i, s: [(n + ".weight", randn(gen, o, i, std=s)),
                              (n + ".bias", randn(gen, o, std=bias_std))]
    e = "embeddings."
    w = [(e + "word_embeddings.weight", randn(gen, c["vocab_size"], d, std=emb_std)),
         (e + "position_embeddings.weight",
          randn(gen, c["max_position_embeddings"], d, std=emb_std)),
         (e + "token_type_embeddings.weight", randn(gen, 2, d, std=emb_std))]
    w += ln(e + "LayerNorm")
    for i in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        w += lin(p + "attention.self.query", d, d, qk_std)
        w += lin(p + "attention.self.key", d, d, qk_std)
        w += lin(p + "attention.self.value", d, d, mat_std)
        w += lin(p + "attention.output.dense", d, d, mat_std)
        w += ln(p + "attention.output.LayerNorm")
        w += lin(p + "intermediate.dense", f, d, mat_std)
        w += lin(p + "output.dense", d, f, mat_std)
        w += ln(p + "output.LayerNorm")
    w += lin("pooler.dense", d, d, mat_std)
    return w


def bert_forward(W, c, ids, iv=None, eps=1e-12):
    """W: dict canonical name -> float64. Returns (last hidden [T,d], attn [L,H,T,T])."""
    T = len(ids)
    e = lambda n: W["embeddings." + n]
    x = e("word_embeddings.weight")[ids] + e("position_embeddings.weight")[:T] \
        + e("token_type_embeddings.weight")[0]
    x = layer_norm(x, e("LayerNorm.weight"), e("LayerNorm.bias"), eps)
    lin = lambda h, n: h @ W[n + ".weight"].T + W[n + ".bias"]
    patterns = []
    for i in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        ln = lambda h, n: layer_norm(h, W[p + n + ".weight"], W[p + n + ".bias"], eps)
        q = lin(x, p + "attention.self.query")
        k = lin(x, p + "attention.self.key")
        v = lin(x, p + "attention.self.value")
        z, pat = attention(q, k, v, c["num_attention_heads"], False, i, iv)
        patterns.append(pat)
        x = ln(x + lin(z, p + "attention.output.dense"), "attention.output.LayerNorm")
        inter = gelu_erf(lin(x, p + "intermediate.dense"))
        x = ln(x + lin(inter, p + "output.dense"), "output.LayerNorm")
    return x, torch.stack(patterns)


def old_style_name(n):
    """bert. prefix and LayerNorm.gamma/.beta (TF-converted checkpoints)."""
    n = n.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
    return "bert." + n


def make_bert():
    c = BERT_TINY
    gen = torch.Generator().manual_seed(BERT_SEED)
    weights = bert_weights(c, gen)
    ids = torch.randint(0, c["vocab_size"], (BERT_T,), generator=gen).tolist()
    mlm_bias = randn(gen, c["vocab_size"], std=0.05)  # unused extra tensor

    def case(name, dtype, tensors, arch=("BertModel",), sharded=False):
        folder = new_case(name)
        write_json(os.path.join(folder, "config.json"), bert_config(c, dtype, arch))
        if sharded:
            write_sharded(folder, tensors, dtype)
        else:
            write_safetensors(os.path.join(folder, "model.safetensors"), tensors, dtype)
        W = {n: stored(t, dtype) for n, t in weights}
        write_reference(folder, ids, lambda iv: bert_forward(W, c, ids, iv))

    case("bert_f32", "F32", weights)
    old = [(old_style_name(n), t) for n, t in weights] + [("cls.predictions.bias", mlm_bias)]
    case("bert_prefix_gamma_f32", "F32", old, arch=("BertForMaskedLM",))
    case("bert_f16", "F16", weights)
    case("bert_bf16", "BF16", weights)
    case("bert_sharded", "F32", weights, sharded=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpt2-small", metavar="OUTDIR",
                    help="write a random GPT-2-small checkpoint to OUTDIR and exit")
    args = ap.parse_args(argv)
    torch.set_grad_enabled(False)
    if args.gpt2_small:
        make_gpt2_small(args.gpt2_small)
        return
    os.makedirs(FIXTURES, exist_ok=True)
    make_gpt2()
    make_bert()
    print("fixtures written to", FIXTURES)


if __name__ == "__main__":
    main(sys.argv[1:])
