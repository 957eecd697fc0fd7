#!/usr/bin/python3
"""Generate tiny random-weight LLaVA checkpoints (Hugging Face LlavaForConditionalGeneration layout) and their
float64 reference outputs.

Usage
-----
    /usr/bin/python3 src/test/python/make_llava_fixtures.py
        Regenerates the llava_* folders under src/test/resources/fixtures/ (deterministic: fixed seeds).

Needs torch, numpy and PIL (python3-pil); no `transformers`. The reference is an independent plain-torch forward
in float64 on the stored weights: the vision tower (CLIP or SigLIP) with its patch embedding as a real conv2d, the
hidden state(s) LLaVA picks (`vision_feature_layer`, `vision_feature_select_strategy`), the two-layer GELU
projector, the single image token of the ids replaced by the projected patches, and a Llama / Qwen2 decoder on the
joined embeddings. The image goes through Hugging Face's preprocessing with PIL (resize, centre crop, rescale,
normalise).

Cases (tower: hidden 32, 3 layers, 4 heads, MLP 64, image 16, patch 4 -> a 4x4 grid; decoder: hidden 64,
2 layers, 4 heads, 2 KV heads, MLP 96, vocab 300)
-----------------------------------------------------------------------------------------------------------
    llava_clip_f32         CLIP tower (class embedding, pre_layrnorm, quick GELU), feature layer -2, 'default'
                           (CLS dropped: 16 image positions), Llama decoder; keys in the older layout
                           (vision_tower.…, multi_modal_projector.…, language_model.model.…, language_model.lm_head)
    llava_clip_newkeys_f32 the same model with the newer keys (model.vision_tower.…, model.multi_modal_projector.…,
                           model.language_model.…, lm_head); the same reference
    llava_clip_full_f32    CLIP tower, 'full' (CLS kept: 17 image positions) and feature layers [0, -2]
                           (hidden_states[0] is the embedding after pre_layrnorm; the two are concatenated, so the
                           projector reads 64 channels)
    llava_siglip_f32       SigLIP tower (no CLS, no pre-norm, tanh GELU, post_layernorm stored but unused by
                           LLaVA), feature layer -1, 'full', Qwen2 decoder (q/k/v biases); SigLIP preprocessing
                           (resize straight to 16x16, mean/std 0.5)
    llava_sinks_f32        CLIP tower as llava_clip_f32, a 4-layer Llama decoder (so VAR's layers 2..L-2 hold one,
                           layer 2) with visual attention sinks built in: BOS's embedding and the projected features
                           of patches (1,2) and (2,0) carry a massive value (40) in channel 7 (the projector's row 7
                           of linear_2 is solved so that exactly these two patches get it and the other patches keep
                           their values); sink dimension D = {7}
Each folder: config.json, model.safetensors, preprocessor_config.json, tokenizer.json (the Llama-2 style test
tokenizer plus an added '<image>' token) and reference/ with
    image.png               a 23x19 RGB image (resized and cropped by the preprocessing)
    pixels.npy              [3, 16, 16] the preprocessed image
    input.json              {"ids": [...] with one image token, "image_token_index", "image_start",
                             "image_positions", "grid": [rows, cols]}
    attention.npy           the decoder's [L, H, T, T] over the joined sequence
    vision_attention.npy    the tower's [Lv, Hv, P, P], every layer (P = 17 with CLS, 16 without)
    output.npy              logits [T, vocab]
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_fixtures import (attention, gelu_erf, gelu_tanh, layer_norm, new_case, randn, save_npy,  # noqa: E402
                           stored, write_json, write_safetensors)
from make_llama_fixtures import llama2_tokenizer, rope_cos_sin, rotate_half, SPECIAL  # noqa: E402

VISION = dict(hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=64,
              image_size=16, patch_size=4, num_channels=3)
TEXT = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            intermediate_size=96, vocab_size=300)
TEXT_EPS = 1e-6
CLIP_MEAN, CLIP_STD = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]
BICUBIC = 3
IMAGE_WIDTH, IMAGE_HEIGHT = 23, 19


# ---------------------------------------------------------------------------
# tokenizer: the Llama-2 style test tokenizer with '<image>' added
# ---------------------------------------------------------------------------
def tokenizer():
    tok = llama2_tokenizer(metaspace=False)
    image_id = len(tok["model"]["vocab"])
    tok["added_tokens"].append(dict(id=image_id, content="<image>", **SPECIAL))
    return tok, image_id


# ---------------------------------------------------------------------------
# weights (float32, canonical names: vision tower under vision_model., projector, decoder without prefix)
# ---------------------------------------------------------------------------
def vision_weights(gen, clip):
    d, f, p, c = VISION["hidden_size"], VISION["intermediate_size"], VISION["patch_size"], VISION["num_channels"]
    patches = (VISION["image_size"] // p) ** 2
    e = "vision_model.embeddings."
    norm = lambda n: [(n + ".weight", randn(gen, d, std=0.1, mean=1.0)), (n + ".bias", randn(gen, d, std=0.05))]
    lin = lambda n, o, i, std=0.15: [(n + ".weight", randn(gen, o, i, std=std)), (n + ".bias", randn(gen, o, std=0.05))]
    w = [(e + "patch_embedding.weight", randn(gen, d, c, p, p, std=0.2))]
    if clip:
        w += [(e + "class_embedding", randn(gen, d, std=0.5)),
              (e + "position_embedding.weight", randn(gen, patches + 1, d, std=0.3))]
        w += norm("vision_model.pre_layrnorm")
    else:
        w += [(e + "patch_embedding.bias", randn(gen, d, std=0.05)),
              (e + "position_embedding.weight", randn(gen, patches, d, std=0.3))]
    for i in range(VISION["num_hidden_layers"]):
        b = "vision_model.encoder.layers.%d." % i
        w += norm(b + "layer_norm1")
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            w += lin(b + "self_attn." + name, d, d, std=0.25 if name in ("q_proj", "k_proj") else 0.15)
        w += norm(b + "layer_norm2")
        w += lin(b + "mlp.fc1", f, d) + lin(b + "mlp.fc2", d, f)
    w += norm("vision_model.post_layernorm")
    return w


def projector_weights(gen, features):
    d = TEXT["hidden_size"]
    return [("linear_1.weight", randn(gen, d, features, std=0.2)), ("linear_1.bias", randn(gen, d, std=0.05)),
            ("linear_2.weight", randn(gen, d, d, std=0.15)), ("linear_2.bias", randn(gen, d, std=0.05))]


def text_weights(gen, qkv_bias, layers=TEXT["num_hidden_layers"]):
    d, f, V = TEXT["hidden_size"], TEXT["intermediate_size"], TEXT["vocab_size"]
    dh = d // TEXT["num_attention_heads"]
    kvw = TEXT["num_key_value_heads"] * dh
    norm = lambda n: [(n + ".weight", randn(gen, d, std=0.1, mean=1.0))]
    w = [("embed_tokens.weight", randn(gen, V, d, std=0.3))]
    for i in range(layers):
        b = "layers.%d." % i
        w += norm(b + "input_layernorm")
        for name, out, std in (("q_proj", d, 0.25), ("k_proj", kvw, 0.25), ("v_proj", kvw, 0.1)):
            w.append((b + "self_attn." + name + ".weight", randn(gen, out, d, std=std)))
            if qkv_bias:
                w.append((b + "self_attn." + name + ".bias", randn(gen, out, std=0.1)))
        w.append((b + "self_attn.o_proj.weight", randn(gen, d, d, std=0.1)))
        w += norm(b + "post_attention_layernorm")
        w += [(b + "mlp.gate_proj.weight", randn(gen, f, d, std=0.1)),
              (b + "mlp.up_proj.weight", randn(gen, f, d, std=0.1)),
              (b + "mlp.down_proj.weight", randn(gen, d, f, std=0.1))]
    w += norm("norm")
    w.append(("lm_head.weight", randn(gen, V, d, std=0.1)))
    return w


def checkpoint_names(vision, projector, text, new_layout):
    """The stored names of LlavaForConditionalGeneration in either layout."""
    if new_layout:
        return ([("model.vision_tower." + n, t) for n, t in vision]
                + [("model.multi_modal_projector." + n, t) for n, t in projector]
                + [(n if n == "lm_head.weight" else "model.language_model." + n, t) for n, t in text])
    return ([("vision_tower." + n, t) for n, t in vision]
            + [("multi_modal_projector." + n, t) for n, t in projector]
            + [("language_model." + (n if n == "lm_head.weight" else "model." + n), t) for n, t in text])


# ---------------------------------------------------------------------------
# float64 reference forward
# ---------------------------------------------------------------------------
def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def vision_forward(W, pixels, clip):
    """hidden_states (embedding + each layer's output, as Hugging Face's output_hidden_states) and patterns."""
    eps = 1e-5 if clip else 1e-6
    e = "vision_model.embeddings."
    lin = lambda x, n: x @ W[n + ".weight"].T + W[n + ".bias"]
    ln = lambda x, n: layer_norm(x, W[n + ".weight"], W[n + ".bias"], eps)
    conv = F.conv2d(pixels[None], W[e + "patch_embedding.weight"], W.get(e + "patch_embedding.bias"),
                    stride=VISION["patch_size"])
    x = conv.flatten(2)[0].T  # [patches, d], row-major over the grid
    if clip:
        x = torch.cat([W[e + "class_embedding"][None], x])
    x = x + W[e + "position_embedding.weight"]
    if clip:
        x = ln(x, "vision_model.pre_layrnorm")
    hidden, patterns = [x], []
    act = quick_gelu if clip else gelu_tanh
    for i in range(VISION["num_hidden_layers"]):
        b = "vision_model.encoder.layers.%d." % i
        h = ln(x, b + "layer_norm1")
        z, pattern = attention(lin(h, b + "self_attn.q_proj"), lin(h, b + "self_attn.k_proj"),
                               lin(h, b + "self_attn.v_proj"), VISION["num_attention_heads"], False, i, None)
        patterns.append(pattern)
        x = x + lin(z, b + "self_attn.out_proj")
        x = x + lin(act(lin(ln(x, b + "layer_norm2"), b + "mlp.fc1")), b + "mlp.fc2")
        hidden.append(x)
    return hidden, torch.stack(patterns)


def image_features(hidden, layers, strategy):
    picked = [hidden[layer] for layer in layers]  # Python's negative indices, as Hugging Face indexes the tuple
    if strategy == "default":
        picked = [h[1:] for h in picked]
    return torch.cat(picked, dim=-1)


def project(W, features):
    lin = lambda x, n: x @ W[n + ".weight"].T + W[n + ".bias"]
    return lin(gelu_erf(lin(features, "linear_1")), "linear_2")


def decoder_forward(W, x):
    """A Llama / Qwen2 decoder on embeddings x [T, d]: logits [T, V] and patterns [L, H, T, T]."""
    n, H, KV = x.shape[0], TEXT["num_attention_heads"], TEXT["num_key_value_heads"]
    dh = TEXT["hidden_size"] // H
    cos, sin = rope_cos_sin(10000.0, dh, None, n)
    hidden = torch.arange(n)[None, :] > torch.arange(n)[:, None]
    rms = lambda v, name: v / torch.sqrt((v * v).mean(-1, keepdim=True) + TEXT_EPS) * W[name + ".weight"]
    lin = lambda v, name: v @ W[name + ".weight"].T + (W[name + ".bias"] if name + ".bias" in W else 0)
    patterns = []
    layers = sum(1 for name in W if name.endswith(".input_layernorm.weight"))
    for layer in range(layers):
        b = "layers.%d." % layer
        h = rms(x, b + "input_layernorm")
        q = lin(h, b + "self_attn.q_proj").view(n, H, dh).transpose(0, 1)
        k = lin(h, b + "self_attn.k_proj").view(n, KV, dh).transpose(0, 1)
        v = lin(h, b + "self_attn.v_proj").view(n, KV, dh).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = (k * cos + rotate_half(k) * sin).repeat_interleave(H // KV, dim=0)
        v = v.repeat_interleave(H // KV, dim=0)
        pattern = torch.softmax(((q @ k.transpose(1, 2)) / math.sqrt(dh)).masked_fill(hidden, float("-inf")), dim=-1)
        patterns.append(pattern)
        x = x + lin((pattern @ v).transpose(0, 1).reshape(n, H * dh), b + "self_attn.o_proj")
        h = rms(x, b + "post_attention_layernorm")
        gate = lin(h, b + "mlp.gate_proj")
        x = x + lin(gate * torch.sigmoid(gate) * lin(h, b + "mlp.up_proj"), b + "mlp.down_proj")
    return rms(x, "norm") @ W["lm_head.weight"].T, torch.stack(patterns)


# ---------------------------------------------------------------------------
# image and preprocessing (as CLIPImageProcessor / SiglipImageProcessor do it, with PIL)
# ---------------------------------------------------------------------------
def test_image():
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:IMAGE_HEIGHT, 0:IMAGE_WIDTH]
    img = np.stack([255 * x / (IMAGE_WIDTH - 1), 255 * y / (IMAGE_HEIGHT - 1), 127 + 100 * np.sin(x / 3.0 + y / 5.0)], -1)
    img[4:9, 7:12] = [250, 10, 40]
    img += rng.normal(0, 20, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def clip_preprocessor(side):
    return {"crop_size": {"height": side, "width": side}, "do_center_crop": True, "do_convert_rgb": True,
            "do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": CLIP_MEAN,
            "image_processor_type": "CLIPImageProcessor", "image_std": CLIP_STD, "processor_class": "LlavaProcessor",
            "resample": BICUBIC, "rescale_factor": 1 / 255, "size": {"shortest_edge": side}}


def siglip_preprocessor(side):
    return {"do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": [0.5, 0.5, 0.5],
            "image_processor_type": "SiglipImageProcessor", "image_std": [0.5, 0.5, 0.5],
            "processor_class": "LlavaProcessor", "resample": BICUBIC, "rescale_factor": 1 / 255,
            "size": {"height": side, "width": side}}


def preprocess(rgb, pre):
    img = Image.fromarray(rgb)
    size = pre["size"]
    if "shortest_edge" in size:  # get_resize_output_image_size(default_to_square=False)
        short, long = sorted((img.width, img.height))
        new_short, new_long = size["shortest_edge"], int(size["shortest_edge"] * long / short)
        w, h = (new_short, new_long) if img.width <= img.height else (new_long, new_short)
    else:
        w, h = size["width"], size["height"]
    arr = np.array(img.resize((w, h), resample=pre["resample"]))
    if pre.get("do_center_crop"):
        ch, cw = pre["crop_size"]["height"], pre["crop_size"]["width"]
        top, left = (arr.shape[0] - ch) // 2, (arr.shape[1] - cw) // 2
        arr = arr[top:top + ch, left:left + cw]
    x = (arr.astype(np.float64) * pre["rescale_factor"]).astype(np.float32)
    x = (x - np.array(pre["image_mean"], dtype=np.float32)) / np.array(pre["image_std"], dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)).astype(np.float64))


# ---------------------------------------------------------------------------
# configs and cases
# ---------------------------------------------------------------------------
def vision_config(clip):
    cfg = dict(VISION, model_type="clip_vision_model" if clip else "siglip_vision_model",
               hidden_act="quick_gelu" if clip else "gelu_pytorch_tanh", layer_norm_eps=1e-5 if clip else 1e-6)
    if clip:
        cfg["projection_dim"] = 16
    return cfg


def text_config(model_type, layers=TEXT["num_hidden_layers"]):
    return dict(TEXT, num_hidden_layers=layers, model_type=model_type, architectures=["LlamaForCausalLM" if model_type == "llama" else
                                                            "Qwen2ForCausalLM"],
                rms_norm_eps=TEXT_EPS, rope_theta=10000.0, max_position_embeddings=128, tie_word_embeddings=False,
                hidden_act="silu")


def llava_config(image_id, clip, text_type, layer, strategy, text_layers=TEXT["num_hidden_layers"]):
    return {"architectures": ["LlavaForConditionalGeneration"], "model_type": "llava", "ignore_index": -100,
            "image_token_index": image_id, "projector_hidden_act": "gelu", "vision_feature_layer": layer,
            "vision_feature_select_strategy": strategy, "image_seq_length": 16, "tie_word_embeddings": False,
            "torch_dtype": "float32", "text_config": text_config(text_type, text_layers), "vision_config": vision_config(clip)}


def write_case(name, cfg, pre, tok, tensors, W, ids, image, clip, layers, strategy):
    folder = new_case(name)
    write_json(os.path.join(folder, "config.json"), cfg)
    write_json(os.path.join(folder, "preprocessor_config.json"), pre)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, indent=2, ensure_ascii=False)
        f.write("\n")
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors, "F32")
    ref = os.path.join(folder, "reference")
    os.makedirs(ref)
    Image.fromarray(image).save(os.path.join(ref, "image.png"), format="PNG")
    pixels = preprocess(image, pre)
    save_npy(os.path.join(ref, "pixels.npy"), pixels)

    hidden, vision_att = vision_forward(W["vision"], pixels, clip)
    feats = project(W["projector"], image_features(hidden, layers, strategy))
    start = ids.index(cfg["image_token_index"])
    embedded = W["text"]["embed_tokens.weight"][ids]
    joined = torch.cat([embedded[:start], feats, embedded[start + 1:]])
    logits, att = decoder_forward(W["text"], joined)
    side = VISION["image_size"] // VISION["patch_size"]
    write_json(os.path.join(ref, "input.json"), {"ids": ids, "image_token_index": cfg["image_token_index"],
                                                   "image_start": start, "image_positions": feats.shape[0],
                                                   "grid": [side, side]})
    save_npy(os.path.join(ref, "attention.npy"), att)
    save_npy(os.path.join(ref, "vision_attention.npy"), vision_att)
    save_npy(os.path.join(ref, "output.npy"), logits)


def with_visual_sinks(vision, projector, text, image, pre, ids, image_id, channel, value, patches):
    """Massive `value` in `channel` for BOS (its embedding) and for the projected features of `patches` only (row
    `channel` of linear_2 gets the smallest change that gives exactly these values: the other patches keep theirs)."""
    text = [(n, t.clone()) for n, t in text]
    projector = [(n, t.clone()) for n, t in projector]
    dict(text)["embed_tokens.weight"][ids[0], channel] = value
    W = canonical(vision)
    hidden, _ = vision_forward(W, preprocess(image, pre), True)
    P = canonical(projector)
    g = gelu_erf(image_features(hidden, [-2], "default") @ P["linear_1.weight"].T + P["linear_1.bias"])  # [N, d]
    row = P["linear_2.weight"][channel]
    current = g @ row + P["linear_2.bias"][channel]
    target = current.clone()
    target[patches] = value
    change = torch.linalg.pinv(g) @ (target - current)
    weights = dict(projector)["linear_2.weight"]
    weights[channel] = (row + change).to(weights.dtype)
    return projector, text


def canonical(ws):
    return {n: stored(t, "F32") for n, t in ws}


def make_all():
    tok, image_id = tokenizer()
    image = test_image()
    ids = [1, 270, 268, image_id, 271, 266, 272]

    gen = torch.Generator().manual_seed(3031)
    vision, projector, text = vision_weights(gen, True), projector_weights(gen, VISION["hidden_size"]), text_weights(gen, False)
    W = dict(vision=canonical(vision), projector=canonical(projector), text=canonical(text))
    for name, new_layout in (("llava_clip_f32", False), ("llava_clip_newkeys_f32", True)):
        write_case(name, llava_config(image_id, True, "llama", -2, "default"), clip_preprocessor(16), tok,
                   checkpoint_names(vision, projector, text, new_layout), W, ids, image, True, [-2], "default")

    gen = torch.Generator().manual_seed(3032)
    vision, projector, text = vision_weights(gen, True), projector_weights(gen, 2 * VISION["hidden_size"]), text_weights(gen, False)
    W = dict(vision=canonical(vision), projector=canonical(projector), text=canonical(text))
    write_case("llava_clip_full_f32", llava_config(image_id, True, "llama", [0, -2], "full"), clip_preprocessor(16),
               tok, checkpoint_names(vision, projector, text, False), W, ids, image, True, [0, -2], "full")

    gen = torch.Generator().manual_seed(3033)
    vision, projector, text = vision_weights(gen, False), projector_weights(gen, VISION["hidden_size"]), text_weights(gen, True)
    W = dict(vision=canonical(vision), projector=canonical(projector), text=canonical(text))
    write_case("llava_siglip_f32", llava_config(image_id, False, "qwen2", -1, "full"), siglip_preprocessor(16), tok,
               checkpoint_names(vision, projector, text, True), W, ids, image, False, [-1], "full")

    gen = torch.Generator().manual_seed(3034)
    vision, projector, text = vision_weights(gen, True), projector_weights(gen, VISION["hidden_size"]), text_weights(gen, False, 4)
    side = VISION["image_size"] // VISION["patch_size"]
    projector, text = with_visual_sinks(vision, projector, text, image, clip_preprocessor(16), ids, image_id, 7, 40.0,
                                        [1 * side + 2, 2 * side + 0])
    W = dict(vision=canonical(vision), projector=canonical(projector), text=canonical(text))
    write_case("llava_sinks_f32", llava_config(image_id, True, "llama", -2, "default", 4), clip_preprocessor(16), tok,
               checkpoint_names(vision, projector, text, False), W, ids, image, True, [-2], "default")


if __name__ == "__main__":
    make_all()
