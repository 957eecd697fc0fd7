#!/usr/bin/python3
"""Write the fuzzers' seed corpus: src/test/resources/headwise/fuzz/ParserFuzzerInputs/TARGET/*.

    /usr/bin/python3 src/test/python/make_fuzz_seeds.py

One folder per target of headwise.fuzz.FuzzTargets. Seeds are small, valid files (micro models of a few
hundred floats) so that mutations reach deep into each parser; deterministic (fixed torch seeds).
Targets that read several files take them joined by the separator of headwise.fuzz.Parts.
"""
import io
import json
import os
import struct
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixtures as mf  # noqa: E402
import make_llama_fixtures as ml  # noqa: E402
import make_vit_fixtures as mv  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", "resources", "headwise", "fuzz", "ParserFuzzerInputs"))
SEPARATOR = b"\0HW-PART\0"


def parts(*files):
    return SEPARATOR.join(files)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def safetensors(tensors, dtype):
    """Bytes of a safetensors file, written by make_fixtures.write_safetensors."""
    path = "/tmp/headwise-fuzz-seed.safetensors"
    mf.write_safetensors(path, list(tensors), dtype)
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


def gen(seed):
    return torch.Generator().manual_seed(seed)


GPT2 = dict(n_embd=8, n_layer=1, n_head=2, n_positions=8, vocab_size=11)
BERT = dict(hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16,
            max_position_embeddings=8, vocab_size=12)
LLAMA = dict(hidden_size=8, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1, head_dim=4,
             intermediate_size=12, vocab_size=267)
VIT = dict(hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16, image_size=32,
           patch_size=16, num_channels=3, num_labels=3)


def wordpiece_tokenizer():
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", ",", "!", "he", "##llo", "1", "##2"]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [dict(id=i, content=t, **ml.SPECIAL) for i, t in enumerate(vocab[:4])],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                                              "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}},
    }


def tokenizers():
    return {
        "wordpiece": wordpiece_tokenizer(),
        "llama2": ml.llama2_tokenizer(metaspace=False),
        "llama2_metaspace": ml.llama2_tokenizer(metaspace=True),
        "llama3": ml.byte_level_tokenizer(["<|begin_of_text|>", "<|end_of_text|>"], ml.LLAMA3_SPLIT,
                                          "<|begin_of_text|>", nfc=False),
        "qwen2": ml.byte_level_tokenizer(["<|endoftext|>"], ml.QWEN2_SPLIT, None, nfc=True),
    }


