#!/usr/bin/python3
"""Regenerate every committed test fixture, in the order the scripts depend on each other; or check them.

Usage
-----
    /usr/bin/python3 src/test/python/regenerate_fixtures.py
        Runs every script of SCRIPTS below, in order, writing into src/test/resources/.

    /usr/bin/python3 src/test/python/regenerate_fixtures.py --check
        Runs the same scripts on a copy of src/test/python in a temporary folder (they write beside themselves,
        so the committed files are not touched) and compares what they wrote with the committed fixtures: the
        same file names, and each file byte for byte, or else its numbers within 1e-7 (.npy arrays, JSON
        numbers, safetensors tensors; the rest must be identical). Prints one line per file that is not byte
        for byte the same and a summary; exits 1 when a file is missing, extra or differs beyond 1e-7.

Why an order: make_fixtures.py, make_llama_fixtures.py and make_vit_fixtures.py rebuild whole case folders
(stale files go), which also deletes the reference/*.json the *_reference.py scripts add to gpt2_f32, llama_f32
and vit_f32; those scripts read the PyTorch references the first three write. make_fuzz_seeds.py reads only the
generator modules. Jazzer's findings in the fuzz corpus (crash-*, timeout-*) are inputs, not generated: the seed
script keeps them and --check ignores them.

Adding a generator is one line in SCRIPTS (after the scripts whose output it reads).
Needs Debian's python3-torch, python3-numpy, python3-pil and python3-onnx (the fuzz seeds' ONNX models).
"""
import argparse
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TEST = os.path.dirname(HERE)  # src/test

# (script, arguments), run in this order
SCRIPTS = [
    ("make_fixtures.py", []),         # GPT-2, BERT cases
    ("make_llama_fixtures.py", []),   # Llama, Mistral, Qwen2 cases, tokenizers/
    ("make_family_fixtures.py", []),  # Pythia, Gemma 1/2/3, Qwen3, Phi-3, OPT cases
    ("make_vit_fixtures.py", []),     # ViT, DeiT cases, vit_resize/
    ("make_llava_fixtures.py", []),   # LLaVA cases (CLIP and SigLIP towers, both key layouts; llava_sinks_f32: 4 layers, visual sinks)
    ("metrics_reference.py", []),     # gpt2_f32/reference/metrics.json (reads attention.npy)
    ("flow_reference.py", []),        # {gpt2,llama,vit}_f32/reference/flow.json (reads the references above)
    ("vlm_reference.py", []),         # llama_f32/reference/vlm.json (uses flow_reference.py's Llama forward)
    ("intervene_reference.py", []),   # gpt2_f32/reference/intervene.json
    ("corpus_reference.py", []),      # corpus_gpt2/: prompts.jsonl and the corpus command's reference (PyTorch GPT-2 + NumPy)
    ("probe_reference.py", []),       # probe_solver/, probe_gpt2/ (scikit-learn; needs python3-sklearn)
    ("attentive_probe_reference.py", []),  # attentive_probe/ (float64 PyTorch attentive probe + Adam, F16/BF16 rounding)
    ("relevance_reference.py", []),   # {gpt2,bert,llama,vit,pythia,gemma2}_f32/reference/relevance.json
    ("llava_relevance_reference.py", []),  # llava_{clip,siglip}_f32/reference/relevance.json (the joined sequence)
    ("make_fuzz_seeds.py", []),       # headwise/fuzz/ParserFuzzerInputs/
]

# the folders the scripts write, relative to src/test
OUTPUTS = [os.path.join("resources", "fixtures"),
           os.path.join("resources", "headwise", "fuzz", "ParserFuzzerInputs")]
FINDING_PREFIXES = ("crash-", "timeout-", "oom-", "leak-", "slow-unit-")
TOLERANCE = 1e-7
SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64, "I32": np.int32}


def run_all(python_dir):
    for script, args in SCRIPTS:
        print("==", script, *args, flush=True)
        subprocess.run([sys.executable, os.path.join(python_dir, script), *args], cwd=python_dir, check=True)


