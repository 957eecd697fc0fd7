#!/usr/bin/env bash
# The benchmark suite (not part of `mvn test`): Headwise against PyTorch on the same checkpoint, machine and session.
#
#   src/test/bench/run-benchmarks.sh [TOKENS...]        default: 128 512 1024
#
# Needs Debian's python3-torch and libopenblas0-pthread (apt-get install python3-torch libopenblas0-pthread).
# For each length it alternates Headwise and PyTorch runs (ROUNDS times each, so load from other processes hits
# both alike) and prints the ratio of the medians, the forward's GFLOP/s against the SGEMM rate measured in the same
# process, and peak RSS; then the all-head ablation cost in forwards, render times and the cold start.
# Extras on a TinyLlama-shaped 1.1B model (random BF16 weights, upcast to float32 by both sides; made here if absent):
#   LLAMA=1  Headwise's bench against bench_torch.py at LLAMA_TOKENS (default "512 2048"), LLAMA_ROUNDS alternated
#            rounds each (default 2), LLAMA_REPEAT timed forwards a round (default 3, after 3 untimed); prints both
#            medians, their ratio, GFLOP/s, the SGEMM rate after each forward, peak RSS and the load average. All
#            maps are kept on both sides (Headwise stores them as float16 when float32 does not fit its heap:
#            LLAMA_XMX, default 8g; PyTorch's run is skipped when its float32 maps would not fit MemAvailable).
#   GPT2=0   leaves out the GPT-2-small runs, ablation, rendering and cold start above.
#   LONG=1   LongInputBench on LONG_TOKENS (default 8192) (attention recomputed per head) and at LONG_TORCH_TOKENS (default 2048),
#            and PyTorch at LONG_TORCH_TOKENS (the longest it fits with all maps kept): time, attention's share and
#            GFLOP/s, SGEMM rate, peak RSS.
set -euo pipefail
cd "$(dirname "$0")/../../.."
TOKENS=("${@:-128 512 1024}")
read -r -a TOKENS <<< "${TOKENS[*]}"
ROUNDS=${ROUNDS:-3}
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
PY=/usr/bin/python3
MODELS=target/bench-models
CP_FILE=target/test-classpath.txt

[ -f target/headwise.jar ] && [ -d target/test-classes ] || mvn -q -B package -DskipTests
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat "$CP_FILE")" # test scope: the cold-start bench needs Monocle
[ -f "$MODELS/gpt2-small/model.safetensors" ] || $PY src/test/python/make_fixtures.py --gpt2-small "$MODELS/gpt2-small"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

if [ "${GPT2:-1}" = 1 ]; then # GPT2=0: only the Llama extras
  for T in "${TOKENS[@]}"; do
    java_ms=(); torch_ms=()
    for ((r = 1; r <= ROUNDS; r++)); do
      out=$(java -jar target/headwise.jar bench --model "$MODELS/gpt2-small" --tokens "$T" --repeat 5)
      java_ms+=("$(grep '^forward_ms=' <<< "$out" | cut -d= -f2)")
      detail=$(grep -E '^(forward_gflops|attention)=' <<< "$out" | tr '\n' ' ')
      torch_ms+=("$($PY src/test/python/bench_torch.py "$MODELS/gpt2-small" --tokens "$T" --repeat 5 --threads 2 | grep '^forward_ms=' | cut -d= -f2)")
    done
    j=$(printf '%s\n' "${java_ms[@]}" | median); p=$(printf '%s\n' "${torch_ms[@]}" | median)
    printf 'tokens=%s headwise_ms=%s pytorch_ms=%s ratio=%.2f  %s\n' "$T" "$j" "$p" "$(awk -v a="$j" -v b="$p" 'BEGIN {print a / b}')" "$detail"
    # Both run the same FLOPs (our last round's rate times its time), so PyTorch's rate follows; 0.8x its time needs 1.25x its rate.
    awk -v j="${java_ms[-1]}" -v p="$p" -v d="$detail" 'BEGIN {
      match(d, /forward_gflops=[0-9.]+/); rate = substr(d, RSTART + 15, RLENGTH - 15)
      match(d, /sgemm_gflops=[0-9.]+/); sgemm = substr(d, RSTART + 13, RLENGTH - 13)
      torch = rate * j / p
      printf "  pytorch_gflops=%.1f (%.0f%% of sgemm); 0.8x pytorch needs %.1f GFLOP/s (%.0f%% of sgemm)\n", torch, 100 * torch / sgemm, 1.25 * torch, 125 * torch / sgemm }' 
  done

  java -Xmx3g -cp "$CP" headwise.bench.AblationBench "$MODELS/gpt2-small" 128 1024 skipGradient | grep -E 'forward:|all-head'
  if ls src/test/java/headwise/bench/RenderBench.java > /dev/null 2>&1; then
    java -Xmx3g -Djava.awt.headless=true -cp "$CP" headwise.bench.RenderBench
  fi
  if ls src/test/java/headwise/bench/ColdStartBench.java > /dev/null 2>&1; then
    java -cp "$CP" headwise.bench.ColdStartBench
  fi