def models():
    """(name, config, safetensors bytes, tokenizer json or None) of micro models of every family."""
    out = []
    g = mf.gpt2_weights(GPT2, gen(1))
    out.append(("gpt2", mf.gpt2_config(GPT2, "F32"), safetensors([("transformer." + n, t) for n, t in g], "F32"), None))
    out.append(("gpt2_bf16", mf.gpt2_config(GPT2, "BF16", ("GPT2Model",)), safetensors(g, "BF16"), None))
    b = mf.bert_weights(BERT, gen(2))
    out.append(("bert", mf.bert_config(BERT, "F16"), safetensors(b, "F16"), wordpiece_tokenizer()))
    lw = ml.weights(LLAMA, gen(3))
    toks = tokenizers()
    out.append(("llama", ml.config(LLAMA, "F32", rope_scaling={"rope_type": "llama3", "factor": 8.0,
                                                                "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                                "original_max_position_embeddings": 16}),
                safetensors(ml.prefixed(lw), "F32"), toks["llama2"]))
    out.append(("mistral", ml.config(LLAMA, "BF16", model_type="mistral", architecture="MistralForCausalLM",
                                     sliding_window=4), safetensors(ml.prefixed(lw), "BF16"), None))
    qw = ml.weights(LLAMA, gen(4), qkv_bias=True, lm_head=False)
    out.append(("qwen2", ml.config(LLAMA, "F32", model_type="qwen2", architecture="Qwen2ForCausalLM",
                                   tie_word_embeddings=True), safetensors(ml.prefixed(qw), "F32"), toks["qwen2"]))
    vw = mv.vit_weights(VIT, gen(5), False) + mv.head_weights(VIT, gen(6), ["classifier"])
    out.append(("vit", mv.vit_config(VIT, "F32", "vit", "ViTForImageClassification", True),
                safetensors([(n if n.startswith("classifier") else "vit." + n, t) for n, t in vw], "F32"), None))
    dw = mv.vit_weights(VIT, gen(7), True)
    out.append(("deit", mv.vit_config(VIT, "F16", "deit", "DeiTModel", False), safetensors(dw, "F16"), None))
    return out


def sharded():
    g = mf.gpt2_weights(GPT2, gen(8))
    half = len(g) // 2
    a, b = g[:half], g[half:]
    index = {"metadata": {"total_size": 0}, "weight_map": {**{n: "shard1.safetensors" for n, _ in a},
                                                           **{n: "shard2.safetensors" for n, _ in b}}}
    return [parts(compact(index), safetensors(a, "F32"), safetensors(b, "BF16"))]


def onnx_models():
    """A BERT-like ONNX graph: HF-named biases and LayerNorm weights, an unnamed transposed MatMul weight
    followed by an Add of its bias, an int64 shape constant, and float_data as well as raw_data storage."""
    rng = np.random.default_rng(9)
    w = rng.standard_normal((4, 3)).astype(np.float32)   # [in, out]
    bias = rng.standard_normal(3).astype(np.float32)
    ln = rng.standard_normal(4).astype(np.float32)
    inits = [numpy_helper.from_array(w, "onnx::MatMul_7"),
             numpy_helper.from_array(bias, "encoder.layer.0.attention.self.query.bias"),
             helper.make_tensor("embeddings.LayerNorm.weight", TensorProto.FLOAT, [4], ln.tolist()),  # float_data
             numpy_helper.from_array(np.array([1, 4], dtype=np.int64), "/Constant_output_0")]
    nodes = [helper.make_node("MatMul", ["x", "onnx::MatMul_7"], ["mm"]),
             helper.make_node("Add", ["encoder.layer.0.attention.self.query.bias", "mm"], ["y"]),
             helper.make_node("Reshape", ["y", "/Constant_output_0"], ["z"])]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 3])], initializer=inits)
    model = helper.make_model(graph, producer_name="headwise-fuzz-seed", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    plain = model.SerializeToString()
    # the same weights without a graph's nodes: no MatMul to follow
    bare = helper.make_model(helper.make_graph([], "g", [], [], initializer=inits[1:3]))
    return [plain, bare.SerializeToString()]


def preprocessors():
    return [mv.vit_preprocessor(32), mv.deit_preprocessor(36, 32),
            {"do_resize": True, "size": {"shortest_edge": 32}, "do_center_crop": True, "crop_size": 32,
             "resample": 3, "image_mean": 0.5, "image_std": [0.5, 0.5, 0.5], "feature_extractor_type": "ViTFeatureExtractor"},
            {"do_resize": False, "do_center_crop": True, "crop_size": {"height": 16, "width": 16}, "do_rescale": False,
             "do_normalize": False}]


def images():
    rng = np.random.default_rng(10)
    rgb = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
    grey = rng.integers(0, 256, (6, 5), dtype=np.uint8)
    out = {}

    def save(name, image, fmt, **kw):
        b = io.BytesIO()
        image.save(b, fmt, **kw)
        out[name] = b.getvalue()

    save("rgb.png", Image.fromarray(rgb), "PNG")
    save("grey.png", Image.fromarray(grey), "PNG")
    save("grey16.png", Image.fromarray(grey.astype(np.uint16) * 257), "PNG")
    save("rgba.png", Image.fromarray(np.dstack([rgb, grey])), "PNG")
    save("palette.png", Image.fromarray(rgb).convert("P", palette=Image.ADAPTIVE, colors=4), "PNG")
    save("bilevel.png", Image.fromarray(grey).convert("1"), "PNG")
    save("rgb.jpg", Image.fromarray(rgb), "JPEG", quality=90)
    save("progressive.jpg", Image.fromarray(rgb), "JPEG", quality=50, progressive=True)
    save("grey.gif", Image.fromarray(grey), "GIF")
    save("rgb.bmp", Image.fromarray(rgb), "BMP")
    save("rgb.tiff", Image.fromarray(rgb), "TIFF")
    return out


def llama2c():
    """A micro llama2.c model (dim 8, hidden 12, 1 layer, 2 heads / 1 KV head, vocab 264, seq_len 4) and its
    tokenizer (control tokens, the 256 byte-fallback tokens, a few pieces)."""
    dim, hidden, layers, heads, kv, vocab, seq = 8, 12, 1, 2, 1, 264, 4
    head = dim // heads
    rng = np.random.default_rng(11)

    def model(shared):
        floats = (vocab * dim + layers * dim + layers * dim * dim + 2 * layers * dim * kv * head + layers * dim * dim
                  + layers * dim + 3 * layers * dim * hidden + dim + seq * head + (0 if shared else vocab * dim))
        header = struct.pack("<7i", dim, hidden, layers, heads, kv, vocab if shared else -vocab, seq)
        return header + rng.standard_normal(floats).astype("<f4").tobytes()

    pieces = ([b"<unk>", b"\n<s>\n", b"\n</s>\n"] + [b"<0x%02X>" % i for i in range(256)]
              + [b" ", b"a", b"b", b" a", b"ab"])
    tokenizer = struct.pack("<i", 6) + b"".join(struct.pack("<fi", -float(i), len(p)) + p for i, p in enumerate(pieces))
    return [parts(model(True), tokenizer), parts(model(False), tokenizer), model(True)]


# GGUF value types and ggml tensor types (gguf.h, ggml.h)
GGUF_U32, GGUF_I32, GGUF_F32, GGUF_BOOL, GGUF_STRING, GGUF_ARRAY = 4, 5, 6, 7, 8, 9
GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q4_0": (2, 32, 18), "Q4_1": (3, 32, 20), "Q5_0": (6, 32, 22),
        "Q5_1": (7, 32, 24), "Q8_0": (8, 32, 34), "Q4_K": (12, 256, 144), "Q5_K": (13, 256, 176), "Q6_K": (14, 256, 210),
        "BF16": (30, 1, 2)}