def generated_files(root):
    """Relative paths of every file under the output folders of the test tree at root, findings left out."""
    files = set()
    for output in OUTPUTS:
        for folder, _, names in os.walk(os.path.join(root, output)):
            for name in names:
                if not name.startswith(FINDING_PREFIXES):
                    files.add(os.path.relpath(os.path.join(folder, name), root))
    return files


def safetensors_arrays(data):
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    arrays = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        raw = body[start:end]
        if entry["dtype"] == "BF16":  # bfloat16 is the upper half of a float32
            values = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            values = np.frombuffer(raw, dtype=np.dtype(SAFETENSORS_DTYPES[entry["dtype"]]).newbyteorder("<"))
        arrays[name] = (entry["dtype"], entry["shape"], values.astype(np.float64))
    return header.get("__metadata__"), arrays


def json_numbers(value):
    """The structure with every number replaced by a marker, and the numbers in order."""
    numbers = []

    def walk(v):
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, (int, float)):
            numbers.append(float(v))
            return "#"
        if isinstance(v, list):
            return [walk(x) for x in v]
        return {k: walk(x) for k, x in v.items()}

    return walk(value), np.array(numbers, dtype=np.float64)


def max_difference(a, b):
    """Largest absolute difference of two same-shaped float arrays; NaNs must sit at the same places."""
    if a.shape != b.shape:
        return None
    nan = np.isnan(a)
    if not np.array_equal(nan, np.isnan(b)):
        return None
    return float(np.max(np.abs(a[~nan] - b[~nan]), initial=0.0))


def numeric_difference(path, committed, regenerated):
    """Max |difference| of the numbers in two versions of a file, or None when they differ in anything else."""
    if path.endswith(".npy"):
        a, b = np.load(io.BytesIO(committed)), np.load(io.BytesIO(regenerated))
        if a.dtype != b.dtype:
            return None
        return max_difference(a.astype(np.float64), b.astype(np.float64))
    if path.endswith(".json"):
        try:
            (sa, na), (sb, nb) = json_numbers(json.loads(committed)), json_numbers(json.loads(regenerated))
        except ValueError:
            return None
        return max_difference(na, nb) if sa == sb else None
    if path.endswith(".safetensors"):
        (ma, ta), (mb, tb) = safetensors_arrays(committed), safetensors_arrays(regenerated)
        if ma != mb or ta.keys() != tb.keys():
            return None
        worst = 0.0
        for name in ta:
            if ta[name][:2] != tb[name][:2]:
                return None
            d = max_difference(ta[name][2], tb[name][2])
            if d is None:
                return None
            worst = max(worst, d)
        return worst
    return None


def check():
    committed_root = TEST
    with tempfile.TemporaryDirectory(prefix="headwise-fixtures-") as tmp:
        test_copy = os.path.join(tmp, "src", "test")
        python_copy = os.path.join(test_copy, "python")
        shutil.copytree(HERE, python_copy, ignore=shutil.ignore_patterns("__pycache__"))
        run_all(python_copy)
        committed, regenerated = generated_files(committed_root), generated_files(test_copy)
        problems = 0
        for path in sorted(committed - regenerated):
            print("MISSING (committed, not regenerated):", path)
            problems += 1
        for path in sorted(regenerated - committed):
            print("EXTRA (regenerated, not committed):", path)
            problems += 1
        identical, close = 0, 0
        for path in sorted(committed & regenerated):
            with open(os.path.join(committed_root, path), "rb") as f:
                a = f.read()
            with open(os.path.join(test_copy, path), "rb") as f:
                b = f.read()
            if a == b:
                identical += 1
                continue
            d = numeric_difference(path, a, b)
            if d is not None and d <= TOLERANCE:
                close += 1
                print("within %.0e (max |diff| %.2e): %s" % (TOLERANCE, d, path))
            else:
                problems += 1
                print("DIFFERS%s: %s" % ("" if d is None else " (max |diff| %.2e)" % d, path))
        print("%d files byte for byte identical, %d within %.0e, %d problems"
              % (identical, close, TOLERANCE, problems))
        return 1 if problems else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary folder and compare with the committed fixtures")
    args = ap.parse_args(argv)
    if args.check:
        return check()
    run_all(HERE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