fi

LLAMA_MODEL=$MODELS/tinyllama
if [ "${LLAMA:-0}" = 1 ] || [ "${LONG:-0}" = 1 ]; then
  if [ ! -f "$LLAMA_MODEL/model.safetensors" ]; then
    $PY src/test/python/make_llama_fixtures.py --tinyllama "$LLAMA_MODEL"
    $PY -c "import json,sys; p=sys.argv[1]; c=json.load(open(p)); c['max_position_embeddings']=8192; json.dump(c,open(p,'w'))" "$LLAMA_MODEL/config.json"
  fi
fi
field() { grep -o "$1=[0-9.]*" | tail -1 | cut -d= -f2; } # the last NAME=value of a bench's output

if [ "${LLAMA:-0}" = 1 ]; then
  read -r -a LLAMA_T <<< "${LLAMA_TOKENS:-512 2048}"
  for T in "${LLAMA_T[@]}"; do
    java_ms=(); torch_ms=()
    for ((r = 1; r <= ${LLAMA_ROUNDS:-2}; r++)); do
      out=$(java -Xmx"${LLAMA_XMX:-8g}" -cp "$CP" headwise.app.Main bench --model "$LLAMA_MODEL" --tokens "$T" --repeat "${LLAMA_REPEAT:-3}")
      java_ms+=("$(field forward_ms <<< "$out")")
      echo "  headwise round $r: $(grep -E '^(attention|forward_gflops)=' <<< "$out" | tr '\n' ' ') load $(cut -d' ' -f1 /proc/loadavg)"
      if tout=$($PY src/test/python/bench_torch.py "$LLAMA_MODEL" --tokens "$T" --repeat "${LLAMA_REPEAT:-3}" --threads 2 2>&1); then
        torch_ms+=("$(field forward_ms <<< "$tout")")
        echo "  pytorch  round $r: $(grep '^forward_gflops=' <<< "$tout")"
      else
        echo "  pytorch  round $r: $(tail -1 <<< "$tout")"
      fi
    done
    j=$(printf '%s\n' "${java_ms[@]}" | median)
    if [ ${#torch_ms[@]} -gt 0 ]; then
      p=$(printf '%s\n' "${torch_ms[@]}" | median)
      printf 'llama tokens=%s headwise_ms=%s pytorch_ms=%s ratio=%.2f (goal <= 0.8) load %s\n' "$T" "$j" "$p" \
        "$(awk -v a="$j" -v b="$p" 'BEGIN {print a / b}')" "$(cut -d' ' -f1-3 /proc/loadavg)"
    else
      printf 'llama tokens=%s headwise_ms=%s pytorch: not run (memory) load %s\n' "$T" "$j" "$(cut -d' ' -f1-3 /proc/loadavg)"
    fi
  done
fi

if [ "${LONG:-0}" = 1 ]; then
  TT=${LONG_TORCH_TOKENS:-2048}
  for T in "${LONG_TOKENS:-8192}" "$TT"; do
    java -Xmx"${LONG_XMX:-8g}" -Dorg.bytedeco.javacpp.maxbytes=10g -Dorg.bytedeco.javacpp.maxphysicalbytes=18g -cp "$CP" \
      headwise.bench.LongInputBench "$LLAMA_MODEL" "$T" | grep -E '^(load|forward|attention|layer|peak)'
  done
  echo "pytorch at $TT tokens (all maps kept):"
  $PY src/test/python/bench_torch.py "$LLAMA_MODEL" --tokens "$TT" --repeat 1 --warmup 1 --threads 2 | grep -E '^(forward|torch)' || true
fi
