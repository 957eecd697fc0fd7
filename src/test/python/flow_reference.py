#!/usr/bin/python3
"""Independent float64 NumPy reference for the information-flow analyses and the logit lens.

Usage
-----
    /usr/bin/python3 src/test/python/flow_reference.py [FIXTURE ...]

For each fixture folder under src/test/resources/fixtures/ (default: gpt2_f32 llama_f32 vit_f32) reads
config.json and model.safetensors (its own little reader: no torch, no safetensors package), runs a plain
float64 forward of its family (GPT-2, Llama with RoPE rotate-half and GQA, ViT from reference/pixels.npy),
checks that forward against the committed reference/output.npy and reference/attention.npy (the PyTorch
fixtures), and writes reference/flow.json with, computed the slow obvious way:

    value_norms     Kobayashi et al. 2020: per_head [L][H][T][T] = alpha_ijh * ||f_h(x_j)||,
                    summed [L][T][T] = ||sum_h alpha_ijh f_h(x_j)|| from the explicit [T, T, d] sum,
                    f_h(x_j) = (x_j W_V^h + b_V^h) W_O^h (KV head h // (H/KV) for GQA)
    contributions   Ferrando & Voita 2024, before any threshold: parts z_ijh = alpha_ijh f_h(x_j) for the keys a
                    query sees, plus resid_pre_i; whole resid_mid_i; c = max(|y|_1 - |y - z|_1, 1e-5) normalised
                    over the parts. attention [L][T][T] (summed over heads), residual [L][T]; MLP: parts
                    mlp_out and resid_mid of the whole resid_post: mlp [L][T], mlp_residual [L][T]
    logit_lens      (LMs) log_probs [L+1][T][V] of softmax(W_U LN_final(x^l)), x^0 = embedding, x^l = resid_post;
                    top_ids / top_probs (k = 5), final_top [T], final_top_rank [L+1][T] (1 = top),
                    final_top_prob [L+1][T], kl [L+1][T] = KL(p^l || p^L)
    flowcut         (ViT) scores [L][patches], cumulative [patches]: a_j = mean_h A_CLS,j, s_j = mean_h
                    softmax_j(v_CLS . v_j) over patches, score = (a/sum a + s/sum s) * |mean_h v_j|_1,
                    C = 0, then C <- 0.5 C + 0.5 score per layer
Deterministic: reruns write identical files. Needs only numpy.
"""
import json
import math
import os
import struct
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures")
EPS_CONTRIBUTION = 1e-5
TOP_K = 5


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", name + " is " + meta["dtype"]
        start, end = meta["data_offsets"]
        out[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(meta["shape"]).astype(np.float64)
    return out


def strip(weights, prefix):
    return {(n[len(prefix):] if n.startswith(prefix) else n): t for n, t in weights.items()}


# ---------------------------------------------------------------------------
# float64 math
# ---------------------------------------------------------------------------
def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_erf(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def attend(q, k, v, visible):
    """q [H,T,dh], k/v [H,T,dh] (already repeated for GQA), visible [T,T] bool -> pattern [H,T,T], z [T,H*dh]."""
    dh = q.shape[-1]
    scores = q @ k.transpose(0, 2, 1) / math.sqrt(dh)
    scores = np.where(visible[None], scores, -np.inf)
    pattern = softmax(scores)
    z = pattern @ v
    return pattern, z.transpose(1, 0, 2).reshape(q.shape[1], -1)


class Layer:
    """What one block did: the inputs of the flow analyses, in float64."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


# ---------------------------------------------------------------------------
# forwards: each returns (layers, embedding [T,d], output, unembed (norm fn, W_U [d,V]) or None, visible)
# ---------------------------------------------------------------------------
def gpt2(folder, ids):
    c = json.load(open(os.path.join(folder, "config.json")))
    W = strip(read_safetensors(os.path.join(folder, "model.safetensors")), "transformer.")
    d, H, eps = c["n_embd"], c["n_head"], c.get("layer_norm_epsilon", 1e-5)
    dh, T = d // H, len(ids)
    visible = np.tril(np.ones((T, T), dtype=bool))
    x = W["wte.weight"][ids] + W["wpe.weight"][:T]
    embedding, layers = x.copy(), []
    for i in range(c["n_layer"]):
        g = lambda n: W["h.%d.%s" % (i, n)]
        h = layer_norm(x, g("ln_1.weight"), g("ln_1.bias"), eps)
        qkv = h @ g("attn.c_attn.weight") + g("attn.c_attn.bias")
        q, k, v = [m.reshape(T, H, dh).transpose(1, 0, 2) for m in np.split(qkv, 3, axis=1)]
        pattern, z = attend(q, k, v, visible)
        wo = g("attn.c_proj.weight")  # [H*dh, d], Conv1D
        mid = x + z @ wo + g("attn.c_proj.bias")
        h2 = layer_norm(mid, g("ln_2.weight"), g("ln_2.bias"), eps)
        mlp = gelu_tanh(h2 @ g("mlp.c_fc.weight") + g("mlp.c_fc.bias")) @ g("mlp.c_proj.weight") + g("mlp.c_proj.bias")
        post = mid + mlp
        layers.append(Layer(pre=x, pattern=pattern, v=v, group=1, wo=wo.reshape(H, dh, d), mid=mid, mlp=mlp, post=post))
        x = post
    final = lambda r: layer_norm(r, W["ln_f.weight"], W["ln_f.bias"], eps)
    unembed = W["lm_head.weight"].T if "lm_head.weight" in W else W["wte.weight"].T
    return layers, embedding, final(x) @ unembed, (final, unembed), visible


def llama(folder, ids, embedded=None, pattern_hook=None):
    """ids, or embeddings [T, d] computed elsewhere (then ids is ignored); pattern_hook(layer, x, pattern) may
    return a replacement for a layer's softmax attention [H, T, T] (x: the layer's input)."""
    c = json.load(open(os.path.join(folder, "config.json")))
    W = strip(read_safetensors(os.path.join(folder, "model.safetensors")), "model.")
    d, H = c["hidden_size"], c["num_attention_heads"]
    KV = c.get("num_key_value_heads") or H
    dh = c.get("head_dim") or d // H
    eps, theta = c["rms_norm_eps"], c.get("rope_theta", 10000.0)
    T = len(ids) if embedded is None else embedded.shape[0]
    assert c.get("rope_scaling") is None and not c.get("sliding_window")
    # Hugging Face computes the angles in float32, then cos/sin
    inv = (1.0 / (np.float32(theta) ** (np.arange(0, dh, 2, dtype=np.float32) / np.float32(dh)))).astype(np.float32)
    angles = (np.arange(T, dtype=np.float32)[:, None] * inv[None, :]).astype(np.float32)
    angles = np.concatenate([angles, angles], axis=-1).astype(np.float64)
    cos, sin = np.cos(angles), np.sin(angles)
    rotate = lambda m: np.concatenate([-m[..., dh // 2:], m[..., :dh // 2]], axis=-1)
    lin = lambda m, n: m @ W[n + ".weight"].T + (W[n + ".bias"] if n + ".bias" in W else 0)
    visible = np.tril(np.ones((T, T), dtype=bool))
    x = W["embed_tokens.weight"][ids] if embedded is None else np.array(embedded, dtype=np.float64)
    embedding, layers = x.copy(), []
    for i in range(c["num_hidden_layers"]):
        p = "layers.%d." % i
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = lin(h, p + "self_attn.q_proj").reshape(T, H, dh).transpose(1, 0, 2)
        k = lin(h, p + "self_attn.k_proj").reshape(T, KV, dh).transpose(1, 0, 2)
        v = lin(h, p + "self_attn.v_proj").reshape(T, KV, dh).transpose(1, 0, 2)
        q, k = q * cos + rotate(q) * sin, k * cos + rotate(k) * sin
        group = H // KV
        pattern, z = attend(q, np.repeat(k, group, axis=0), np.repeat(v, group, axis=0), visible)
        if pattern_hook is not None:
            pattern = pattern_hook(i, x, pattern)
            z = (pattern @ np.repeat(v, group, axis=0)).transpose(1, 0, 2).reshape(T, -1)
        wo = W[p + "self_attn.o_proj.weight"].T  # [H*dh, d]
        mid = x + z @ wo
        h2 = rms_norm(mid, W[p + "post_attention_layernorm.weight"], eps)
        gate = lin(h2, p + "mlp.gate_proj")
        mlp = lin(gate / (1 + np.exp(-gate)) * lin(h2, p + "mlp.up_proj"), p + "mlp.down_proj")
        post = mid + mlp
        layers.append(Layer(pre=x, pattern=pattern, v=v, group=group, wo=wo.reshape(H, dh, d), mid=mid, mlp=mlp, post=post))
        x = post
    final = lambda r: rms_norm(r, W["norm.weight"], eps)
    unembed = W["lm_head.weight"].T if "lm_head.weight" in W else W["embed_tokens.weight"].T
    return layers, embedding, final(x) @ unembed, (final, unembed), visible


def vit(folder, pixels):
    c = json.load(open(os.path.join(folder, "config.json")))
    W = strip(read_safetensors(os.path.join(folder, "model.safetensors")), "vit.")
    d, H, P, eps = c["hidden_size"], c["num_attention_heads"], c["patch_size"], c["layer_norm_eps"]
    dh = d // H
    C, height, width = pixels.shape
    rows, cols = height // P, width // P
    conv = W["embeddings.patch_embeddings.projection.weight"].reshape(d, -1)  # [d, C*P*P] in (c, y, x) order
    patches = [pixels[:, r * P:(r + 1) * P, q * P:(q + 1) * P].reshape(-1) for r in range(rows) for q in range(cols)]
    x = np.stack(patches) @ conv.T + W["embeddings.patch_embeddings.projection.bias"]
    x = np.concatenate([W["embeddings.cls_token"].reshape(1, d), x]) + W["embeddings.position_embeddings"].reshape(-1, d)
    T = x.shape[0]
    visible = np.ones((T, T), dtype=bool)
    lin = lambda m, n: m @ W[n + ".weight"].T + W[n + ".bias"]
    layers = []
    for i in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        h = layer_norm(x, W[p + "layernorm_before.weight"], W[p + "layernorm_before.bias"], eps)
        split = lambda m: m.reshape(T, H, dh).transpose(1, 0, 2)
        a = p + "attention.attention."
        q, k, v = split(lin(h, a + "query")), split(lin(h, a + "key")), split(lin(h, a + "value"))
        pattern, z = attend(q, k, v, visible)
        wo = W[p + "attention.output.dense.weight"].T
        mid = x + z @ wo + W[p + "attention.output.dense.bias"]
        h2 = layer_norm(mid, W[p + "layernorm_after.weight"], W[p + "layernorm_after.bias"], eps)
        mlp = lin(gelu_erf(lin(h2, p + "intermediate.dense")), p + "output.dense")
        post = mid + mlp
        layers.append(Layer(pre=x, pattern=pattern, v=v, group=1, wo=wo.reshape(H, dh, d), mid=mid, mlp=mlp, post=post))
        x = post
    x = layer_norm(x, W["layernorm.weight"], W["layernorm.bias"], eps)
    logits = x[:1] @ W["classifier.weight"].T + W["classifier.bias"]
    return layers, None, logits, None, visible


# ---------------------------------------------------------------------------
# the analyses, directly from their definitions
# ---------------------------------------------------------------------------
def head_outputs(layer):
    """f [H, T, d]: f_h(x_j) = v_{h // group, j} W_O^h."""
    H = layer.wo.shape[0]
    return np.stack([layer.v[h // layer.group] @ layer.wo[h] for h in range(H)])


def value_norms(layers):
    per_head, summed = [], []
    for layer in layers:
        f = head_outputs(layer)  # [H, T, d]
        a = layer.pattern  # [H, T, T]
        per_head.append(a * np.linalg.norm(f, axis=-1)[:, None, :])
        vectors = np.einsum("hij,hjd->ijd", a, f)  # [T, T, d]: the explicit sum over heads
        summed.append(np.linalg.norm(vectors, axis=-1))
    return {"per_head": np.stack(per_head).tolist(), "summed": np.stack(summed).tolist()}


def contributions(layers, visible):
    attention, residual, mlp, mlp_residual = [], [], [], []
    for layer in layers:
        f = head_outputs(layer)
        H, T, _ = f.shape
        att = np.zeros((T, T))
        res = np.zeros(T)
        for i in range(T):
            y = layer.mid[i]
            keys = np.nonzero(visible[i])[0]
            parts = [layer.pattern[h, i, j] * f[h, j] for h in range(H) for j in keys] + [layer.pre[i]]
            raw = np.array([max(np.abs(y).sum() - np.abs(y - z).sum(), EPS_CONTRIBUTION) for z in parts])
            share = raw / raw.sum()
            heads = share[:-1].reshape(H, len(keys))
            att[i, keys] = heads.sum(0)
            res[i] = share[-1]
        attention.append(att)
        residual.append(res)
        y = layer.post
        m = np.maximum(np.abs(y).sum(-1) - np.abs(y - layer.mlp).sum(-1), EPS_CONTRIBUTION)
        r = np.maximum(np.abs(y).sum(-1) - np.abs(y - layer.mid).sum(-1), EPS_CONTRIBUTION)
        mlp.append(m / (m + r))
        mlp_residual.append(r / (m + r))
    return {"attention": np.stack(attention).tolist(), "residual": np.stack(residual).tolist(),
            "mlp": np.stack(mlp).tolist(), "mlp_residual": np.stack(mlp_residual).tolist()}


def logit_lens(layers, embedding, head):
    final, unembed = head
    streams = [embedding] + [layer.post for layer in layers]
    lp = np.stack([log_softmax(final(x) @ unembed) for x in streams])  # [L+1, T, V]
    last = lp[-1]
    final_top = last.argmax(-1)
    T = last.shape[0]
    target = lp[:, np.arange(T), final_top]  # [L+1, T]
    rank = (lp > target[..., None]).sum(-1) + 1
    kl = (np.exp(lp) * (lp - last[None])).sum(-1)
    top_ids = np.argsort(-lp, axis=-1, kind="stable")[..., :TOP_K]
    top_probs = np.exp(np.take_along_axis(lp, top_ids, axis=-1))
    return {"log_probs": lp.tolist(), "top_ids": top_ids.tolist(), "top_probs": top_probs.tolist(),
            "final_top": final_top.tolist(), "final_top_rank": rank.tolist(),
            "final_top_prob": np.exp(target).tolist(), "kl": kl.tolist()}


def flowcut(layers, special):
    scores, cumulative = [], None
    for layer in layers:
        a = layer.pattern[:, 0, special:].mean(0)
        v = layer.v  # [KV, T, dh]
        s = softmax(np.einsum("hc,hjc->hj", v[:, 0], v[:, special:])).mean(0)
        norm = np.abs(v[:, special:].mean(0)).sum(-1)
        score = (a / a.sum() + s / s.sum()) * norm
        cumulative = 0.5 * (np.zeros_like(score) if cumulative is None else cumulative) + 0.5 * score
        scores.append(score)
    return {"special_tokens": special, "scores": np.stack(scores).tolist(), "cumulative": cumulative.tolist()}


# ---------------------------------------------------------------------------
def main(names):
    for name in names or ["gpt2_f32", "llama_f32", "vit_f32"]:
        folder = os.path.join(ROOT, name)
        ref = os.path.join(folder, "reference")
        model_type = json.load(open(os.path.join(folder, "config.json")))["model_type"]
        if model_type == "vit":
            layers, embedding, output, head, visible = vit(folder, np.load(os.path.join(ref, "pixels.npy")).astype(np.float64))
        else:
            ids = json.load(open(os.path.join(ref, "input.json")))["ids"]
            forward = gpt2 if model_type == "gpt2" else llama
            layers, embedding, output, head, visible = forward(folder, ids)
        # the forward must agree with the committed PyTorch fixtures before its analyses mean anything
        out_err = np.abs(output - np.load(os.path.join(ref, "output.npy"))).max()
        att_err = np.abs(np.stack([l.pattern for l in layers]) - np.load(os.path.join(ref, "attention.npy"))).max()
        print("%s: forward vs fixture output max|err| %.1e, attention %.1e" % (name, out_err, att_err))
        assert out_err < 1e-5 and att_err < 1e-6, name + ": the reference forward disagrees with the fixture"

        out = {"value_norms": value_norms(layers), "contributions": contributions(layers, visible)}
        if head is not None:
            out["logit_lens"] = logit_lens(layers, embedding, head)
        if model_type == "vit":
            out["flowcut"] = flowcut(layers, 1)
        target = os.path.join(ref, "flow.json")
        with open(target, "w") as f:
            json.dump(out, f)
            f.write("\n")
        print("wrote", os.path.relpath(target), "(%d KB)" % (os.path.getsize(target) // 1024))


if __name__ == "__main__":
    main(sys.argv[1:])
