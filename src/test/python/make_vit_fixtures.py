#!/usr/bin/python3
"""Generate tiny random-weight ViT / DeiT checkpoints (Hugging Face layout), reference outputs, and
PIL resize references.

Usage
-----
    /usr/bin/python3 src/test/python/make_vit_fixtures.py
        Regenerates the vit_* and deit_* folders under src/test/resources/fixtures/ (deterministic:
        fixed torch / numpy seeds, so reruns are byte-identical for the same torch, numpy and PIL).

Needs torch, numpy and PIL (python3-pil); no `transformers`, no `safetensors`. Safetensors writing and
the float64 helpers (layer_norm, gelu_erf, attention) come from make_fixtures.py. The reference forward
is an independent plain-torch ViT in float64 on the *stored* weights (rounded to F16/BF16 for those
cases); the patch embedding is a real conv2d, so the engine's flattened-patch matmul is checked too.

Model cases (hidden 64, 3 layers, 4 heads, intermediate 128, image 32, patch 8 -> 16 patches, 3 channels)
---------------------------------------------------------------------------------------------------------
    vit_f32             ViTForImageClassification, `vit.` prefix, 5 classes (id2label), T = 17
    vit_f16, vit_bf16   the same weights stored as F16 / BF16
    vit_bare_f32        ViTModel, no prefix, pooler present but unused; output = last hidden state
    deit_distilled_f32  DeiTForImageClassificationWithTeacher, `deit.` prefix, distillation token
                        (T = 18), logits = (cls_classifier(CLS) + distillation_classifier(DIST)) / 2
    vit_interp_f32      vit_f32's weights and config, but preprocessor_config.json says do_resize false
                        and the image is 48 wide, 40 high: a 5x6 patch grid (T = 31), so the 4x4 grid of
                        trained patch position embeddings is interpolated as Hugging Face's
                        interpolate_pos_encoding=True does (see interpolate_positions)
    deit_interp_f32     deit_distilled_f32's weights, do_resize and do_center_crop false, a 56x24 image:
                        a 3x7 grid (T = 23, shrinks one axis and grows the other); CLS and DIST
                        positions unchanged
Each folder: config.json, model.safetensors, preprocessor_config.json and reference/ with
    image.png       32x32 RGB input (already image_size, so resizing is the identity)
    pixels.npy      [C, H, W] float32, the preprocessed input: (v * rescale_factor - mean) / std,
                    rescaled in float64 then normalised in float32, as Hugging Face's processors do
    attention.npy   [L, H, T, T] softmax probabilities; token 0 = CLS, (1 = DIST,) then patches row-major
    output.npy      classifiers: logits [1, classes]; ViTModel: last hidden state after the final
                    layernorm [T, d]
    positions.npy   (interpolation cases only) the position embeddings added, [T, d]: special tokens'
                    as stored, then the interpolated patch grid row-major

Resize references (vit_resize/)
-------------------------------
    source.png / source.npy   45x37 RGB test image ([H, W, 3] float32 of the uint8 values)
    gray.png / gray.npy       the same size, mode L ([H, W] float32)
    rgba.png                  source with a varying alpha channel (decoders drop alpha, like PIL convert("RGB"))
    cases.json                [{"name", "resample" (PIL code), "width", "height"}]
    <name>.npy                PIL Image.resize(source, (width, height), resample) as [H, W, 3] float32
    preprocessor_<p>.json, pipeline_<p>.npy
                              a full HF-style preprocessing (resize, center crop, rescale, normalise,
                              channels-first [C, H, W]) of source.png for image_size 32
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_fixtures import (FIXTURES, TORCH_DTYPE_NAME, attention, gelu_erf, layer_norm,  # noqa: E402
                           new_case, randn, save_npy, stored, write_json, write_safetensors)

VIT_TINY = dict(hidden_size=64, num_hidden_layers=3, num_attention_heads=4, intermediate_size=128,
                image_size=32, patch_size=8, num_channels=3, num_labels=5)
VIT_SEED, DEIT_SEED, IMAGE_SEED = 2024, 2025, 7
RESCALE = 1 / 255
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
# PIL / Hugging Face PILImageResampling codes
NEAREST, LANCZOS, BILINEAR, BICUBIC, BOX, HAMMING = 0, 1, 2, 3, 4, 5


# ---------------------------------------------------------------------------
# config files
# ---------------------------------------------------------------------------
def vit_config(c, dtype, model_type, arch, labels):
    cfg = {
        "architectures": [arch],
        "model_type": model_type,
        "attention_probs_dropout_prob": 0.0, "hidden_dropout_prob": 0.0,
        "encoder_stride": c["patch_size"],
        "hidden_act": "gelu",
        "hidden_size": c["hidden_size"],
        "image_size": c["image_size"],
        "initializer_range": 0.02,
        "intermediate_size": c["intermediate_size"],
        "layer_norm_eps": 1e-12,
        "num_attention_heads": c["num_attention_heads"],
        "num_channels": c["num_channels"],
        "num_hidden_layers": c["num_hidden_layers"],
        "patch_size": c["patch_size"],
        "qkv_bias": True,
        "torch_dtype": TORCH_DTYPE_NAME[dtype],
    }
    if labels:
        cfg["id2label"] = {str(i): "label_%d" % i for i in range(c["num_labels"])}
        cfg["label2id"] = {"label_%d" % i: i for i in range(c["num_labels"])}
    return cfg


def vit_preprocessor(size):
    return {"do_normalize": True, "do_rescale": True, "do_resize": True,
            "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
            "image_processor_type": "ViTImageProcessor", "resample": BILINEAR,
            "rescale_factor": RESCALE, "size": {"height": size, "width": size}}


def deit_preprocessor(resize, crop):
    return {"crop_size": {"height": crop, "width": crop}, "do_center_crop": True,
            "do_normalize": True, "do_rescale": True, "do_resize": True,
            "image_mean": IMAGENET_MEAN, "image_std": IMAGENET_STD,
            "image_processor_type": "DeiTImageProcessor", "resample": BICUBIC,
            "rescale_factor": RESCALE, "size": {"height": resize, "width": resize}}


# ---------------------------------------------------------------------------
# weights and the float64 reference forward
# ---------------------------------------------------------------------------
def vit_weights(c, gen, distillation, mat_std=0.1, qk_std=0.2, emb_std=0.5, ln_std=0.1, bias_std=0.05):
    """Ordered list of (name without prefix, float32 tensor) for the encoder; Linear layout [out, in]."""
    d, f, C, P = c["hidden_size"], c["intermediate_size"], c["num_channels"], c["patch_size"]
    tokens = 1 + (1 if distillation else 0) + (c["image_size"] // P) ** 2
    ln = lambda n: [(n + ".weight", randn(gen, d, std=ln_std, mean=1.0)),
                    (n + ".bias", randn(gen, d, std=bias_std))]
    lin = lambda n, o, i, s: [(n + ".weight", randn(gen, o, i, std=s)),
                              (n + ".bias", randn(gen, o, std=bias_std))]
    e = "embeddings."
    w = [(e + "cls_token", randn(gen, 1, 1, d, std=emb_std))]
    if distillation:
        w += [(e + "distillation_token", randn(gen, 1, 1, d, std=emb_std))]
    w += [(e + "position_embeddings", randn(gen, 1, tokens, d, std=emb_std)),
          (e + "patch_embeddings.projection.weight", randn(gen, d, C, P, P, std=mat_std)),
          (e + "patch_embeddings.projection.bias", randn(gen, d, std=bias_std))]
    for i in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        w += ln(p + "layernorm_before")
        w += lin(p + "attention.attention.query", d, d, qk_std)
        w += lin(p + "attention.attention.key", d, d, qk_std)
        w += lin(p + "attention.attention.value", d, d, mat_std)
        w += lin(p + "attention.output.dense", d, d, mat_std)
        w += ln(p + "layernorm_after")
        w += lin(p + "intermediate.dense", f, d, mat_std)
        w += lin(p + "output.dense", d, f, mat_std)
    w += ln("layernorm")
    return w


def head_weights(c, gen, names, std=0.3, bias_std=0.05):
    d, k = c["hidden_size"], c["num_labels"]
    out = []
    for n in names:
        out += [(n + ".weight", randn(gen, k, d, std=std)), (n + ".bias", randn(gen, k, std=bias_std))]
    return out


def interpolate_positions(pos, special, height, width, patch):
    """Hugging Face's ViTEmbeddings / DeiTEmbeddings.interpolate_pos_encoding (transformers >= 4.44, which
    passes size=(new_height, new_width); older versions passed scale_factor=(h0 / sqrt(N), w0 / sqrt(N))
    after adding 0.1 to h0 and w0). pos [special + N, d] -> [special + rows * cols, d]; the special tokens'
    positions are kept, the patch positions are resized as a [d, sqrt(N), sqrt(N)] image with torch's
    bicubic (a = -0.75), align_corners=False."""
    n, d = pos.shape[0] - special, pos.shape[1]
    rows, cols = height // patch, width // patch
    if rows * cols == n and height == width:
        return pos
    side = int(n ** 0.5)
    grid = pos[special:].reshape(1, side, side, d).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(rows, cols), mode="bicubic", align_corners=False)
    return torch.cat([pos[:special], grid.permute(0, 2, 3, 1).reshape(rows * cols, d)])


def vit_forward(W, c, pixels, distillation, head, eps=1e-12, positions_out=None):
    """W: name (no prefix) -> float64; pixels [C, H, W] float64. Returns (output, attention [L,H,T,T]).
    An image of another size than image_size gets interpolated position embeddings (appended to
    positions_out when given)."""
    e = lambda n: W["embeddings." + n]
    lin = lambda h, n: h @ W[n + ".weight"].T + W[n + ".bias"]
    patches = F.conv2d(pixels[None], e("patch_embeddings.projection.weight"),
                       e("patch_embeddings.projection.bias"), stride=c["patch_size"])  # [1, d, rows, cols]
    patches = patches.flatten(2).transpose(1, 2)[0]  # [N, d], row-major over the patch grid
    special = [e("cls_token")[0]] + ([e("distillation_token")[0]] if distillation else [])
    positions = interpolate_positions(e("position_embeddings")[0], len(special), pixels.shape[1], pixels.shape[2],
                                      c["patch_size"])
    if positions_out is not None:
        positions_out.append(positions)
    x = torch.cat(special + [patches]) + positions
    patterns = []
    for i in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        ln = lambda h, n: layer_norm(h, W[p + n + ".weight"], W[p + n + ".bias"], eps)
        h = ln(x, "layernorm_before")
        q = lin(h, p + "attention.attention.query")
        k = lin(h, p + "attention.attention.key")
        v = lin(h, p + "attention.attention.value")
        z, pat = attention(q, k, v, c["num_attention_heads"], False, i, None)
        patterns.append(pat)
        x = x + lin(z, p + "attention.output.dense")
        h = ln(x, "layernorm_after")
        x = x + lin(gelu_erf(lin(h, p + "intermediate.dense")), p + "output.dense")
    x = layer_norm(x, W["layernorm.weight"], W["layernorm.bias"], eps)
    if head == "bare":
        out = x
    elif head == "classifier":
        out = lin(x[0:1], "classifier")
    else:  # DeiT with teacher: average of the CLS and distillation heads
        out = (lin(x[0:1], "cls_classifier") + lin(x[1:2], "distillation_classifier")) / 2
    return out, torch.stack(patterns)


def preprocess(rgb, mean, std):
    """uint8 [H, W, 3] -> [3, H, W] as Hugging Face computes it: rescale in float64 then cast to float32,
    normalise in float32 ((x - mean) / std), channels-first. Returned as float64 for the forward."""
    x = (rgb.astype(np.float64) * RESCALE).astype(np.float32)
    x = (x - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)).astype(np.float64))


# ---------------------------------------------------------------------------
# images
# ---------------------------------------------------------------------------
def test_image(width, height, seed):
    """Smooth gradients, a sharp-edged square and noise: exercises filter overshoot and clipping."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    img = np.stack([255 * x / max(1, width - 1), 255 * y / max(1, height - 1),
                    127 + 100 * np.sin(x / 3.0 + y / 5.0)], axis=-1)
    img[height // 4:height // 2, width // 3:width // 2] = [255, 0, 40]
    img += rng.normal(0, 25, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def save_png(path, array, mode=None):
    Image.fromarray(array, mode).save(path, format="PNG")


def np_f32(path, array):
    np.save(path, np.ascontiguousarray(np.asarray(array, dtype=np.float32)))


# ---------------------------------------------------------------------------
# model cases
# ---------------------------------------------------------------------------
def write_case(name, c, dtype, config, preprocessor, tensors, canonical, image, mean, std, forward, positions=None):
    folder = new_case(name)
    write_json(os.path.join(folder, "config.json"), config)
    write_json(os.path.join(folder, "preprocessor_config.json"), preprocessor)
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors, dtype)
    ref = os.path.join(folder, "reference")
    os.makedirs(ref)
    save_png(os.path.join(ref, "image.png"), image)
    pixels = preprocess(image, mean, std)
    save_npy(os.path.join(ref, "pixels.npy"), pixels)
    W = {n: stored(t, dtype) for n, t in canonical}
    out, att = forward(W, pixels)
    save_npy(os.path.join(ref, "attention.npy"), att)
    save_npy(os.path.join(ref, "output.npy"), out)
    if positions:
        save_npy(os.path.join(ref, "positions.npy"), positions[0])


def make_vit():
    c = VIT_TINY
    gen = torch.Generator().manual_seed(VIT_SEED)
    encoder = vit_weights(c, gen, distillation=False)
    head = head_weights(c, gen, ["classifier"])
    pooler = [("pooler.dense.weight", randn(gen, c["hidden_size"], c["hidden_size"], std=0.1)),
              ("pooler.dense.bias", randn(gen, c["hidden_size"], std=0.05))]
    image = test_image(c["image_size"], c["image_size"], IMAGE_SEED)
    mean, std = [0.5] * 3, [0.5] * 3
    pre = vit_preprocessor(c["image_size"])
    classifier = [("vit." + n, t) for n, t in encoder] + head
    forward = lambda W, px: vit_forward(W, c, px, False, "classifier")
    for name, dtype in (("vit_f32", "F32"), ("vit_f16", "F16"), ("vit_bf16", "BF16")):
        write_case(name, c, dtype, vit_config(c, dtype, "vit", "ViTForImageClassification", True), pre,
                   classifier, encoder + head, image, mean, std, forward)
    write_case("vit_bare_f32", c, "F32", vit_config(c, "F32", "vit", "ViTModel", False), pre,
               encoder + pooler, encoder, image, mean, std,
               lambda W, px: vit_forward(W, c, px, False, "bare"))
    # the image keeps its own size (48 wide, 40 high): positions interpolated from 4x4 to 5x6
    keep = dict(pre, do_resize=False)
    positions = []
    write_case("vit_interp_f32", c, "F32", vit_config(c, "F32", "vit", "ViTForImageClassification", True), keep,
               classifier, encoder + head, test_image(48, 40, IMAGE_SEED + 3), mean, std,
               lambda W, px: vit_forward(W, c, px, False, "classifier", positions_out=positions), positions)


def make_deit():
    c = VIT_TINY
    gen = torch.Generator().manual_seed(DEIT_SEED)
    encoder = vit_weights(c, gen, distillation=True)
    head = head_weights(c, gen, ["cls_classifier", "distillation_classifier"])
    image = test_image(c["image_size"], c["image_size"], IMAGE_SEED + 1)
    config = vit_config(c, "F32", "deit", "DeiTForImageClassificationWithTeacher", True)
    write_case("deit_distilled_f32", c, "F32", config, deit_preprocessor(c["image_size"], c["image_size"]),
               [("deit." + n, t) for n, t in encoder] + head, encoder + head, image,
               IMAGENET_MEAN, IMAGENET_STD, lambda W, px: vit_forward(W, c, px, True, "teacher"))
    # 56 wide, 24 high, kept: a 3x7 grid from the trained 4x4 (one axis shrinks, the other grows)
    keep = dict(deit_preprocessor(c["image_size"], c["image_size"]), do_resize=False, do_center_crop=False)
    positions = []
    write_case("deit_interp_f32", c, "F32", config, keep,
               [("deit." + n, t) for n, t in encoder] + head, encoder + head, test_image(56, 24, IMAGE_SEED + 4),
               IMAGENET_MEAN, IMAGENET_STD,
               lambda W, px: vit_forward(W, c, px, True, "teacher", positions_out=positions), positions)


# ---------------------------------------------------------------------------
# resize references
# ---------------------------------------------------------------------------
RESIZE_CASES = [  # (resample, width, height) from a 45x37 source
    (BILINEAR, 32, 32), (BILINEAR, 64, 50), (BILINEAR, 20, 60), (BILINEAR, 7, 5), (BILINEAR, 45, 37),
    (BICUBIC, 32, 32), (BICUBIC, 70, 70), (NEAREST, 32, 32), (NEAREST, 90, 74),
    (LANCZOS, 32, 32), (LANCZOS, 50, 41), (BOX, 16, 16), (HAMMING, 30, 30),
]
RESAMPLE_NAMES = {NEAREST: "nearest", LANCZOS: "lanczos", BILINEAR: "bilinear", BICUBIC: "bicubic",
                  BOX: "box", HAMMING: "hamming"}


def hf_pipeline(rgb, pre, image_size):
    """What ViTImageProcessor / DeiTImageProcessor do: PIL resize on uint8, numpy center crop
    (top = (h - ch) // 2), rescale, normalise, channels-first."""
    img = Image.fromarray(rgb)
    size = pre["size"]
    img = img.resize((size["width"], size["height"]), resample=pre["resample"])
    arr = np.array(img)
    if pre.get("do_center_crop"):
        ch, cw = pre["crop_size"]["height"], pre["crop_size"]["width"]
        top, left = (arr.shape[0] - ch) // 2, (arr.shape[1] - cw) // 2
        arr = arr[top:top + ch, left:left + cw]
    assert arr.shape[:2] == (image_size, image_size)
    return preprocess(arr, pre["image_mean"], pre["image_std"])


def make_resize():
    folder = new_case("vit_resize")
    src = test_image(45, 37, IMAGE_SEED + 2)
    save_png(os.path.join(folder, "source.png"), src)
    np_f32(os.path.join(folder, "source.npy"), src)
    gray = np.array(Image.fromarray(src).convert("L"))
    save_png(os.path.join(folder, "gray.png"), gray, "L")
    np_f32(os.path.join(folder, "gray.npy"), gray)
    alpha = (np.arange(45 * 37).reshape(37, 45) * 7 % 256).astype(np.uint8)
    save_png(os.path.join(folder, "rgba.png"), np.dstack([src, alpha]), "RGBA")
    cases = []
    for resample, w, h in RESIZE_CASES:
        name = "%s_%dx%d" % (RESAMPLE_NAMES[resample], w, h)
        out = np.array(Image.fromarray(src).resize((w, h), resample=resample))
        np_f32(os.path.join(folder, name + ".npy"), out)
        cases.append({"name": name, "resample": resample, "width": w, "height": h})
    write_json(os.path.join(folder, "cases.json"), cases)
    for name, pre in (("vit", vit_preprocessor(32)), ("deit", deit_preprocessor(36, 32))):
        write_json(os.path.join(folder, "preprocessor_%s.json" % name), pre)
        save_npy(os.path.join(folder, "pipeline_%s.npy" % name), hf_pipeline(src, pre, 32))


def main():
    torch.set_grad_enabled(False)
    os.makedirs(FIXTURES, exist_ok=True)
    make_vit()
    make_deit()
    make_resize()
    print("ViT fixtures written to", FIXTURES)


if __name__ == "__main__":
    main()