def gguf_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_value(kind, value):
    if kind == GGUF_STRING:
        return gguf_string(value)
    if kind == GGUF_ARRAY:
        element, items = value
        return struct.pack("<IQ", element, len(items)) + b"".join(gguf_value(element, v) for v in items)
    return struct.pack({GGUF_U32: "<I", GGUF_I32: "<i", GGUF_F32: "<f", GGUF_BOOL: "<?"}[kind], value)


def gguf_blocks(rng, type_name, elements):
    """Random blocks whose f16 scales are small normal numbers (random bits elsewhere)."""
    type_id, block, size = GGML[type_name]
    if block == 1:
        values = rng.standard_normal(elements).astype("<f4")
        if type_name == "F32":
            return values.tobytes()
        if type_name == "F16":
            return values.astype("<f2").tobytes()
        return (values.view("<u4") >> 16).astype("<u2").tobytes()
    out = bytearray(rng.integers(0, 256, elements // block * size, dtype=np.uint8).tobytes())
    scale_at = {"Q4_K": (0, 2), "Q5_K": (0, 2), "Q6_K": (208,)}.get(type_name, (0, 2) if type_name in ("Q4_1", "Q5_1") else (0,))
    for b in range(elements // block):
        for offset in scale_at:
            out[b * size + offset:b * size + offset + 2] = np.float16(rng.uniform(0.001, 0.05)).tobytes()
    return bytes(out)


def gguf_file(metadata, tensors, alignment=32):
    """metadata: [(key, kind, value)]; tensors: [(name, type, ne (innermost first), data)]."""
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    header += b"".join(gguf_string(k) + struct.pack("<I", kind) + gguf_value(kind, v) for k, kind, v in metadata)
    offset, data = 0, b""
    for name, type_name, ne, blob in tensors:
        header += gguf_string(name) + struct.pack("<I", len(ne)) + struct.pack("<%dQ" % len(ne), *ne)
        header += struct.pack("<IQ", GGML[type_name][0], offset)
        padded = blob + b"\0" * (-len(blob) % alignment)
        data += padded
        offset += len(padded)
    return header + b"\0" * (-len(header) % alignment) + data


def gguf():
    """Micro GGUF models: two llamas (SentencePiece tokenizer; every decoded type among their tensors), a GPT-2 (byte-level
    tokenizer), and a file of metadata alone (every value type, nested arrays)."""
    rng = np.random.default_rng(17)
    d, ffn, heads, kv, layers = 32, 256, 2, 1, 1
    pieces = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % i for i in range(4)] + ["\u2581", "a", "b", "\u2581a", "ab"]
    spm = [("tokenizer.ggml.model", GGUF_STRING, "llama"), ("tokenizer.ggml.tokens", GGUF_ARRAY, (GGUF_STRING, pieces)),
           ("tokenizer.ggml.scores", GGUF_ARRAY, (GGUF_F32, [-float(i) for i in range(len(pieces))])),
           ("tokenizer.ggml.token_type", GGUF_ARRAY, (GGUF_I32, [2, 3, 3, 6, 6, 6, 6, 1, 1, 1, 1, 1])),
           ("tokenizer.ggml.bos_token_id", GGUF_U32, 1), ("tokenizer.ggml.eos_token_id", GGUF_U32, 2),
           ("tokenizer.ggml.add_bos_token", GGUF_BOOL, True)]
    vocab = len(pieces)

    def llama(types):
        meta = [("general.architecture", GGUF_STRING, "llama"), ("llama.block_count", GGUF_U32, layers),
                ("llama.context_length", GGUF_U32, 16), ("llama.embedding_length", GGUF_U32, d),
                ("llama.feed_forward_length", GGUF_U32, ffn), ("llama.attention.head_count", GGUF_U32, heads),
                ("llama.attention.head_count_kv", GGUF_U32, kv), ("llama.attention.layer_norm_rms_epsilon", GGUF_F32, 1e-5),
                ("llama.rope.freq_base", GGUF_F32, 10000.0)] + spm
        hd = d // heads
        shapes = {"attn_norm": [d], "attn_q": [d, d], "attn_k": [d, kv * hd], "attn_v": [d, kv * hd], "attn_output": [d, d],
                  "ffn_norm": [d], "ffn_gate": [d, ffn], "ffn_up": [d, ffn], "ffn_down": [ffn, d]}
        matrices = iter(types[1:])  # attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down
        tensors = [("token_embd.weight", types[0], [d, vocab], None)]
        tensors += [("blk.0.%s.weight" % part, "F32" if len(ne) == 1 else next(matrices), ne, None) for part, ne in shapes.items()]
        tensors += [("output_norm.weight", "F32", [d], None), ("output.weight", types[0], [d, vocab], None)]
        return gguf_file(meta, [(n, t, ne, gguf_blocks(rng, t, int(np.prod(ne)))) for n, t, ne, _ in tensors])

    def gpt2():
        tokens = [chr(c) for c in range(ord("a"), ord("h"))] + ["\u0120", "\u0120a", "ab"]
        meta = [("general.architecture", GGUF_STRING, "gpt2"), ("gpt2.block_count", GGUF_U32, 1),
                ("gpt2.context_length", GGUF_U32, 8), ("gpt2.embedding_length", GGUF_U32, d),
                ("gpt2.feed_forward_length", GGUF_U32, 64), ("gpt2.attention.head_count", GGUF_U32, 2),
                ("gpt2.attention.layer_norm_epsilon", GGUF_F32, 1e-5), ("tokenizer.ggml.model", GGUF_STRING, "gpt2"),
                ("tokenizer.ggml.pre", GGUF_STRING, "gpt-2"), ("tokenizer.ggml.tokens", GGUF_ARRAY, (GGUF_STRING, tokens)),
                ("tokenizer.ggml.merges", GGUF_ARRAY, (GGUF_STRING, ["\u0120 a", "a b"]))]
        v = len(tokens)
        tensors = [("token_embd.weight", "Q8_0", [d, v]), ("position_embd.weight", "F32", [d, 8]), ("output.weight", "Q8_0", [d, v]),
                   ("output_norm.weight", "F32", [d]), ("output_norm.bias", "F32", [d])]
        for part, ne, t in [("attn_norm", [d], "F32"), ("attn_qkv", [d, 3 * d], "Q8_0"), ("attn_output", [d, d], "F16"),
                            ("ffn_norm", [d], "F32"), ("ffn_up", [d, 64], "Q4_0"), ("ffn_down", [64, d], "Q5_0")]:
            tensors.append(("blk.0.%s.weight" % part, t, ne))
            tensors.append(("blk.0.%s.bias" % part, "F32", [ne[-1]]))
        return gguf_file(meta, [(n, t, ne, gguf_blocks(rng, t, int(np.prod(ne)))) for n, t, ne in tensors])

    values = gguf_file([("u32", GGUF_U32, 7), ("i32", GGUF_I32, -7), ("f32", GGUF_F32, 0.5), ("bool", GGUF_BOOL, True),
                        ("general.alignment", GGUF_U32, 64), ("s", GGUF_STRING, "h\u00e9"),
                        ("nested", GGUF_ARRAY, (GGUF_ARRAY, [(GGUF_I32, [1, 2]), (GGUF_STRING, ["x"])]))],
                       [("t", "Q6_K", [256], gguf_blocks(rng, "Q6_K", 256))], alignment=64)
    return {"llama_q4k": llama(["Q8_0", "Q4_0", "Q5_0", "Q5_1", "Q4_1", "F16", "BF16", "Q4_K"]),
            "llama_q5k": llama(["Q8_0", "F16", "Q8_0", "F32", "Q4_1", "Q5_0", "BF16", "Q5_K"]),
            "gpt2": gpt2(), "metadata": values}


def sessions():
    """Session files as the app saves them: the default one, and one with every field set."""
    base = {"format": "headwise-session", "version": 1, "model": "all-MiniLM-L6-v2",
            "text": "The cat sat on the mat because it was tired.", "compare_text": "", "image": "",
            "layer": 0, "head": -1, "log_scale": False, "page": "Model view",
            "interventions": {"ablated": [], "mode": "zero", "zero_tuning": 1.0, "calibrate_sinks": False},
            "query": -1, "key": -1, "qk_layer": -1, "qk_head": -1, "importance": "zero"}
    full = dict(base, compare_text="The dog barked.", layer=3, head=7, log_scale=True, page="Head",
                interventions={"ablated": [[1, 2], [4, 1]], "mode": "mean", "zero_tuning": 0.5, "calibrate_sinks": True},
                query=2, key=3, qk_layer=1, qk_head=2, importance="gradient")
    return {"default": json.dumps(base, indent=2).encode(), "full": json.dumps(full, indent=2).encode()}


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# Jazzer saves what it finds beside the seeds (crash-SHA1, timeout-…): committed regression inputs, never seeds
FINDING_PREFIXES = ("crash-", "timeout-", "oom-", "leak-", "slow-unit-")


def clear_seeds():
    """Removes the seeds a previous run wrote and keeps Jazzer's findings."""
    for folder, _, names in os.walk(ROOT):
        for name in names:
            if not name.startswith(FINDING_PREFIXES):
                os.remove(os.path.join(folder, name))


def main():
    clear_seeds()
    ms = models()
    small = safetensors([("a", torch.arange(6, dtype=torch.float32).reshape(2, 3)), ("b", torch.ones(0))], "F32")
    write("safetensors", "small_f32", small)
    write("safetensors", "gpt2_bf16", ms[1][2])
    write("safetensors", "bert_f16", ms[2][2])
    for i, data in enumerate(sharded()):
        write("shardedIndex", "gpt2_%d" % i, data)
    for name, config, weights, tokenizer in ms:
        write("config", name, compact(config))
        write("modelFolder", name, parts(compact(config), weights, compact(tokenizer) if tokenizer else b""))
    for i, data in enumerate(onnx_models()):
        write("onnx", "model_%d" % i, data)
    for name, t in tokenizers().items():
        write("tokenizer", name, compact(t))
    for i, p in enumerate(preprocessors()):
        write("preprocessor", "preprocessor_%d" % i, compact(p))
    for name, data in images().items():
        write("image", name, data)
    for i, data in enumerate(llama2c()):
        write("llama2c", "model_%d" % i, data)
    for name, data in sessions().items():
        write("session", name, data)
    for name, data in gguf().items():
        write("gguf", name, data)


if __name__ == "__main__":
    main()
