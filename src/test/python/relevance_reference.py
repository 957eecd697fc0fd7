#!/usr/bin/python3
"""Independent float64 PyTorch reference for the relevance maps (docs/relevance.md).

Usage
-----
    /usr/bin/python3 src/test/python/relevance_reference.py [FIXTURE ...]

For each fixture folder under src/test/resources/fixtures/ (default: FIXTURES below) reads config.json and
model.safetensors (its own little reader), runs a float64 forward of its family written here (GPT-2, BERT, Llama,
ViT from reference/pixels.npy, GPT-NeoX/Pythia, Gemma-2), checks it against the committed reference/output.npy,
and writes reference/relevance.json:

    {"targets": [{"position", "id", "logit", "methods": {METHOD: {"tokens": [T], "position_share",
                  "type_share", "heads": [L][H] (gradient x input methods only)}}}]}

The methods, each by autograd with .detach() where a rule holds a factor constant:
    grad-input  plain gradient; relevance of token i = sum_d e_id * g_id over the token-embedding part
    attnlrp     norms: x_centred * detach(1/sigma); element-wise f: x * detach(f(x)/x) (GELU, SiLU, ReLU,
                tanh soft-caps); bilinear products q.k^T, A.v, gate*up: 0.5*p + 0.5*detach(p) (half the gradient
                to each operand); softmax unchanged
    cp-lrp      as attnlrp, but detach(A) and detach(act(gate)), no halving
    chefer      R = I; per layer R <- R + mean_h((dA * A)^+) R with dA the plain gradient; row `position`
    rollout     A_hat = 0.5 (mean_h A + I), rows renormalised; R = A_hat^L ... A_hat^1; row `position`
Head relevance [L][H]: sum over positions and channels of z * dz, z the head's context before the output
projection, dz the (rule-modified) gradient there.
Targets: the top output at the default position (last token for LMs, CLS for classifiers and bare encoders),
and for gpt2_f32 and llama_f32 also an explicit (position, id). Deterministic. Needs torch and numpy.
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flow_reference  # noqa: E402  (its safetensors reader)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures")
FIXTURES = ["gpt2_f32", "bert_f32", "llama_f32", "vit_f32", "pythia_f32", "gemma2_f32"]
EXTRA_TARGET = {"gpt2_f32": (3, 7), "llama_f32": (5, 11)}
METHODS = ["grad-input", "attnlrp", "cp-lrp", "chefer", "rollout"]
torch.set_default_dtype(torch.float64)


def read_safetensors(path):
    """float32 safetensors as float64 torch tensors (flow_reference's reader)."""
    return {name: torch.from_numpy(t) for name, t in flow_reference.read_safetensors(path).items()}


# ---------------------------------------------------------------------------
# a model as plain data: every family below is turned into this shape
# ---------------------------------------------------------------------------
class Linear:
    """y = x @ w + b with w [in, out]."""

    def __init__(self, w, b=None):
        self.w, self.b = w, b

    def __call__(self, x):
        return x @ self.w + (self.b if self.b is not None else 0)


def hf_linear(W, name):
    return Linear(W[name + ".weight"].T, W.get(name + ".bias"))


class Model:
    norm = "layer"         # "layer", "rms", "gemma" (rms times 1 + w)
    post_norm = False
    parallel = False
    causal = True
    act = "gelu_tanh"      # gelu_tanh, gelu_erf, relu, silu_gated, gelu_tanh_gated
    rope = None            # (theta, rotated channels) rotate-half
    score_cap = 0.0
    final_cap = 0.0
    embed_norm = None
    final_norm = None
    output = "lm"          # lm, class, hidden
    unembed = None
    windows = None

    def __init__(self, layers, heads, kv, dh, eps, scale):
        self.layers, self.heads, self.kv, self.dh, self.eps, self.scale = layers, heads, kv, dh, eps, scale


# ---------------------------------------------------------------------------
# the forward with the rules
# ---------------------------------------------------------------------------
class Rules:
    def __init__(self, method):
        self.lrp = method in ("attnlrp", "cp-lrp")
        self.half = method == "attnlrp"
        self.constant_attention = method == "cp-lrp"

    def held(self, t):
        return t.detach() if self.lrp else t

    def bilinear(self, p):
        return 0.5 * p + 0.5 * p.detach() if self.half else p

    def elementwise(self, x, ratio):
        """f(x) = x * (f(x)/x), the ratio constant under LRP (identity rule)."""
        return x * self.held(ratio)

    def softcap(self, x, cap):
        capped = torch.tanh(x / cap) * cap
        if not self.lrp:
            return capped
        zero = (x == 0).to(x.dtype)
        return x * (capped / (x + zero) + zero).detach()


def norm(m, rules, x, weights):
    w, b = weights
    if m.norm == "layer":
        c = x - x.mean(-1, keepdim=True)
        y = c * rules.held(1 / torch.sqrt((c * c).mean(-1, keepdim=True) + m.eps))
    else:
        y = x * rules.held(1 / torch.sqrt((x * x).mean(-1, keepdim=True) + m.eps))
    y = y * ((1 + w) if m.norm == "gemma" else w)
    return y + b if b is not None else y


def activation(m, rules, x, gate):
    sqrt2pi = math.sqrt(2 / math.pi)
    gelu_tanh = lambda t: rules.elementwise(t, 0.5 * (1 + torch.tanh(sqrt2pi * (t + 0.044715 * t ** 3))))
    if m.act == "gelu_tanh":
        return gelu_tanh(x)
    if m.act == "gelu_erf":
        return rules.elementwise(x, 0.5 * (1 + torch.erf(x / math.sqrt(2))))
    if m.act == "relu":
        return rules.elementwise(x, (x > 0).to(x.dtype))
    g = rules.elementwise(gate, torch.sigmoid(gate)) if m.act == "silu_gated" else gelu_tanh(gate)
    if rules.constant_attention:  # CP-LRP: the activated gate is a constant
        return g.detach() * x
    return rules.bilinear(g * x)


def rotate(x, theta, rotated):
    """Rotate-half RoPE on the first `rotated` channels of x [n, T, dh] (angles in float32, as HF)."""
    T = x.shape[1]
    inv = 1.0 / (theta ** (torch.arange(0, rotated, 2, dtype=torch.int64).float() / rotated))
    freqs = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
    emb = torch.cat([freqs, freqs], dim=-1).to(torch.float64)
    r, rest = x[..., :rotated], x[..., rotated:]
    half = rotated // 2
    turned = torch.cat([-r[..., half:], r[..., :half]], dim=-1)
    return torch.cat([r * emb.cos() + turned * emb.sin(), rest], dim=-1)


def attention(m, rules, layer, lw, h, patterns, zs, gate_patterns):
    T = h.shape[0]
    split = lambda t, n: t.view(T, n, m.dh).transpose(0, 1)
    q, k, v = split(lw["q"](h), m.heads), split(lw["k"](h), m.kv), split(lw["v"](h), m.kv)
    if m.rope is not None:
        q, k = rotate(q, *m.rope), rotate(k, *m.rope)
    k = k.repeat_interleave(m.heads // m.kv, dim=0)
    v = v.repeat_interleave(m.heads // m.kv, dim=0)
    s = rules.bilinear(q @ k.transpose(1, 2)) * m.scale
    if m.score_cap:
        s = rules.softcap(s, m.score_cap)
    if m.causal:
        i, j = torch.arange(T)[:, None], torch.arange(T)[None, :]
        hidden = j > i
        window = m.windows[layer] if m.windows else 0
        if window:
            hidden = hidden | (i - j >= window)
        s = s.masked_fill(hidden, float("-inf"))
    a = torch.softmax(s, dim=-1)
    if gate_patterns:
        a.retain_grad()
    patterns.append(a)
    if rules.constant_attention:
        a = a.detach()
    z = rules.bilinear(a @ v).transpose(0, 1).reshape(T, m.heads * m.dh)
    if z.requires_grad:
        z.retain_grad()
    zs.append(z)
    return lw["o"](z)


def forward(m, parts, method, gate_patterns=False):
    """parts: list of [T, d] leaves (token part first). Returns (output, patterns, zs)."""
    rules = Rules(method)
    x = sum(parts)
    if m.embed_norm is not None:
        x = norm(m, rules, x, m.embed_norm)
    patterns, zs = [], []
    for layer, lw in enumerate(m.layer_weights):
        optional = lambda t, name: norm(m, rules, t, lw[name]) if name in lw else t
        attn_in = x if m.post_norm else norm(m, rules, x, lw["ln1"])
        attn = optional(attention(m, rules, layer, lw, attn_in, patterns, zs, gate_patterns), "post_attn")
        mid = x + attn
        if m.post_norm:
            mid = norm(m, rules, mid, lw["ln1"])
        source = x if m.parallel else mid
        mlp_in = source if m.post_norm else norm(m, rules, source, lw["ln2"])
        up = lw["up"](mlp_in)
        gate = lw["gate"](mlp_in) if "gate" in lw else None
        mlp = optional(lw["down"](activation(m, rules, up, gate)), "post_mlp")
        x = mid + mlp
        if m.post_norm:
            x = norm(m, rules, x, lw["ln2"])
    if m.final_norm is not None:
        x = norm(m, rules, x, m.final_norm)
    if m.output == "hidden":
        return x, patterns, zs
    if m.output == "class":
        return m.unembed(x[0:1]), patterns, zs
    out = m.unembed(x)
    if m.final_cap:
        out = rules.softcap(out, m.final_cap)
    return out, patterns, zs


# ---------------------------------------------------------------------------
# families
# ---------------------------------------------------------------------------
def gpt2(W, c, ids):
    W = {n[len("transformer."):] if n.startswith("transformer.") else n: t for n, t in W.items()}
    d, H = c["n_embd"], c["n_head"]
    m = Model(c["n_layer"], H, H, d // H, c["layer_norm_epsilon"], (d // H) ** -0.5)
    m.layer_weights = []
    for i in range(m.layers):
        p = "h.%d." % i
        attn_w, attn_b = W[p + "attn.c_attn.weight"], W[p + "attn.c_attn.bias"]
        lw = {"ln1": (W[p + "ln_1.weight"], W[p + "ln_1.bias"]), "ln2": (W[p + "ln_2.weight"], W[p + "ln_2.bias"]),
              "o": Linear(W[p + "attn.c_proj.weight"], W[p + "attn.c_proj.bias"]),
              "up": Linear(W[p + "mlp.c_fc.weight"], W[p + "mlp.c_fc.bias"]),
              "down": Linear(W[p + "mlp.c_proj.weight"], W[p + "mlp.c_proj.bias"])}
        for n, name in enumerate("qkv"):
            lw[name] = Linear(attn_w[:, n * d:(n + 1) * d], attn_b[n * d:(n + 1) * d])
        m.layer_weights.append(lw)
    m.final_norm = (W["ln_f.weight"], W["ln_f.bias"])
    m.unembed = Linear(W["wte.weight"].T)
    return m, [W["wte.weight"][ids], W["wpe.weight"][:len(ids)]]


def bert(W, c, ids):
    W = {n[len("bert."):] if n.startswith("bert.") else n: t for n, t in W.items()}
    d, H = c["hidden_size"], c["num_attention_heads"]
    m = Model(c["num_hidden_layers"], H, H, d // H, c["layer_norm_eps"], (d // H) ** -0.5)
    m.post_norm, m.causal, m.act, m.output = True, False, "gelu_erf", "hidden"
    ln = lambda n: (W[n + ".weight"], W[n + ".bias"])
    m.embed_norm = ln("embeddings.LayerNorm")
    m.layer_weights = []
    for i in range(m.layers):
        p = "encoder.layer.%d." % i
        m.layer_weights.append({
            "q": hf_linear(W, p + "attention.self.query"), "k": hf_linear(W, p + "attention.self.key"),
            "v": hf_linear(W, p + "attention.self.value"), "o": hf_linear(W, p + "attention.output.dense"),
            "ln1": ln(p + "attention.output.LayerNorm"), "ln2": ln(p + "output.LayerNorm"),
            "up": hf_linear(W, p + "intermediate.dense"), "down": hf_linear(W, p + "output.dense")})
    T = len(ids)
    parts = [W["embeddings.word_embeddings.weight"][ids], W["embeddings.position_embeddings.weight"][:T],
             W["embeddings.token_type_embeddings.weight"][0].expand(T, d).clone()]
    return m, parts


def llama_like(W, c, ids, gemma):
    W = {n[len("model."):] if n.startswith("model.") else n: t for n, t in W.items()}
    d, H, KV = c["hidden_size"], c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    dh = c.get("head_dim", d // H)
    scale = (c["query_pre_attn_scalar"] if gemma else dh) ** -0.5
    m = Model(c["num_hidden_layers"], H, KV, dh, c["rms_norm_eps"], scale)
    m.norm = "gemma" if gemma else "rms"
    m.act = "gelu_tanh_gated" if gemma else "silu_gated"
    m.rope = (c.get("rope_theta", 10000.0), dh)
    g = lambda n: (W[n + ".weight"], None)
    m.layer_weights = []
    for i in range(m.layers):
        p = "layers.%d." % i
        lw = {n: hf_linear(W, p + "self_attn.%s_proj" % n) for n in "qkvo"}
        lw.update(up=hf_linear(W, p + "mlp.up_proj"), gate=hf_linear(W, p + "mlp.gate_proj"),
                  down=hf_linear(W, p + "mlp.down_proj"), ln1=g(p + "input_layernorm"))
        if gemma:
            lw.update(post_attn=g(p + "post_attention_layernorm"), ln2=g(p + "pre_feedforward_layernorm"),
                      post_mlp=g(p + "post_feedforward_layernorm"))
        else:
            lw["ln2"] = g(p + "post_attention_layernorm")
        m.layer_weights.append(lw)
    m.final_norm = g("norm")
    tied = c.get("tie_word_embeddings", False) or "lm_head.weight" not in W
    m.unembed = Linear((W["embed_tokens.weight"] if tied else W["lm_head.weight"]).T)
    tokens = W["embed_tokens.weight"][ids]
    if gemma:
        m.score_cap, m.final_cap = c["attn_logit_softcapping"] or 0.0, c["final_logit_softcapping"] or 0.0
        m.windows = [c["sliding_window"] if i % 2 == 0 else 0 for i in range(m.layers)]
        tokens = tokens * float(torch.tensor(d ** 0.5, dtype=torch.float32))
    return m, [tokens]


def neox(W, c, ids):
    d, H = c["hidden_size"], c["num_attention_heads"]
    dh = d // H
    m = Model(c["num_hidden_layers"], H, H, dh, c["layer_norm_eps"], dh ** -0.5)
    m.act, m.parallel = "gelu_erf", c["use_parallel_residual"]
    m.rope = (c["rotary_emb_base"], int(dh * c["rotary_pct"]))
    ln = lambda n: (W[n + ".weight"], W[n + ".bias"])
    m.layer_weights = []
    for i in range(m.layers):
        p = "gpt_neox.layers.%d." % i
        qkv_w = W[p + "attention.query_key_value.weight"].view(H, 3, dh, d)
        qkv_b = W[p + "attention.query_key_value.bias"].view(H, 3, dh)
        lw = {n: Linear(qkv_w[:, j].reshape(H * dh, d).T, qkv_b[:, j].reshape(H * dh)) for j, n in enumerate("qkv")}
        lw.update(o=hf_linear(W, p + "attention.dense"), up=hf_linear(W, p + "mlp.dense_h_to_4h"),
                  down=hf_linear(W, p + "mlp.dense_4h_to_h"), ln1=ln(p + "input_layernorm"),
                  ln2=ln(p + "post_attention_layernorm"))
        m.layer_weights.append(lw)
    m.final_norm = ln("gpt_neox.final_layer_norm")
    m.unembed = Linear(W["embed_out.weight"].T)
    return m, [W["gpt_neox.embed_in.weight"][ids]]


def vit(W, c, pixels):
    W = {n[len("vit."):] if n.startswith("vit.") else n: t for n, t in W.items()}
    d, H, P = c["hidden_size"], c["num_attention_heads"], c["patch_size"]
    m = Model(c["num_hidden_layers"], H, H, d // H, c["layer_norm_eps"], (d // H) ** -0.5)
    m.causal, m.act, m.output = False, "gelu_erf", "class"
    ln = lambda n: (W[n + ".weight"], W[n + ".bias"])
    m.layer_weights = []
    for i in range(m.layers):
        p = "encoder.layer.%d." % i
        m.layer_weights.append({
            "q": hf_linear(W, p + "attention.attention.query"), "k": hf_linear(W, p + "attention.attention.key"),
            "v": hf_linear(W, p + "attention.attention.value"), "o": hf_linear(W, p + "attention.output.dense"),
            "ln1": ln(p + "layernorm_before"), "ln2": ln(p + "layernorm_after"),
            "up": hf_linear(W, p + "intermediate.dense"), "down": hf_linear(W, p + "output.dense")})
    m.final_norm = ln("layernorm")
    m.unembed = hf_linear(W, "classifier")
    patches = torch.nn.functional.conv2d(pixels[None], W["embeddings.patch_embeddings.projection.weight"],
                                         W["embeddings.patch_embeddings.projection.bias"], stride=P)
    patches = patches.flatten(2).transpose(1, 2)[0]
    tokens = torch.cat([W["embeddings.cls_token"][0], patches])
    return m, [tokens, W["embeddings.position_embeddings"][0]]


def load(name):
    folder = os.path.join(ROOT, name)
    with open(os.path.join(folder, "config.json")) as f:
        c = json.load(f)
    W = read_safetensors(os.path.join(folder, "model.safetensors"))
    kind = c["model_type"]
    if kind == "vit":
        pixels = torch.from_numpy(np.load(os.path.join(folder, "reference", "pixels.npy")).astype(np.float64))
        return vit(W, c, pixels)
    with open(os.path.join(folder, "reference", "input.json")) as f:
        ids = json.load(f)["ids"]
    if kind == "gpt2":
        return gpt2(W, c, ids)
    if kind == "bert":
        return bert(W, c, ids)
    if kind == "gpt_neox":
        return neox(W, c, ids)
    return llama_like(W, c, ids, kind == "gemma2")


# ---------------------------------------------------------------------------
# relevance
# ---------------------------------------------------------------------------
def leaves(parts):
    return [p.clone().requires_grad_(True) for p in parts]


def gradient_times_input(m, parts, method, position, target):
    xs = leaves(parts)
    out, _, zs = forward(m, xs, method)
    out[position, target].backward()
    shares = [(x * x.grad).sum(-1).detach() for x in xs]
    heads = [(z * z.grad).detach().view(z.shape[0], m.heads, m.dh).sum((0, 2)).tolist() for z in zs]
    return {"tokens": shares[0].tolist(), "position_share": float(shares[1].sum()) if m.position_part else 0.0,
            "type_share": float(shares[2].sum()) if m.type_part else 0.0, "heads": heads}


def chefer(m, parts, position, target):
    xs = leaves(parts)
    out, patterns, _ = forward(m, xs, "grad-input", gate_patterns=True)
    out[position, target].backward()
    T = xs[0].shape[0]
    r = torch.eye(T)
    for a in patterns:
        mean = (a.grad * a).clamp(min=0).mean(0).detach()
        r = r + mean @ r
    return {"tokens": r[position].tolist(), "position_share": 0.0, "type_share": 0.0}


def rollout(patterns, position):
    T = patterns[0].shape[-1]
    r = torch.eye(T)
    for a in patterns:
        hat = 0.5 * (a.mean(0) + torch.eye(T))
        hat = hat / hat.sum(-1, keepdim=True)
        r = hat @ r
    return {"tokens": r[position].tolist(), "position_share": 0.0, "type_share": 0.0}


def main(argv):
    for name in argv or FIXTURES:
        m, parts = load(name)
        m.position_part = len(parts) > 1
        m.type_part = len(parts) > 2
        with torch.no_grad():
            out, patterns, _ = forward(m, parts, "grad-input")
        expected = np.load(os.path.join(ROOT, name, "reference", "output.npy")).reshape(out.shape)
        err = float(np.max(np.abs(out.numpy() - expected)))
        assert err < 1e-4, "%s: forward differs from output.npy by %g" % (name, err)
        position = 0 if m.output in ("class", "hidden") else out.shape[0] - 1
        targets = [(position, int(out[position].argmax()))]
        if name in EXTRA_TARGET:
            targets.append(EXTRA_TARGET[name])
        result = []
        for position, target in targets:
            methods = {method: gradient_times_input(m, parts, method, position, target)
                       for method in ("grad-input", "attnlrp", "cp-lrp")}
            methods["chefer"] = chefer(m, parts, position, target)
            methods["rollout"] = rollout(patterns, position)
            result.append({"position": position, "id": target, "logit": float(out[position, target]),
                           "methods": methods})
            cp = methods["cp-lrp"]
            print("%s target (%d, %d): logit %.6f, cp-lrp tokens %.6f + positions %.6f + types %.6f"
                  % (name, position, target, float(out[position, target]), sum(cp["tokens"]),
                     cp["position_share"], cp["type_share"]))
        with open(os.path.join(ROOT, name, "reference", "relevance.json"), "w") as f:
            json.dump({"targets": result}, f, indent=1)
            f.write("\n")
        print("%s: forward within %.1e of output.npy, wrote reference/relevance.json" % (name, err))


if __name__ == "__main__":
    main(sys.argv[1:])
