#!/usr/bin/python3
"""Independent float64 PyTorch reference for the relevance maps of a tiny LLaVA on its joined sequence
(docs/relevance.md, "Text joined with an image").

Usage
-----
    /usr/bin/python3 src/test/python/llava_relevance_reference.py [FIXTURE ...]

For each LLaVA fixture (default: FIXTURES below) reads config.json, model.safetensors, reference/pixels.npy and
reference/input.json; builds the decoder's input in float64 as make_llava_fixtures.py does (tower, feature layer,
projector, the image token's embedding row replaced by the projected patches), checks the decoder's logits against
the committed reference/output.npy, and writes reference/relevance.json in relevance_reference.py's format.

The input is ONE part: the joined embedding rows (no learned positions in a Llama / Qwen2 decoder), so the relevance
of position i is sum_d x_id * g_id with x the joined row and g the rule-modified gradient; the methods and their
rules are relevance_reference.py's (same forward, same detaches). Targets: the top token at the last position, and
an explicit (position, id). Deterministic. Needs torch, numpy and PIL (make_llava_fixtures imports it).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_llava_fixtures as llava  # noqa: E402
import relevance_reference as rr  # noqa: E402

FIXTURES = ["llava_clip_f32", "llava_siglip_f32"]
EXTRA_TARGET = (12, 9)  # an output row at an image position, any id
torch.set_default_dtype(torch.float64)


def split(W):
    """The checkpoint's tensors (either key layout) as the tower's, the projector's and the decoder's."""
    parts = {"vision": {}, "projector": {}, "text": {}}
    prefixes = [("model.vision_tower.", "vision"), ("vision_tower.", "vision"),
                ("model.multi_modal_projector.", "projector"), ("multi_modal_projector.", "projector"),
                ("model.language_model.", "text"), ("language_model.model.", "text"),
                ("language_model.lm_head.", "text"), ("lm_head.", "text")]
    for name, t in W.items():
        for prefix, part in prefixes:
            if name.startswith(prefix):
                key = name[len(prefix):] if "lm_head" not in prefix else "lm_head." + name[len(prefix):]
                parts[part][key] = t
                break
        else:
            raise ValueError("unexpected tensor " + name)
    return parts


def joined_embeddings(parts, c, pixels, ids):
    clip = c["vision_config"]["model_type"].startswith("clip")
    layers = c["vision_feature_layer"]
    layers = layers if isinstance(layers, list) else [layers]
    hidden, _ = llava.vision_forward(parts["vision"], pixels, clip)
    feats = llava.project(parts["projector"], llava.image_features(hidden, layers, c["vision_feature_select_strategy"]))
    start = ids.index(c["image_token_index"])
    text = parts["text"]["embed_tokens.weight"][ids]
    return torch.cat([text[:start], feats, text[start + 1:]])


def main(argv):
    for name in argv or FIXTURES:
        folder = os.path.join(rr.ROOT, name)
        with open(os.path.join(folder, "config.json")) as f:
            c = json.load(f)
        with open(os.path.join(folder, "reference", "input.json")) as f:
            ids = json.load(f)["ids"]
        parts = split(rr.read_safetensors(os.path.join(folder, "model.safetensors")))
        pixels = torch.from_numpy(np.load(os.path.join(folder, "reference", "pixels.npy")).astype(np.float64))
        joined = joined_embeddings(parts, c, pixels, ids)
        m, _ = rr.llama_like(parts["text"], c["text_config"], ids, False)
        m.position_part = m.type_part = False
        with torch.no_grad():
            out, patterns, _ = rr.forward(m, [joined], "grad-input")
        expected = np.load(os.path.join(folder, "reference", "output.npy")).reshape(out.shape)
        err = float(np.max(np.abs(out.numpy() - expected)))
        assert err < 1e-4, "%s: forward differs from output.npy by %g" % (name, err)
        last = out.shape[0] - 1
        result = []
        for position, target in [(last, int(out[last].argmax())), EXTRA_TARGET]:
            methods = {method: rr.gradient_times_input(m, [joined], method, position, target)
                       for method in ("grad-input", "attnlrp", "cp-lrp")}
            methods["chefer"] = rr.chefer(m, [joined], position, target)
            methods["rollout"] = rr.rollout(patterns, position)
            result.append({"position": position, "id": target, "logit": float(out[position, target]),
                           "methods": methods})
            print("%s target (%d, %d): logit %.6f, cp-lrp sum %.6f, attnlrp sum %.6f"
                  % (name, position, target, float(out[position, target]), sum(methods["cp-lrp"]["tokens"]),
                     sum(methods["attnlrp"]["tokens"])))
        with open(os.path.join(folder, "reference", "relevance.json"), "w") as f:
            json.dump({"targets": result}, f, indent=1)
            f.write("\n")
        print("%s: forward within %.1e of output.npy, wrote reference/relevance.json" % (name, err))


if __name__ == "__main__":
    main(sys.argv[1:])
